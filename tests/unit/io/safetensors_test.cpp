// safetensors reader/writer: round trips, byte-exact layout, a file written by the reference
// Python package, and one test per structural rule a hostile file can break.
#include "fpt/io/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fpt/core/error.h"

namespace fpt::io {
namespace {

namespace fs = std::filesystem;

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_       = fs::path(::testing::TempDir()) /
                 ("fpt_safetensors_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  // Writes raw bytes to `name` and returns its path.
  std::string write_bytes(const std::string& name, const std::string& bytes) const {
    const std::string file = path(name);
    std::ofstream     out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file;
  }

  // A whole file: 8-byte little-endian header length, the header text, then `data`.
  static std::string file_bytes(const std::string& header, const std::string& data) {
    std::string bytes;
    uint64_t    length = header.size();
    for (int i = 0; i < 8; ++i) {
      bytes.push_back(static_cast<char>(length & 0xff));
      length >>= 8;
    }
    return bytes + header + data;
  }

  // Opens a file made of `header` + `data` and returns the fpt::Error message ("" if it opened).
  std::string open_error(const std::string& header, const std::string& data) const {
    return open_error_of(write_bytes("bad.safetensors", file_bytes(header, data)));
  }

  static std::string open_error_of(const std::string& file) {
    try {
      SafetensorsFile::open(file);
    } catch (const fpt::Error& error) {
      return error.what();
    }
    return "";
  }

  fs::path directory_;
};

std::string read_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <typename T>
std::vector<T> values_of(const TensorView& view) {
  EXPECT_EQ(view.size_bytes % sizeof(T), 0u);
  std::vector<T> values(view.size_bytes / sizeof(T));
  if (view.size_bytes) std::memcpy(values.data(), view.data, view.size_bytes);
  return values;
}

template <typename T>
TensorToWrite to_write(const std::string& name, TensorDtype dtype, std::vector<int64_t> shape,
                       const std::vector<T>& values) {
  return TensorToWrite{name, dtype, std::move(shape), values.data(), values.size() * sizeof(T)};
}

#define EXPECT_MESSAGE_HAS(message, text)                       \
  EXPECT_NE(std::string(message).find(text), std::string::npos) \
      << "message: " << (message) << "\nexpected to contain: " << (text)

TEST(SafetensorsDtype, NamesSizesAndParsing) {
  EXPECT_EQ(dtype_size(TensorDtype::F64), 8u);
  EXPECT_EQ(dtype_size(TensorDtype::F32), 4u);
  EXPECT_EQ(dtype_size(TensorDtype::BF16), 2u);
  EXPECT_EQ(dtype_size(TensorDtype::I64), 8u);
  EXPECT_EQ(dtype_size(TensorDtype::BOOL), 1u);
  for (TensorDtype dtype :
       {TensorDtype::F64, TensorDtype::F32, TensorDtype::F16, TensorDtype::BF16, TensorDtype::I64,
        TensorDtype::I32, TensorDtype::I16, TensorDtype::I8, TensorDtype::U8, TensorDtype::BOOL})
    EXPECT_EQ(parse_dtype(dtype_name(dtype), "test"), dtype);
  try {
    parse_dtype("F8_E4M3", "model.safetensors: tensor 'w'");
    FAIL() << "F8_E4M3 accepted";
  } catch (const fpt::Error& error) {
    EXPECT_MESSAGE_HAS(error.what(), "model.safetensors: tensor 'w'");
    EXPECT_MESSAGE_HAS(error.what(), "'F8_E4M3'");
    EXPECT_MESSAGE_HAS(error.what(), "BF16");
  }
}

TEST_F(SafetensorsTest, RoundTripKeepsDtypesShapesValuesAndMetadata) {
  const std::vector<float>    f32    = {1.5f, -2.25f, 0.0f, 3.0e-8f, 1e30f, -7.0f};
  const std::vector<uint16_t> f16    = {0x3C00, 0xC100, 0x7BFF};  // 1.0, -2.5, 65504 as raw halves
  const std::vector<uint16_t> bf16   = {0x3F80, 0xC000};          // 1.0, -2.0 as raw bfloat16
  const std::vector<int64_t>  i64    = {INT64_MIN, -1, 0, INT64_MAX};
  const std::vector<float>    scalar = {42.0f};
  const std::vector<float>    empty;
  const std::vector<TensorToWrite> tensors = {
      to_write("layer.weight", TensorDtype::F32, {2, 3}, f32),
      to_write("layer.f16", TensorDtype::F16, {3}, f16),
      to_write("layer.bf16", TensorDtype::BF16, {1, 2}, bf16),
      to_write("positions", TensorDtype::I64, {2, 2}, i64),
      to_write("scale", TensorDtype::F32, {}, scalar),
      to_write("nothing", TensorDtype::F32, {4, 0, 2}, empty),
  };
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "ünïcode ✓"}};
  const std::string                        file     = path("round_trip.safetensors");
  write_safetensors(file, tensors, metadata);

