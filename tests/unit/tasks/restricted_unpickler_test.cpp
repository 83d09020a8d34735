// The restricted unpickler on real pickles made by Python (the TAPE fixture's LMDB records, pickle
// protocols 2-5, numpy arrays and numpy scalars inside) and on hand-made opcode sequences; hostile
// inputs (every truncation, random corruption, huge lengths, deep nesting, unknown or unsupported
// opcodes) give fpt::Error, never a crash.
#include <gtest/gtest.h>
#include <lmdb.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <string>

#include "../error_message.h"
#include "fpt/core/error.h"
#include "fpt/tasks/restricted_unpickler.h"

namespace fpt::tasks::pickle {

using fpt::test::error_of;
namespace {

const std::string kFixture = std::string(FPT_SOURCE_DIR) + "/tests/data/tape";

nlohmann::json expected_fixture() {
  std::ifstream in(kFixture + "/expected.json");
  return nlohmann::json::parse(in);
}

// Raw values of an LMDB split of the fixture, by key.
std::string lmdb_value(const std::string& split, const std::string& key) {
  const std::string path = kFixture + "/lmdb/remote_homology/remote_homology_" + split + ".lmdb";
  MDB_env*          env  = nullptr;
  EXPECT_EQ(mdb_env_create(&env), 0);
  EXPECT_EQ(mdb_env_open(env, path.c_str(), MDB_RDONLY | MDB_NOLOCK, 0444), 0) << path;
  MDB_txn* txn = nullptr;
  EXPECT_EQ(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn), 0);
  MDB_dbi dbi = 0;
  EXPECT_EQ(mdb_dbi_open(txn, nullptr, 0, &dbi), 0);
  MDB_val     k{key.size(), const_cast<char*>(key.data())}, v{0, nullptr};
  std::string value;
  if (mdb_get(txn, dbi, &k, &v) == 0) value.assign(static_cast<const char*>(v.mv_data), v.mv_size);
  mdb_txn_abort(txn);
  mdb_env_close(env);
  EXPECT_FALSE(value.empty()) << split << " key " << key;
  return value;
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

TEST(RestrictedUnpickler, DecodesEveryFixtureRecordOfEveryProtocol) {
  const nlohmann::json expected = expected_fixture();
  for (const auto& [split, data] : expected.items()) {
    const size_t count = data["ids"].size();
    SCOPED_TRACE(split + " protocol " + std::to_string(data["protocol"].get<int>()));
    const Pickle number = unpickle(lmdb_value(split, "num_examples"), "num_examples");
    ASSERT_EQ(integer_of(number, number.root()), static_cast<int64_t>(count));
    for (size_t i = 0; i < count; ++i) {
      const Pickle record = unpickle(lmdb_value(split, std::to_string(i)), "record");
      ASSERT_EQ(record.root().kind, Kind::dict);
      const Value* primary = record.find(record.root(), "primary");
      const Value* id      = record.find(record.root(), "id");
      const Value* fold    = record.find(record.root(), "fold_label");
      const Value* length  = record.find(record.root(), "protein_length");
      ASSERT_TRUE(primary && id && fold && length);
      EXPECT_EQ(primary->kind, Kind::text);
      EXPECT_EQ(primary->text, data["primary"][i].get<std::string>());
      EXPECT_EQ(id->text, data["ids"][i].get<std::string>());
      EXPECT_EQ(integer_of(record, *fold), data["fold_label"][i].get<int64_t>());
      EXPECT_EQ(integer_of(record, *length), static_cast<int64_t>(primary->text.size()));
      // the numpy arrays are opaque objects naming numpy's reconstructor (protocols 2-4:
      // numpy.*multiarray._reconstruct; protocol 5: numpy.*numeric._frombuffer)
      const Value* evolutionary = record.find(record.root(), "evolutionary");
      ASSERT_NE(evolutionary, nullptr);
      EXPECT_EQ(evolutionary->kind, Kind::object);
      const std::string name = type_name(*evolutionary);
      EXPECT_EQ(name.rfind("numpy.", 0), 0u) << name;
      EXPECT_TRUE(name.find("_reconstruct") != std::string::npos ||
                  name.find("_frombuffer") != std::string::npos)
          << name;
      EXPECT_FALSE(integer_of(record, *evolutionary).has_value());
    }
  }
  // test_family_holdout stores numpy int64 scalars: they decode through integer_of
  const Pickle numpy_labels = unpickle(lmdb_value("test_family_holdout", "0"), "record");
  const Value* fold         = numpy_labels.find(numpy_labels.root(), "fold_label");
  ASSERT_NE(fold, nullptr);
  EXPECT_EQ(fold->kind, Kind::object);
  EXPECT_NE(fold->text.find("multiarray.scalar"), std::string::npos);
}

TEST(RestrictedUnpickler, HandMadeOpcodeSequences) {
  // {'a': [1, -2, 300, 70000, None, True, False, 1.5], 'b': (b'xy', 'z')} in protocol 2
  std::string data = bytes({0x80, 2, '}', 'q', 0, '(', 'X', 1, 0, 0, 0, 'a', ']', 'q', 1, '('});
  data += bytes({'K', 1});                                              // BININT1 1
  data += bytes({'J', 0xfe, 0xff, 0xff, 0xff});                         // BININT -2
  data += bytes({'M', 0x2c, 0x01});                                     // BININT2 300
  data += bytes({0x8a, 3, 0x70, 0x11, 0x01});                           // LONG1 70000
  data += bytes({'N', 0x88, 0x89});                                     // None True False
  data += bytes({'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0});                   // BINFLOAT 1.5
  data += bytes({'e'});                                                 // APPENDS
  data += bytes({0x8c, 1, 'b', 'C', 2, 'x', 'y', 0x8c, 1, 'z', 0x86});  // key, (b'xy', 'z')
  data += bytes({'u', '.'});
  const Pickle pickle = unpickle(data, "hand-made");
  const Value* a      = pickle.find(pickle.root(), "a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->kind, Kind::list);
  ASSERT_EQ(a->items.size(), 8u);
  EXPECT_EQ(pickle.at(a->items[0]).integer, 1);
  EXPECT_EQ(pickle.at(a->items[1]).integer, -2);
  EXPECT_EQ(pickle.at(a->items[2]).integer, 300);
  EXPECT_EQ(pickle.at(a->items[3]).integer, 70000);
  EXPECT_EQ(pickle.at(a->items[4]).kind, Kind::none);
  EXPECT_TRUE(pickle.at(a->items[5]).boolean);
  EXPECT_FALSE(pickle.at(a->items[6]).boolean);
  EXPECT_EQ(pickle.at(a->items[7]).real, 1.5);
  const Value* b = pickle.find(pickle.root(), "b");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->kind, Kind::tuple);
  EXPECT_EQ(pickle.at(b->items[0]).kind, Kind::bytes);
  EXPECT_EQ(pickle.at(b->items[0]).text, "xy");
  EXPECT_EQ(pickle.at(b->items[1]).text, "z");
  EXPECT_EQ(pickle.find(pickle.root(), "c"), nullptr);
}

TEST(RestrictedUnpickler, NegativeAndWideLongs) {
  EXPECT_EQ(unpickle(bytes({0x80, 2, 0x8a, 1, 0xff, '.'}), "t").root().integer, -1);
  EXPECT_EQ(unpickle(bytes({0x80, 2, 0x8a, 0, '.'}), "t").root().integer, 0);
  EXPECT_EQ(unpickle(bytes({0x80, 2, 0x8a, 2, 0x00, 0x80, '.'}), "t").root().integer, -32768);
  const Pickle wide = unpickle(bytes({0x80, 2, 0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, '.'}), "t");
  EXPECT_EQ(wide.root().kind, Kind::big_integer);
  EXPECT_FALSE(integer_of(wide, wide.root()).has_value());
}

// numpy 1.x spelling of an int64 scalar: numpy.core.multiarray.scalar(dtype('i8'), raw bytes),
// the dtype built with state (3, '<', ...); a big-endian int32 too.
TEST(RestrictedUnpickler, NumpyIntegerScalars) {
  auto scalar = [](const std::string& code, const std::string& order, const std::string& raw) {
    std::string d = bytes({0x80, 2, 'c'}) + "numpy.core.multiarray\nscalar\n" + "c" +
                    "numpy\ndtype\n" + "X" + bytes({2, 0, 0, 0}) + code +
                    bytes({0x89, 0x88, 0x87}) + "R" + "(" + "K" + bytes({3}) + "X" +
                    bytes({1, 0, 0, 0}) + order + "N" + "t" + "b" + "C" +
                    bytes({static_cast<int>(raw.size())}) + raw + bytes({0x86}) + "R" + ".";
    return d;
  };
  const Pickle little = unpickle(scalar("i8", "<", bytes({0x2a, 0, 0, 0, 0, 0, 0, 0})), "t");
  EXPECT_EQ(integer_of(little, little.root()), 42);
  const Pickle negative = unpickle(scalar("i2", "<", bytes({0xfe, 0xff})), "t");
  EXPECT_EQ(integer_of(negative, negative.root()), -2);
  const Pickle big = unpickle(scalar("i4", ">", bytes({0, 0, 0x04, 0xaa})), "t");
  EXPECT_EQ(integer_of(big, big.root()), 1194);
  const Pickle unsigned_byte = unpickle(scalar("u1", "|", bytes({0xff})), "t");
  EXPECT_EQ(integer_of(unsigned_byte, unsigned_byte.root()), 255);
  const Pickle real = unpickle(scalar("f8", "<", std::string(8, '\0')), "t");
  EXPECT_FALSE(integer_of(real, real.root()).has_value());  // a float is not an integer label
  const Pickle short_raw = unpickle(scalar("i8", "<", bytes({1, 2})), "t");
  EXPECT_FALSE(integer_of(short_raw, short_raw.root()).has_value());
}

TEST(RestrictedUnpickler, MemoSharesValues) {
  // l = []; (l, l) with protocol 4 MEMOIZE / BINGET, then BINGET of an unknown key
  const Pickle pickle = unpickle(bytes({0x80, 4, ']', 0x94, 'h', 0, 0x86, '.'}), "t");
  ASSERT_EQ(pickle.root().items.size(), 2u);
  EXPECT_EQ(pickle.root().items[0], pickle.root().items[1]);
  EXPECT_NE(error_of([] {
              unpickle(bytes({0x80, 4, ']', 'h', 7, '.'}), "t");
            }).find("memo key 7 was never stored"),
            std::string::npos);
}

TEST(RestrictedUnpickler, ErrorsNameContextOpcodeAndOffset) {
  const std::string unknown = error_of([] {
    unpickle(bytes({0x80, 2, 0xff, '.'}), "f.lmdb: record 3");
  });
  EXPECT_NE(unknown.find("f.lmdb: record 3"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("unknown opcode 0xff"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("byte offset 2"), std::string::npos) << unknown;

  const std::string ext = error_of([] { unpickle(bytes({0x80, 2, 0x82, 1, '.'}), "r"); });
  EXPECT_NE(ext.find("EXT1"), std::string::npos) << ext;
  const std::string persid = error_of([] { unpickle(bytes({0x80, 2, 'Q', '.'}), "r"); });
  EXPECT_NE(persid.find("BINPERSID"), std::string::npos) << persid;
  const std::string text = error_of([] { unpickle("I42\n.", "r"); });
  EXPECT_NE(text.find("INT"), std::string::npos) << text;
  EXPECT_NE(text.find("protocol 0"), std::string::npos) << text;
  const std::string buffer = error_of([] { unpickle(bytes({0x80, 5, 0x97, '.'}), "r"); });
  EXPECT_NE(buffer.find("NEXT_BUFFER"), std::string::npos) << buffer;
  EXPECT_NE(error_of([] {
              unpickle(bytes({0x80, 6, 'N', '.'}), "r");
            }).find("protocol 6"),
            std::string::npos);
}

TEST(RestrictedUnpickler, StructuralErrors) {
  auto expect_error = [](const std::string& data, const std::string& part) {
    const std::string message = error_of([&] { unpickle(data, "r"); });
    EXPECT_NE(message.find(part), std::string::npos)
        << "'" << message << "' lacks '" << part << "'";
  };
  expect_error("", "without a STOP");
  expect_error(bytes({0x80, 2, 'N'}), "without a STOP");
  expect_error(bytes({0x80, 2, '.'}), "0 values on the stack");
  expect_error(bytes({0x80, 2, 'N', 'N', '.'}), "2 values on the stack");
  expect_error(bytes({0x80, 2, 'N', '.', 'N'}), "1 bytes after STOP");
  expect_error(bytes({0x80, 2, '(', 'N', '.'}), "MARKs still open");
  expect_error(bytes({0x80, 2, 'a', '.'}), "stack is empty");
  expect_error(bytes({0x80, 2, 'N', 'N', 'a', '.'}), "APPEND applied to a None");
  expect_error(bytes({0x80, 2, '}', 'N', 's', '.'}), "stack is empty");
  expect_error(bytes({0x80, 2, 'e', '.'}), "without a preceding MARK");
  expect_error(bytes({0x80, 2, '}', '(', 'N', 'u', '.'}), "odd number");
  expect_error(bytes({0x80, 2, 'N', ')', 'R', '.'}), "REDUCE of a None");
  expect_error(bytes({0x80, 2, 'N', 'N', 'b', '.'}), "BUILD applied to a None");
  expect_error(bytes({0x80, 2, 'c', 'o', 's', '\n', 's', 'y', 's'}), "no terminating newline");
  expect_error(bytes({0x80, 2, 'K', 1, 0x93, '.'}), "STACK_GLOBAL");
}

TEST(RestrictedUnpickler, ImportsNothing) {
  // os.system('echo pwned') — the classic malicious pickle becomes an inert object
  const std::string evil = bytes({0x80, 2}) + "cos\nsystem\n" + "X" + bytes({10, 0, 0, 0}) +
                           "echo pwned" + bytes({0x85}) + "R.";
  const Pickle pickle = unpickle(evil, "evil");
  EXPECT_EQ(pickle.root().kind, Kind::object);
  EXPECT_EQ(pickle.root().text, "os.system");
}

TEST(RestrictedUnpickler, HugeLengthsAreTruncationErrorsNotAllocations) {
  for (const std::string& data :
       {bytes({0x80, 4, 'X', 0xff, 0xff, 0xff, 0xff, 'a', '.'}),
        bytes({0x80, 4, 0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '.'}),
        bytes({0x80, 4, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x80, '.'}),
        bytes({0x80, 4, 0x95, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'N', '.'}),
        bytes({0x80, 4, 0x8b, 0xff, 0xff, 0xff, 0x7f, '.'}),
        bytes({0x80, 2, 'T', 0xff, 0xff, 0xff, 0xff, '.'})}) {
    const std::string message = error_of([&] { unpickle(data, "r"); });
    EXPECT_TRUE(message.find("remain") != std::string::npos ||
                message.find("negative") != std::string::npos ||
                message.find("FRAME") != std::string::npos)
        << message;
  }
}

TEST(RestrictedUnpickler, DeepNestingAndLargeCountsHitLimits) {
  std::string lists = bytes({0x80, 2});
  for (int i = 0; i < 1000; ++i) lists += "]";
  for (int i = 0; i < 999; ++i) lists += "a";
  lists += ".";
  EXPECT_NE(error_of([&] { unpickle(lists, "r"); }).find("nested deeper than 128"),
            std::string::npos);

  std::string marks = bytes({0x80, 2});
  for (int i = 0; i < 300; ++i) marks += "(";
  EXPECT_NE(error_of([&] { unpickle(marks, "r"); }).find("open MARKs"), std::string::npos);

  Limits small;
  small.max_stack = 10;
  EXPECT_NE(error_of([&] {
              unpickle(bytes({0x80, 2}) + std::string(20, 'N') + ".", "r", small);
            }).find("stack deeper than 10"),
            std::string::npos);
  small.max_values = 5;
  small.max_stack  = 100;
  EXPECT_NE(error_of([&] {
              unpickle(bytes({0x80, 2}) + std::string(20, 'N') + ".", "r", small);
            }).find("more than 5 values"),
            std::string::npos);

  // a list appended to itself through the memo: a cycle, bounded by the depth limit, no crash
  std::string cycle = bytes({0x80, 2, ']', 'q', 0});
  for (int i = 0; i < 200; ++i) cycle += bytes({'h', 0, 'a'});
  cycle += ".";
  EXPECT_THROW(unpickle(cycle, "r"), fpt::Error);
}

// A memoized string copied into a class name over and over: kilobytes of pickle that would
// otherwise allocate gigabytes. The text budget (and the class-name cap) stop it early.
TEST(RestrictedUnpickler, MemoCopyingBombHitsTheTextBudget) {
  auto memoized_string = [](size_t length) {
    std::string text = bytes({0x80, 4, 'X'});
    for (int shift = 0; shift < 32; shift += 8) text += static_cast<char>((length >> shift) & 0xff);
    return text + std::string(length, 'm') + bytes({0x94});  // BINUNICODE, MEMOIZE -> memo 0
  };
  std::string bomb = memoized_string(1000);
  for (int i = 0; i < 2000; ++i) bomb += bytes({'h', 0, 'h', 0, 0x93, '0'});  // STACK_GLOBAL, POP
  bomb += bytes({'N', '.'});
  EXPECT_NE(error_of([&] { unpickle(bomb, "r"); }).find("bytes of text"), std::string::npos)
      << error_of([&] { unpickle(bomb, "r"); });

  const std::string long_name = memoized_string(2000) + bytes({'h', 0, 'h', 0, 0x93, '.'});
  EXPECT_NE(error_of([&] { unpickle(long_name, "r"); }).find("class name longer than 1024"),
            std::string::npos);
}

TEST(RestrictedUnpickler, EveryTruncationOfARealRecordIsAnError) {
  const std::string record = lmdb_value("valid", "0");
  ASSERT_GT(record.size(), 100u);
  for (size_t length = 0; length < record.size(); ++length)
    EXPECT_THROW(unpickle(std::string_view(record).substr(0, length), "r"), fpt::Error)
        << "prefix of " << length << " bytes";
}

TEST(RestrictedUnpickler, RandomCorruptionNeverCrashes) {
  std::mt19937 random(7);
  for (const char* split : {"train", "valid", "test_fold_holdout"}) {
    const std::string record = lmdb_value(split, "1");
    for (int trial = 0; trial < 1500; ++trial) {
      std::string corrupt = record;
      const int   flips   = 1 + static_cast<int>(random() % 4);
      for (int f = 0; f < flips; ++f)
        corrupt[random() % corrupt.size()] = static_cast<char>(random() & 0xff);
      try {
        unpickle(corrupt, "r");  // a flip inside a string or array payload may still decode
      } catch (const fpt::Error&) {
      }
    }
  }
}

}  // namespace
}  // namespace fpt::tasks::pickle
