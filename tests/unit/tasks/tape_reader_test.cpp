// TAPE remote homology readers: the iupac tokenizer against hand-computed ids; the LMDB and JSON
// releases of the committed fixture (tests/tools/make_tape_fixture.py) give identical ExampleArrays
// that match the records; locating the release; and every kind of bad input — a record without
// primary or fold_label, a label out of range, an empty split, num_examples missing or wrong, a
// corrupt pickle, bad JSON, an unknown letter, missing files — is an error naming file and record.
#include <gtest/gtest.h>
#include <lmdb.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "../error_message.h"
#include "fpt/core/error.h"
#include "fpt/tasks/iupac_tokenizer.h"
#include "fpt/tasks/tape_reader.h"

namespace fpt::tasks {

using fpt::test::error_of;
namespace {

namespace fs = std::filesystem;

const fs::path kFixture = fs::path(FPT_SOURCE_DIR) / "tests" / "data" / "tape";

void expect_error(const std::function<void()>& body, const std::vector<std::string>& parts) {
  const std::string message = error_of(body);
  for (const auto& part : parts)
    EXPECT_NE(message.find(part), std::string::npos)
        << "message '" << message << "' does not mention '" << part << "'";
}

class TapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_       = fs::temp_directory_path() /
                 ("fpt_tape_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  // An LMDB directory with exactly these key/value pairs, written with liblmdb.
  fs::path write_lmdb(const std::string& name, const std::map<std::string, std::string>& entries) {
    const fs::path path = directory_ / name;
    fs::create_directories(path);
    MDB_env* env = nullptr;
    EXPECT_EQ(mdb_env_create(&env), 0);
    EXPECT_EQ(mdb_env_set_mapsize(env, 1 << 20), 0);
    EXPECT_EQ(mdb_env_open(env, path.c_str(), 0, 0644), 0);
    MDB_txn* txn = nullptr;
    EXPECT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi dbi = 0;
    EXPECT_EQ(mdb_dbi_open(txn, nullptr, 0, &dbi), 0);
    for (const auto& [key, value] : entries) {
      MDB_val k{key.size(), const_cast<char*>(key.data())};
      MDB_val v{value.size(), const_cast<char*>(value.data())};
      EXPECT_EQ(mdb_put(txn, dbi, &k, &v, 0), 0);
    }
    EXPECT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    return path;
  }
  fs::path write_text(const std::string& name, const std::string& text) {
    const fs::path path = directory_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  fs::path directory_;
};

// Pickle protocol 2 of a dict with str / int values, as Python writes it (without memo opcodes).
struct PickleField {
  std::string key;
  std::string text;
  int64_t     integer = 0;
  bool        is_text = true;
};
std::string pickle_int(int64_t value) {
  std::string out = "J";
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return out;
}
std::string pickle_str(const std::string& text) {
  std::string out = "X";
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((text.size() >> (8 * i)) & 0xff));
  return out + text;
}
std::string pickle_dict(const std::vector<PickleField>& fields) {
  std::string out = "\x80\x02}(";
  for (const auto& field : fields)
    out += pickle_str(field.key) +
           (field.is_text ? pickle_str(field.text) : pickle_int(field.integer));
  return out + "u.";
}
std::string pickle_count(int64_t count) {
  return "\x80\x02" + pickle_int(count) + ".";
}
PickleField text(const std::string& key, const std::string& value) {
  return {key, value, 0, true};
}
PickleField integer(const std::string& key, int64_t value) {
  return {key, "", value, false};
}

std::vector<int16_t> tokens_of(const ExampleArrays& arrays, int64_t index) {
  const auto begin = arrays.offsets[index].item<int64_t>();
  const auto end   = arrays.offsets[index + 1].item<int64_t>();
  const auto slice = arrays.values.slice(0, begin, end).contiguous();
  return std::vector<int16_t>(slice.data_ptr<int16_t>(), slice.data_ptr<int16_t>() + (end - begin));
}

TEST(IupacTokenizer, HandComputedIds) {
  EXPECT_EQ(iupac_letter_id('A'), 5);
  EXPECT_EQ(iupac_letter_id('B'), 6);
  EXPECT_EQ(iupac_letter_id('I'), 13);
  EXPECT_EQ(iupac_letter_id('K'), 14);  // J is skipped
  EXPECT_EQ(iupac_letter_id('O'), 18);
  EXPECT_EQ(iupac_letter_id('U'), 24);
  EXPECT_EQ(iupac_letter_id('X'), 27);
  EXPECT_EQ(iupac_letter_id('Z'), 29);
  EXPECT_EQ(iupac_letter_id('J'), -1);
  EXPECT_EQ(iupac_letter_id('a'), -1);
  EXPECT_EQ(iupac_letter_id('\0'), -1);
  std::vector<int16_t> tokens;
  append_iupac_tokens("MKVZ", "r", tokens);
  // <cls> M=16 K=14 V=25 Z=29 <sep>
  EXPECT_EQ(tokens, (std::vector<int16_t>{2, 16, 14, 25, 29, 3}));
  append_iupac_tokens("", "r", tokens);  // an empty protein is <cls> <sep>
  EXPECT_EQ(tokens.size(), 8u);
}

TEST(IupacTokenizer, UnknownLetterIsAnErrorLikeTapesKeyError) {
  std::vector<int16_t> tokens;
  expect_error([&] { append_iupac_tokens("ACJD", "f.json: record 4", tokens); },
               {"f.json: record 4", "residue 3", "'J'", "iupac"});
  expect_error([&] { append_iupac_tokens("ac", "r", tokens); }, {"residue 1", "'a'"});
  expect_error([&] { append_iupac_tokens("A\xff", "r", tokens); }, {"byte 0xff"});
}

TEST_F(TapeTest, LmdbAndJsonFixturesGiveIdenticalArraysMatchingTheRecords) {
  std::ifstream        in(kFixture / "expected.json");
  const nlohmann::json expected = nlohmann::json::parse(in);
  const TapeRelease    lmdb     = locate_remote_homology(kFixture / "lmdb");  // in remote_homology/
  const TapeRelease    json     = locate_remote_homology(kFixture / "json");  // directly
  EXPECT_EQ(lmdb.format, TapeFormat::lmdb);
  EXPECT_EQ(lmdb.directory, kFixture / "lmdb" / "remote_homology");
  EXPECT_EQ(json.format, TapeFormat::json);
  EXPECT_EQ(json.directory, kFixture / "json");
  for (const std::string& split : remote_homology_splits()) {
    SCOPED_TRACE(split);
    const ExampleArrays from_lmdb = read_remote_homology_split(lmdb, split);
    const ExampleArrays from_json = read_remote_homology_split(json, split);
    EXPECT_TRUE(torch::equal(from_lmdb.values, from_json.values));
    EXPECT_TRUE(torch::equal(from_lmdb.offsets, from_json.offsets));
    EXPECT_TRUE(torch::equal(from_lmdb.labels, from_json.labels));
    EXPECT_EQ(from_lmdb.values.scalar_type(), torch::kInt16);

    const auto& records = expected[split];
    ASSERT_EQ(from_lmdb.size(), static_cast<int64_t>(records["ids"].size()));
    for (int64_t i = 0; i < from_lmdb.size(); ++i) {
      std::vector<int16_t> want;
      append_iupac_tokens(records["primary"][i].get<std::string>(), "expected", want);
      EXPECT_EQ(tokens_of(from_lmdb, i), want) << "record " << i;
      EXPECT_EQ(from_lmdb.labels[i].item<int64_t>(), records["fold_label"][i].get<int64_t>());
    }
    // sources: the checksummed file of each format
    ASSERT_EQ(from_lmdb.sources.size(), 1u);
    EXPECT_EQ(from_lmdb.sources.begin()->first, "remote_homology_" + split + ".lmdb/data.mdb");
    EXPECT_EQ(from_lmdb.sources.begin()->second.size(), 64u);
    EXPECT_EQ(from_json.sources.begin()->first, "remote_homology_" + split + ".json");
  }
  // the first record of every split holds the rare letters B O U X Z: <cls> B O U X Z ...
  const ExampleArrays train = read_remote_homology_split(lmdb, "train");
  const auto          first = tokens_of(train, 0);
  EXPECT_EQ(std::vector<int16_t>(first.begin(), first.begin() + 6),
            (std::vector<int16_t>{2, 6, 18, 24, 27, 29}));
  EXPECT_EQ(first.back(), 3);
  EXPECT_EQ(train.labels[0].item<int64_t>(), 0);
  EXPECT_EQ(train.labels[1].item<int64_t>(), 1194);
}

TEST_F(TapeTest, LmdbReadsFromAReadOnlyDirectoryWithoutALockFile) {
  const fs::path path = write_lmdb(
      "ro.lmdb", {{"num_examples", pickle_count(1)},
                  {"0", pickle_dict({text("primary", "ACD"), integer("fold_label", 7)})}});
  fs::remove(path / "lock.mdb");
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_exec);
  fs::permissions(path / "data.mdb", fs::perms::owner_read);
  const ExampleArrays arrays = read_tape_lmdb(path);
  fs::permissions(path, fs::perms::owner_all);
  EXPECT_FALSE(fs::exists(path / "lock.mdb"));
  EXPECT_EQ(arrays.size(), 1);
  EXPECT_EQ(tokens_of(arrays, 0), (std::vector<int16_t>{2, 5, 7, 8, 3}));
  EXPECT_EQ(arrays.labels[0].item<int64_t>(), 7);
}

TEST_F(TapeTest, LmdbBadRecordsNameFileAndRecord) {
  const std::string good =
      pickle_dict({text("id", "d1"), text("primary", "ACD"), integer("fold_label", 3)});
  struct Case {
    std::map<std::string, std::string> entries;
    std::vector<std::string>           parts;
  };
  const std::vector<Case> cases = {
      {{{"num_examples", pickle_count(2)},
        {"0", good},
        {"1", pickle_dict({text("id", "d2"), integer("fold_label", 3)})}},
       {"record 1 (id d2)", "no 'primary'"}},
      {{{"num_examples", pickle_count(2)},
        {"0", good},
        {"1", pickle_dict({text("primary", "ACD")})}},
       {"record 1", "no 'fold_label'"}},
      {{{"num_examples", pickle_count(1)},
        {"0", pickle_dict({text("primary", "ACD"), integer("fold_label", 1195)})}},
       {"record 0", "fold_label 1195 is outside 0..1194"}},
      {{{"num_examples", pickle_count(1)},
        {"0", pickle_dict({text("primary", "ACD"), integer("fold_label", -1)})}},
       {"record 0", "fold_label -1"}},
      {{{"num_examples", pickle_count(1)},
        {"0", pickle_dict({text("primary", "ACD"), text("fold_label", "3")})}},
       {"record 0", "'fold_label' is a str, expected an int"}},
      {{{"num_examples", pickle_count(1)},
        {"0", pickle_dict({integer("primary", 5), integer("fold_label", 3)})}},
       {"record 0", "'primary' is a int, expected a str"}},
      {{{"num_examples", pickle_count(0)}}, {"no records"}},
      {{{"0", good}}, {"no 'num_examples' key"}},
      {{{"num_examples", pickle_count(3)}, {"0", good}, {"1", good}},
       {"num_examples says 3", "holds 2"}},
      {{{"num_examples", pickle_count(2)}, {"0", good}, {"2", good}},
       {"record 1", "key '1' is missing"}},
      {{{"num_examples", pickle_count(1)}, {"0", good}, {"1", good}},
       {"num_examples says 1", "holds 2"}},
      {{{"num_examples", pickle_count(1)}, {"0", good.substr(0, good.size() - 5)}},
       {"record 0", "corrupt pickle"}},
      {{{"num_examples", pickle_count(1)}, {"0", "\x80\x02N."}},
       {"record 0", "the record is a None, expected a dict"}},
      {{{"num_examples", "\x80\x02" + pickle_str("3") + "."}, {"0", good}},
       {"num_examples is a str"}},
      {{{"num_examples", pickle_count(1)},
        {"0", pickle_dict({text("primary", "AC-D"), integer("fold_label", 3)})}},
       {"record 0", "residue 3", "'-'"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const fs::path path = write_lmdb("case" + std::to_string(i) + ".lmdb", cases[i].entries);
    std::vector<std::string> parts = cases[i].parts;
    parts.push_back(path.string());
    expect_error([&] { read_tape_lmdb(path); }, parts);
  }
}

TEST_F(TapeTest, LmdbPathThatIsNotAnLmdbDirectory) {
  expect_error([&] { read_tape_lmdb(directory_ / "absent.lmdb"); },
               {"absent.lmdb", "not an LMDB directory"});
  fs::create_directories(directory_ / "empty.lmdb");
  expect_error([&] { read_tape_lmdb(directory_ / "empty.lmdb"); }, {"empty.lmdb", "no data.mdb"});
  write_text("junk.lmdb/data.mdb", std::string(10000, 'x'));
  expect_error([&] { read_tape_lmdb(directory_ / "junk.lmdb"); }, {"junk.lmdb", "LMDB cannot"});

  // A data.mdb cut short (an interrupted copy): an error naming it, not a SIGBUS.
  const fs::path truncated = directory_ / "truncated.lmdb";
  fs::create_directories(truncated);
  const fs::path real = kFixture / "lmdb" / "remote_homology" / "remote_homology_train.lmdb";
  fs::copy_file(real / "data.mdb", truncated / "data.mdb");
  fs::resize_file(truncated / "data.mdb", fs::file_size(real / "data.mdb") - 4096);
  expect_error([&] { read_tape_lmdb(truncated); }, {"truncated.lmdb", "data.mdb is truncated"});
}

TEST_F(TapeTest, JsonBadInputNamesFileAndRecord) {
  struct Case {
    std::string              text;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {R"([{"primary":"AC","fold_label":1},{"id":"x","fold_label":2}])",
       {"record 1 (id x)", "no 'primary'"}},
      {R"([{"primary":"AC","fold_label":1},{"primary":"AC","fold_label":null}])",
       {"record 1", "'fold_label' is a JSON null, expected an integer"}},
      {R"([{"primary":"AC"}])", {"record 0", "no 'fold_label'"}},
      {R"([{"primary":"AC","fold_label":1195}])", {"record 0", "outside 0..1194"}},
      {R"([{"primary":"AC","fold_label":2.5}])", {"record 0", "JSON number, expected an integer"}},
      {R"([{"primary":["A","C"],"fold_label":2}])", {"record 0", "'primary' is a JSON list"}},
      {R"([{"primary":"AC","fold_label":1}, 7])", {"record 1", "JSON integer, expected a record"}},
      {R"({"primary":"AC","fold_label":1})", {"top level is a JSON object"}},
      {R"([])", {"no records"}},
      {R"([{"primary":"AC","fold_label":1},{"primary":"A)", {"not valid JSON", "record 1"}},
      {R"([{"primary":"AC","fold_label":1}] trailing)", {"not valid JSON"}},
      {"", {"not valid JSON"}},
      {R"([{"primary":"AJC","fold_label":1}])", {"record 0", "residue 2", "'J'"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const fs::path           path = write_text("case" + std::to_string(i) + ".json", cases[i].text);
    std::vector<std::string> parts = cases[i].parts;
    parts.push_back(path.string());
    expect_error([&] { read_tape_json(path); }, parts);
  }
  expect_error([&] { read_tape_json(directory_ / "absent.json"); }, {"absent.json", "cannot open"});
}

TEST_F(TapeTest, JsonSkipsUnusedFieldsOfAnyShape) {
  const fs::path path = write_text(
      "extra.json",
      R"([{"evolutionary":[[0.5,1],[2,{"a":[3]}]],"primary":"MK","protein_length":2,"fold_label":9,"id":"p"}])");
  const ExampleArrays arrays = read_tape_json(path);
  EXPECT_EQ(tokens_of(arrays, 0), (std::vector<int16_t>{2, 16, 14, 3}));
  EXPECT_EQ(arrays.labels[0].item<int64_t>(), 9);
}

TEST_F(TapeTest, MissingReleaseListsSearchedPlacesAndTheDownload) {
  write_text("remote_homology/remote_homology_train.json", "[]");
  expect_error(
      [&] { locate_remote_homology(directory_); },
      {directory_.string(), (directory_ / "remote_homology").string(), "remote_homology_valid.json",
       "remote_homology_train.lmdb", kHomologyReleaseUrl, "fpt_fetch remote-homology"});
}

}  // namespace
}  // namespace fpt::tasks