  const SafetensorsFile reader = SafetensorsFile::open(file);
  EXPECT_EQ(reader.path(), file);
  EXPECT_EQ(reader.header().metadata, metadata);
  ASSERT_EQ(reader.header().tensors.size(), tensors.size());
  for (const TensorToWrite& written : tensors) {
    ASSERT_TRUE(reader.contains(written.name)) << written.name;
    const TensorView view = reader.tensor(written.name);
    EXPECT_EQ(view.entry->name, written.name);
    EXPECT_EQ(view.entry->dtype, written.dtype) << written.name;
    EXPECT_EQ(view.entry->shape, written.shape) << written.name;
    ASSERT_EQ(view.size_bytes, written.size_bytes) << written.name;
    if (written.size_bytes) {
      EXPECT_EQ(std::memcmp(view.data, written.data, written.size_bytes), 0) << written.name;
    }
  }
  EXPECT_EQ(values_of<float>(reader.tensor("layer.weight")), f32);
  EXPECT_EQ(values_of<int64_t>(reader.tensor("positions")), i64);
  EXPECT_EQ(values_of<float>(reader.tensor("scale")), scalar);
  EXPECT_FALSE(reader.contains("missing"));

  // The writer keeps the given order, so offsets are consecutive in that order; the header the
  // reader returns is sorted by offset (zero-byte tensors sort by name at equal offsets).
  uint64_t previous_end = 0;
  for (const TensorEntry& entry : reader.header().tensors) {
    EXPECT_EQ(entry.begin, previous_end) << entry.name;
    previous_end = entry.end;
  }
  EXPECT_EQ(reader.tensor("layer.weight").entry->begin, 0u);
  EXPECT_EQ(reader.tensor("layer.f16").entry->begin, 24u);

  // The header is padded so the data section starts 8-byte aligned.
  const std::string bytes         = read_file(file);
  uint64_t          header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  EXPECT_EQ(header_length % 8, 0u);
  EXPECT_EQ(bytes.size(), 8 + header_length + 24 + 6 + 4 + 32 + 4);
}

TEST_F(SafetensorsTest, MoveKeepsTheMappingAndViewsValid) {
  const std::vector<float> values = {1, 2, 3};
  write_safetensors(path("m.safetensors"), {to_write("x", TensorDtype::F32, {3}, values)});
  SafetensorsFile  first = SafetensorsFile::open(path("m.safetensors"));
  const TensorView view  = first.tensor("x");
  SafetensorsFile  moved = std::move(first);
  EXPECT_EQ(values_of<float>(view), values);
  EXPECT_EQ(values_of<float>(moved.tensor("x")), values);
  SafetensorsFile assigned = SafetensorsFile::open(path("m.safetensors"));
  assigned                 = std::move(moved);
  EXPECT_EQ(values_of<float>(assigned.tensor("x")), values);
}

TEST_F(SafetensorsTest, WriterOutputMatchesHandBuiltBytesAndReadsBack) {
  // Two F32 values then one I8: header JSON as the reference writer lays it out (no spaces,
  // insertion order), padded with spaces to a multiple of 8.
  const std::string header =
      R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"I8","shape":[1,1],"data_offsets":[8,9]}})";
  const std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  ASSERT_EQ(padded.size() % 8, 0u);
  std::string data;
  const float a_values[2] = {1.0f, -0.5f};  // 0x3F800000, 0xBF000000 little-endian
  data += std::string("\x00\x00\x80\x3f\x00\x00\x00\xbf", 8);
  data += std::string("\xfe", 1);  // I8 -2
  const std::string expected = file_bytes(padded, data);
  EXPECT_EQ(expected.substr(0, 8), std::string("\x88\x00\x00\x00\x00\x00\x00\x00", 8));

  // Read the hand-built file.
  const SafetensorsFile hand = SafetensorsFile::open(write_bytes("hand.safetensors", expected));
  EXPECT_EQ(hand.header().metadata, (std::map<std::string, std::string>{{"k", "v"}}));
  ASSERT_EQ(hand.header().tensors.size(), 2u);
  EXPECT_EQ(hand.header().tensors[0].name, "a");
  EXPECT_EQ(hand.header().tensors[1].name, "b");
  EXPECT_EQ(hand.tensor("b").entry->shape, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(hand.tensor("b").entry->dtype, TensorDtype::I8);
  EXPECT_EQ(values_of<float>(hand.tensor("a")), (std::vector<float>{1.0f, -0.5f}));
  EXPECT_EQ(values_of<int8_t>(hand.tensor("b")), (std::vector<int8_t>{-2}));

  // The writer produces exactly these bytes.
  const int8_t b_value = -2;
  write_safetensors(path("written.safetensors"),
                    {TensorToWrite{"a", TensorDtype::F32, {2}, a_values, sizeof a_values},
                     TensorToWrite{"b", TensorDtype::I8, {1, 1}, &b_value, 1}},
                    {{"k", "v"}});
  EXPECT_EQ(read_file(path("written.safetensors")), expected);
}

