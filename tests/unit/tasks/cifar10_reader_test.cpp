// The CIFAR-10 binary-release reader on small batch files the test writes: 5 known images read
// back exactly as (N, 32, 32, 3) HWC, batch order kept, and every broken file a clear error.
#include <gtest/gtest.h>

#include "fpt/io/sha256.h"
#include "fpt/tasks/cifar10_reader.h"
#include "image_test_files.h"

namespace {

namespace fs = std::filesystem;
using fpt::tasks::read_cifar10_batches;
using fpt::tasks::read_cifar10_split;
using fpt_test::error_of;

// The known test image `k`: pixel (y, x) of channel c.
uint8_t pixel(int k, int y, int x, int c) {
  return static_cast<uint8_t>((k * 37 + y * 3 + x * 5 + c * 101) % 256);
}
uint8_t label(int k) {
  return static_cast<uint8_t>((k * 3) % 10);
}

// Records of images [first, first + count): label byte, then the R, G and B planes row-major.
std::string records(int first, int count) {
  std::string out;
  for (int k = first; k < first + count; ++k) {
    out.push_back(static_cast<char>(label(k)));
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) out.push_back(static_cast<char>(pixel(k, y, x, c)));
  }
  return out;
}

class Cifar10Reader : public ::testing::Test {
 protected:
  void     SetUp() override { directory_ = fpt_test::fresh_directory("fpt_cifar10_test"); }
  void     TearDown() override { fs::remove_all(directory_); }
  fs::path write(const std::string& name, const std::string& bytes) {
    return fpt_test::write_file(directory_ / name, bytes);
  }
  fs::path directory_;
};

TEST_F(Cifar10Reader, ReadsFiveKnownImagesAcrossTwoFilesExactly) {
  const std::string first = records(0, 3);
  const auto        a     = write("data_batch_1.bin", first);
  const auto        b     = write("data_batch_2.bin", records(3, 2));
  const auto        split = read_cifar10_batches({a, b});
  ASSERT_EQ(split.values.sizes(), (std::vector<int64_t>{5, 32, 32, 3}));
  ASSERT_EQ(split.values.scalar_type(), torch::kUInt8);
  ASSERT_TRUE(split.values.is_contiguous());
  const auto* values = split.values.data_ptr<uint8_t>();
  int64_t     wrong  = 0;
  for (int k = 0; k < 5; ++k)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x)
        for (int c = 0; c < 3; ++c)
          wrong += values[((k * 32 + y) * 32 + x) * 3 + c] != pixel(k, y, x, c);
  EXPECT_EQ(wrong, 0);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(split.labels[k].item<int64_t>(), label(k)) << k;
  ASSERT_EQ(split.sources.size(), 2u);
  EXPECT_EQ(split.sources.at("data_batch_1.bin"), fpt::io::sha256_bytes(first));
}

TEST_F(Cifar10Reader, ReadsSplitsFromReleaseNamesInOrder) {
  for (int i = 1; i <= 5; ++i) write("data_batch_" + std::to_string(i) + ".bin", records(i, 1));
  write("test_batch.bin", records(0, 1));
  const auto train = read_cifar10_split(directory_, "train");
  ASSERT_EQ(train.size(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(train.labels[i].item<int64_t>(), label(i + 1));
  EXPECT_EQ(train.values[4][31][31][2].item<int>(), pixel(5, 31, 31, 2));
  const auto test = read_cifar10_split(directory_, "test");
  ASSERT_EQ(test.size(), 1);
  EXPECT_EQ(test.values[0][1][2][0].item<int>(), pixel(0, 1, 2, 0));
}

TEST_F(Cifar10Reader, MissingBatchFilesAreListed) {
  write("data_batch_1.bin", records(0, 1));
  write("data_batch_3.bin", records(0, 1));
  auto error = error_of([&] { read_cifar10_split(directory_, "train"); });
  EXPECT_NE(error.find("data_batch_2.bin, data_batch_4.bin, data_batch_5.bin"), std::string::npos)
      << error;
  EXPECT_NE(error.find(directory_.string()), std::string::npos) << error;
}

TEST_F(Cifar10Reader, SizeNotMultipleOfRecordIsAnError) {
  const std::string bytes = records(0, 2);
  const auto        cut   = write("data_batch_1.bin", bytes.substr(0, bytes.size() - 100));
  auto              error = error_of([&] { read_cifar10_batches({cut}); });
  EXPECT_NE(error.find("data_batch_1.bin: size 6046 bytes is not a multiple of the 3073-byte"),
            std::string::npos)
      << error;
}

TEST_F(Cifar10Reader, LabelAboveNineNamesFileAndRecord) {
  std::string bytes = records(0, 3);
  bytes[2 * 3073]   = 10;  // the label byte of record 2
  const auto file   = write("test_batch.bin", bytes);
  auto       error  = error_of([&] { read_cifar10_batches({file}); });
  EXPECT_NE(error.find("test_batch.bin: record 2 has label 10"), std::string::npos) << error;
}

TEST_F(Cifar10Reader, EmptyFileAndEmptyListAreErrors) {
  const auto empty = write("test_batch.bin", "");
  auto       error = error_of([&] { read_cifar10_batches({empty}); });
  EXPECT_NE(error.find("test_batch.bin: the CIFAR-10 batch file is empty"), std::string::npos)
      << error;
  EXPECT_NE(error_of([] { read_cifar10_batches({}); }).find("no batch files"), std::string::npos);
  EXPECT_NE(error_of([&] { read_cifar10_batches({directory_ / "absent.bin"}); }).find("absent.bin"),
            std::string::npos);
}

}  // namespace