// tests/data/safetensors/reference_small.safetensors was written by the Python `safetensors`
// package (tests/tools/make_safetensors_fixture.py); the values below are the ones it wrote.
TEST(SafetensorsReference, ReadsTheFileWrittenByThePythonPackage) {
  const std::string file =
      std::string(FPT_SOURCE_DIR) + "/tests/data/safetensors/reference_small.safetensors";
  const SafetensorsFile reader = SafetensorsFile::open(file);
  EXPECT_EQ(reader.header().metadata,
            (std::map<std::string, std::string>{{"format", "pt"},
                                                {"source", "make_safetensors_fixture.py"}}));
  EXPECT_EQ(reader.header().tensors.size(), 6u);

  const TensorView weight = reader.tensor("weight_f32");
  EXPECT_EQ(weight.entry->dtype, TensorDtype::F32);
  EXPECT_EQ(weight.entry->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values_of<float>(weight), (std::vector<float>{-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f}));

  const TensorView bias = reader.tensor("bias_f16");
  EXPECT_EQ(bias.entry->dtype, TensorDtype::F16);
  EXPECT_EQ(bias.entry->shape, (std::vector<int64_t>{4}));
  // 1.0, -2.5, 0.125, 65504 in IEEE half precision
  EXPECT_EQ(values_of<uint16_t>(bias), (std::vector<uint16_t>{0x3C00, 0xC100, 0x3000, 0x7BFF}));

  const TensorView positions = reader.tensor("positions_i64");
  EXPECT_EQ(positions.entry->dtype, TensorDtype::I64);
  EXPECT_EQ(positions.entry->shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values_of<int64_t>(positions),
            (std::vector<int64_t>{0, -1, int64_t{1} << 40, -(int64_t{1} << 40)}));

  const TensorView flag = reader.tensor("flag_u8");
  EXPECT_EQ(flag.entry->dtype, TensorDtype::U8);
  EXPECT_TRUE(flag.entry->shape.empty());
  EXPECT_EQ(values_of<uint8_t>(flag), (std::vector<uint8_t>{7}));

  const TensorView empty = reader.tensor("empty_f32");
  EXPECT_EQ(empty.entry->shape, (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(empty.size_bytes, 0u);

  const TensorView scale = reader.tensor("scale_bf16");
  EXPECT_EQ(scale.entry->dtype, TensorDtype::BF16);
  EXPECT_EQ(scale.entry->shape, (std::vector<int64_t>{1, 3}));
  // 1.0, -2.0, 0.15625 in bfloat16
  EXPECT_EQ(values_of<uint16_t>(scale), (std::vector<uint16_t>{0x3F80, 0xC000, 0x3E20}));
}

// ---- bad input: each error names the file and says what is wrong ------------------------------

TEST_F(SafetensorsTest, RejectsAFileShorterThanTheLengthPrefix) {
  const std::string file    = write_bytes("short.safetensors", std::string("\x10\x00\x00", 3));
  const std::string message = open_error_of(file);
  EXPECT_MESSAGE_HAS(message, file);
  EXPECT_MESSAGE_HAS(message, "truncated");
  EXPECT_MESSAGE_HAS(message, "3 bytes");
  EXPECT_MESSAGE_HAS(open_error_of(write_bytes("empty.safetensors", "")), "truncated");
}

TEST_F(SafetensorsTest, RejectsAZeroHeaderLength) {
  const std::string message = open_error("", "");
  EXPECT_MESSAGE_HAS(message, path("bad.safetensors"));
  EXPECT_MESSAGE_HAS(message, "truncated");
  EXPECT_MESSAGE_HAS(message, "header length is 0");
}

TEST_F(SafetensorsTest, RejectsAHeaderLengthBeyondTheFile) {
  // Claims a 1000-byte header but only 2 bytes follow.
  const std::string file =
      write_bytes("long.safetensors", std::string("\xe8\x03\x00\x00\x00\x00\x00\x00{}", 10));
  const std::string message = open_error_of(file);
  EXPECT_MESSAGE_HAS(message, file);
  EXPECT_MESSAGE_HAS(message, "header length 1000 runs beyond the end of the file");
  // A length near 2^64 must not wrap around either.
  EXPECT_MESSAGE_HAS(open_error_of(write_bytes("huge.safetensors", std::string(8, '\xff') + "{}")),
                     "runs beyond the end of the file");
}

TEST_F(SafetensorsTest, RejectsAHeaderThatIsNotJson) {
  const std::string message = open_error(R"({"a": {"dtype": "F32",)", "");
  EXPECT_MESSAGE_HAS(message, path("bad.safetensors"));
  EXPECT_MESSAGE_HAS(message, "not valid JSON");
  EXPECT_MESSAGE_HAS(open_error("[1, 2]", ""), "must be a JSON object");
  EXPECT_MESSAGE_HAS(open_error("{} trailing", ""), "not valid JSON");
}

TEST_F(SafetensorsTest, RejectsOverlappingTensors) {
  const std::string message =
      open_error(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                 R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                 std::string(12, '\0'));
  EXPECT_MESSAGE_HAS(message, path("bad.safetensors"));
  EXPECT_MESSAGE_HAS(message, "tensor 'b' (bytes 4..12 of the data section) overlaps tensor 'a'");
}

TEST_F(SafetensorsTest, RejectsOffsetsOutOfBounds) {
  const std::string message = open_error(
      R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", std::string(8, '\0'));
  EXPECT_MESSAGE_HAS(message, path("bad.safetensors"));
  EXPECT_MESSAGE_HAS(message, "tensor 'a'");
  EXPECT_MESSAGE_HAS(message, "run past the end of the data section (8 bytes)");
  EXPECT_MESSAGE_HAS(
      open_error(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", std::string(8, 0)),
      "begin after they end");
  EXPECT_MESSAGE_HAS(open_error(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[-1,0]}})", ""),
                     "data_offsets begin is -1, which is negative");
}

TEST_F(SafetensorsTest, RejectsAByteCountThatDoesNotMatchTheShape) {
  const std::string message = open_error(
      R"({"w":{"dtype":"F16","shape":[2,3],"data_offsets":[0,8]}})", std::string(8, '\0'));
  EXPECT_MESSAGE_HAS(message, path("bad.safetensors"));
  EXPECT_MESSAGE_HAS(message, "tensor 'w'");
  EXPECT_MESSAGE_HAS(message, "hold 8 bytes but shape [2, 3] of F16 needs 12 bytes");
}

TEST_F(SafetensorsTest, RejectsAnUnknownDtype) {
  const std::string message = open_error(
      R"({"w":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[0,1]}})", std::string(1, '\0'));
  EXPECT_MESSAGE_HAS(message, path("bad.safetensors"));
  EXPECT_MESSAGE_HAS(message, "tensor 'w'");
  EXPECT_MESSAGE_HAS(message, "unknown or unsupported dtype 'F8_E5M2'");
}

TEST_F(SafetensorsTest, RejectsDuplicateNames) {
  const std::string message = open_error(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                                         R"("w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                                         std::string(2, '\0'));
  EXPECT_MESSAGE_HAS(message, path("bad.safetensors"));
  EXPECT_MESSAGE_HAS(message, "tensor 'w' appears more than once");
  // A key repeated inside one entry is just as ambiguous.
  EXPECT_MESSAGE_HAS(
      open_error(R"({"w":{"dtype":"U8","dtype":"F32","shape":[1],"data_offsets":[0,1]}})",
                 std::string(1, '\0')),
      "tensor 'w': key \"dtype\" appears more than once");
}

TEST_F(SafetensorsTest, RejectsAHoleInTheDataSection) {
  const std::string message = open_error(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                                         R"("b":{"dtype":"U8","shape":[2],"data_offsets":[5,7]}})",
                                         std::string(7, '\0'));
  EXPECT_MESSAGE_HAS(message, path("bad.safetensors"));
  EXPECT_MESSAGE_HAS(message, "bytes 2..5 of the data section belong to no tensor");
  // Bytes after the last tensor, and a data section before the first tensor, too.
  EXPECT_MESSAGE_HAS(
      open_error(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", std::string(3, '\0')),
      "bytes 2..3 of the data section belong to no tensor");
  EXPECT_MESSAGE_HAS(
      open_error(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}})", std::string(3, '\0')),
      "bytes 0..1 of the data section belong to no tensor");
}

TEST_F(SafetensorsTest, RejectsANegativeDimension) {
  const std::string message =
      open_error(R"({"a":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,0]}})", "");
  EXPECT_MESSAGE_HAS(message, path("bad.safetensors"));
  EXPECT_MESSAGE_HAS(message, "tensor 'a': shape dimension 1 is -1, which is negative");
}

TEST_F(SafetensorsTest, RejectsDimensionsWhoseProductOverflows) {
  // 2^32 × 2^32 elements wraps to 0 in 64 bits, which would match the empty byte range.
  const std::string message = open_error(
      R"({"a":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", "");
  EXPECT_MESSAGE_HAS(message, path("bad.safetensors"));
  EXPECT_MESSAGE_HAS(message, "tensor 'a'");
  EXPECT_MESSAGE_HAS(message, "overflows 64 bits");
  // 2^62 F32 elements: the element count fits but the byte count does not.
  EXPECT_MESSAGE_HAS(
      open_error(R"({"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})", ""),
      "byte count (4611686018427387904 elements of F32) overflows 64 bits");
  // A dimension beyond int64 is rejected outright.
  EXPECT_MESSAGE_HAS(
      open_error(R"({"a":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,0]}})", ""),
      "larger than the largest supported value");
}

TEST_F(SafetensorsTest, RejectsMalformedEntriesAndMetadata) {
  EXPECT_MESSAGE_HAS(open_error(R"({"a":{"dtype":"U8","shape":[1]}})", ""),
                     "tensor 'a': the header entry has no \"data_offsets\"");
  EXPECT_MESSAGE_HAS(open_error(R"({"a":[1,2]})", ""), "tensor 'a': the header entry must be");
  EXPECT_MESSAGE_HAS(open_error(R"({"a":{"dtype":3,"shape":[1],"data_offsets":[0,1]}})", "x"),
                     "\"dtype\" must be a string");
  EXPECT_MESSAGE_HAS(open_error(R"({"a":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}})", "x"),
                     "shape dimension 0 must be a non-negative integer, not 1.0");
  EXPECT_MESSAGE_HAS(open_error(R"({"a":{"dtype":"U8","shape":1,"data_offsets":[0,1]}})", "x"),
                     "\"shape\" must be an array");
  EXPECT_MESSAGE_HAS(open_error(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}})", "x"),
                     "\"data_offsets\" must be an array [begin, end]");
  EXPECT_MESSAGE_HAS(open_error(R"({"__metadata__":{"k":1}})", ""),
                     "\"__metadata__\" key 'k' must have a string value");
  EXPECT_MESSAGE_HAS(open_error(R"({"__metadata__":["k"]})", ""),
                     "\"__metadata__\" must be an object");
}

// A hostile header nested a million levels deep must be refused by the depth limit, not crash the
// recursive parser's stack; and a huge value is never copied whole into the message.
TEST_F(SafetensorsTest, RejectsDeepNestingAndKeepsMessagesShort) {
  const std::string deep =
      R"({"a":)" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
  const std::string message = open_error(deep, "");
  EXPECT_MESSAGE_HAS(message, "not valid JSON: values nested more than 16 levels deep");

  const std::string long_dtype   = std::string(10'000, 'x');
  const std::string long_message = open_error(
      R"({"a":{"dtype":")" + long_dtype + R"(","shape":[1],"data_offsets":[0,1]}})", "x");
  EXPECT_MESSAGE_HAS(long_message, "unknown or unsupported dtype");
  EXPECT_LT(long_message.size(), 400u) << long_message.substr(0, 400);
  const std::string nested_shape =
      open_error(R"({"a":{"dtype":"U8","shape":[[")" + std::string(5000, 'x') +
                     R"("]],"data_offsets":[0,1]}})",
                 "x");
  EXPECT_MESSAGE_HAS(nested_shape,
                     "shape dimension 0 must be a non-negative integer, not an array");
  EXPECT_LT(nested_shape.size(), 400u) << nested_shape;
  const std::string overflow = open_error(R"({"a":)" + std::string(5000, '1') + "}", "");
  EXPECT_MESSAGE_HAS(overflow, "not valid JSON");
  EXPECT_LT(overflow.size(), 500u);
}

TEST_F(SafetensorsTest, AcceptsZeroByteTensorsSharingAnOffsetAndAnEmptyHeader) {
  const SafetensorsFile file = SafetensorsFile::open(write_bytes(
      "zero.safetensors", file_bytes(R"({"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},)"
                                     R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                     R"("y":{"dtype":"I64","shape":[3,0],"data_offsets":[4,4]}})",
                                     std::string(4, '\0'))));
  ASSERT_EQ(file.header().tensors.size(), 3u);
  EXPECT_EQ(file.header().tensors[0].name, "a");
  EXPECT_EQ(file.header().tensors[1].name, "y");
  EXPECT_EQ(file.header().tensors[2].name, "z");
  EXPECT_EQ(SafetensorsFile::open(write_bytes("none.safetensors", file_bytes("{}  ", "")))
                .header()
                .tensors.size(),
            0u);
}

TEST_F(SafetensorsTest, LookupOfAMissingTensorNamesFileAndTensor) {
  write_safetensors(path("one.safetensors"), {});
  const SafetensorsFile file = SafetensorsFile::open(path("one.safetensors"));
  try {
    file.tensor("h.0.attn.c_attn.weight");
    FAIL() << "missing tensor returned";
  } catch (const fpt::Error& error) {
    EXPECT_MESSAGE_HAS(error.what(), path("one.safetensors"));
    EXPECT_MESSAGE_HAS(error.what(), "no tensor named 'h.0.attn.c_attn.weight'");
  }
  EXPECT_MESSAGE_HAS(open_error_of(path("does_not_exist.safetensors")), "cannot open");
}

TEST_F(SafetensorsTest, WriterRejectsBadTensors) {
  const std::vector<float> two = {1, 2};
  auto write_error             = [&](const std::vector<TensorToWrite>& tensors) -> std::string {
    try {
      write_safetensors(path("w.safetensors"), tensors);
    } catch (const fpt::Error& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_MESSAGE_HAS(write_error({to_write("a", TensorDtype::F32, {3}, two)}),
                     "tensor 'a': 8 bytes given but shape [3] of F32 needs 12 bytes");
  EXPECT_MESSAGE_HAS(write_error({to_write("a", TensorDtype::F32, {2}, two),
                                  to_write("a", TensorDtype::F32, {2}, two)}),
                     "tensor 'a': the name is given twice");
  EXPECT_MESSAGE_HAS(write_error({to_write("__metadata__", TensorDtype::F32, {2}, two)}),
                     "reserved");
  EXPECT_MESSAGE_HAS(write_error({to_write("a", TensorDtype::F32, {-2}, two)}), "negative");
  EXPECT_FALSE(fs::exists(path("w.safetensors")));
  // Unwritable destination: names the path.
  const std::string message = [&] {
    try {
      write_safetensors(path("no_such_dir/x.safetensors"),
                        {to_write("a", TensorDtype::F32, {2}, two)});
    } catch (const fpt::Error& error) {
      return std::string(error.what());
    }
    return std::string();
  }();
  EXPECT_MESSAGE_HAS(message, path("no_such_dir/x.safetensors"));
}

TEST(SafetensorsHeader, ParsesWithoutAFile) {
  const SafetensorsHeader header =
      parse_safetensors_header(R"({"b":{"dtype":"BOOL","shape":[3],"data_offsets":[2,5]},)"
                               R"("a":{"dtype":"I16","shape":[],"data_offsets":[0,2]}})",
                               5, "memory");
  ASSERT_EQ(header.tensors.size(), 2u);
  EXPECT_EQ(header.tensors[0].name, "a");  // sorted by offset
  EXPECT_EQ(header.tensors[0].dtype, TensorDtype::I16);
  EXPECT_EQ(header.tensors[1].begin, 2u);
  EXPECT_EQ(header.tensors[1].end, 5u);
  EXPECT_TRUE(header.metadata.empty());
  try {
    parse_safetensors_header("{", 0, "ctx.safetensors");
    FAIL() << "accepted";
  } catch (const fpt::Error& error) {
    EXPECT_EQ(std::string(error.what()).rfind("ctx.safetensors: ", 0), 0u) << error.what();
  }
}

}  // namespace
}  // namespace fpt::io
