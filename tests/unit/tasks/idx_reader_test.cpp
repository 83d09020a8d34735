// The MNIST IDX reader on small files the test writes byte by byte: plain and gzipped files read
// exactly, and every kind of broken file is a clear error naming the file.
#include <gtest/gtest.h>

#include <numeric>

#include "fpt/io/sha256.h"
#include "fpt/tasks/idx_reader.h"
#include "image_test_files.h"

namespace {

namespace fs = std::filesystem;
using fpt::tasks::read_idx_split;
using fpt_test::error_of;
using fpt_test::gzip;
using fpt_test::idx_images;
using fpt_test::idx_labels;

class IdxReader : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fpt_test::fresh_directory("fpt_idx_test");
    pixels_.resize(3 * 2 * 3);
    std::iota(pixels_.begin(), pixels_.end(), uint8_t{200});  // 200..217 (wraps past 255)
  }
  void TearDown() override { fs::remove_all(directory_); }

  fs::path write(const std::string& name, const std::string& bytes) {
    return fpt_test::write_file(directory_ / name, bytes);
  }
  // A good 3-image 2x3 split; `images` / `labels` replace either file's bytes.
  std::string read_error(const std::string& images, const std::string& labels) {
    const fs::path image_file = write("train-images-idx3-ubyte", images);
    const fs::path label_file = write("train-labels-idx1-ubyte", labels);
    return error_of([&] { read_idx_split(image_file, label_file); });
  }
  std::string good_images() const { return idx_images(3, 2, 3, pixels_); }
  std::string good_labels() const { return idx_labels({7, 0, 9}); }

  fs::path             directory_;
  std::vector<uint8_t> pixels_;
};

void expect_split_matches(const fpt::tasks::ExampleArrays& split,
                          const std::vector<uint8_t>&      pixels) {
  ASSERT_EQ(split.values.sizes(), (std::vector<int64_t>{3, 2, 3, 1}));
  ASSERT_EQ(split.values.scalar_type(), torch::kUInt8);
  const auto* values = split.values.data_ptr<uint8_t>();
  for (size_t i = 0; i < pixels.size(); ++i) EXPECT_EQ(values[i], pixels[i]) << i;
  // row-major inside an image: image 1, row 1, col 2 is byte 6 + 3 + 2
  EXPECT_EQ(split.values[1][1][2][0].item<int>(), pixels[11]);
  ASSERT_EQ(split.labels.scalar_type(), torch::kLong);
  EXPECT_EQ(split.labels.sizes(), (std::vector<int64_t>{3}));
  EXPECT_EQ(split.labels[0].item<int64_t>(), 7);
  EXPECT_EQ(split.labels[1].item<int64_t>(), 0);
  EXPECT_EQ(split.labels[2].item<int64_t>(), 9);
  EXPECT_FALSE(split.variable_length());
}

TEST_F(IdxReader, ReadsPlainFilesExactly) {
  const auto images = write("train-images-idx3-ubyte", good_images());
  const auto labels = write("train-labels-idx1-ubyte", good_labels());
  const auto split  = read_idx_split(images, labels);
  expect_split_matches(split, pixels_);
  ASSERT_EQ(split.sources.size(), 2u);
  EXPECT_EQ(split.sources.at("train-images-idx3-ubyte"), fpt::io::sha256_bytes(good_images()));
  EXPECT_EQ(split.sources.at("train-labels-idx1-ubyte"), fpt::io::sha256_bytes(good_labels()));
}

TEST_F(IdxReader, ReadsGzippedFilesExactlyAndHashesThemAsStored) {
  const std::string gz_images = gzip(good_images());
  const auto        images    = write("train-images-idx3-ubyte.gz", gz_images);
  const auto        labels    = write("train-labels-idx1-ubyte.gz", gzip(good_labels()));
  const auto        split     = read_idx_split(images, labels);
  expect_split_matches(split, pixels_);
  EXPECT_EQ(split.sources.at("train-images-idx3-ubyte.gz"), fpt::io::sha256_bytes(gz_images));
}

TEST_F(IdxReader, ReadsConcatenatedGzipMembers) {
  const std::string whole  = good_images();
  const auto        images = write("i.gz", gzip(whole.substr(0, 20)) + gzip(whole.substr(20)));
  const auto        labels = write("l", good_labels());
  expect_split_matches(read_idx_split(images, labels), pixels_);
}

TEST_F(IdxReader, FindsPlainFileFirstThenGzipElseNothing) {
  using fpt::tasks::find_idx_file;
  EXPECT_TRUE(find_idx_file(directory_, "t10k", "labels-idx1").empty());
  const auto gz = write("t10k-labels-idx1-ubyte.gz", gzip(good_labels()));
  EXPECT_EQ(find_idx_file(directory_, "t10k", "labels-idx1"), gz);
  const auto plain = write("t10k-labels-idx1-ubyte", good_labels());
  EXPECT_EQ(find_idx_file(directory_, "t10k", "labels-idx1"), plain);
}

TEST_F(IdxReader, WrongMagicNumberNamesTheFile) {
  auto images = read_error(idx_images(3, 2, 3, pixels_, 0x00000801), good_labels());
  EXPECT_NE(images.find("train-images-idx3-ubyte"), std::string::npos) << images;
  EXPECT_NE(images.find("wrong magic number 0x00000801"), std::string::npos) << images;
  auto labels = read_error(good_images(), idx_labels({7, 0, 9}, 0x00000803));
  EXPECT_NE(labels.find("train-labels-idx1-ubyte"), std::string::npos) << labels;
  EXPECT_NE(labels.find("wrong magic number 0x00000803"), std::string::npos) << labels;
}

TEST_F(IdxReader, TruncatedFilesAreErrors) {
  const std::string images        = good_images();
  auto              short_payload = read_error(images.substr(0, images.size() - 1), good_labels());
  EXPECT_NE(short_payload.find("train-images-idx3-ubyte: truncated"), std::string::npos)
      << short_payload;
  auto short_header = read_error(images.substr(0, 10), good_labels());
  EXPECT_NE(short_header.find("truncated IDX images file"), std::string::npos) << short_header;
  const std::string labels       = good_labels();
  auto              short_labels = read_error(images, labels.substr(0, labels.size() - 1));
  EXPECT_NE(short_labels.find("train-labels-idx1-ubyte: truncated"), std::string::npos)
      << short_labels;
  auto trailing = read_error(images + "xy", good_labels());
  EXPECT_NE(trailing.find("2 unexpected bytes"), std::string::npos) << trailing;
}

TEST_F(IdxReader, LabelOutOfRangeNamesFileAndRecord) {
  auto error = read_error(good_images(), idx_labels({7, 10, 9}));
  EXPECT_NE(error.find("train-labels-idx1-ubyte: label 10 of record 1"), std::string::npos)
      << error;
}

TEST_F(IdxReader, ImageAndLabelCountMismatch) {
  auto error = read_error(good_images(), idx_labels({7, 0}));
  EXPECT_NE(error.find("has 3 images but"), std::string::npos) << error;
  EXPECT_NE(error.find("has 2 labels"), std::string::npos) << error;
}

TEST_F(IdxReader, CorruptAndTruncatedGzipAreErrors) {
  std::string gz      = gzip(good_images());
  std::string corrupt = gz;
  for (size_t i = 12; i < corrupt.size() - 8; ++i)
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  const auto labels = write("train-labels-idx1-ubyte", good_labels());
  const auto bad    = write("train-images-idx3-ubyte.gz", corrupt);
  auto       error  = error_of([&] { read_idx_split(bad, labels); });
  EXPECT_NE(error.find("train-images-idx3-ubyte.gz: corrupt gzip data"), std::string::npos)
      << error;
  const auto cut = write("cut-images-idx3-ubyte.gz", gz.substr(0, gz.size() / 2));
  auto       end = error_of([&] { read_idx_split(cut, labels); });
  EXPECT_NE(end.find("cut-images-idx3-ubyte.gz: the gzip stream ends early"), std::string::npos)
      << end;
  const auto garbage = write("garbage-images-idx3-ubyte.gz", gz + "junk");
  auto       after   = error_of([&] { read_idx_split(garbage, labels); });
  EXPECT_NE(after.find("garbage after the end of the gzip stream"), std::string::npos) << after;
}

TEST_F(IdxReader, EmptySplitAndMissingFileAreErrors) {
  auto empty = read_error(idx_images(0, 2, 3, {}), idx_labels({}));
  EXPECT_NE(empty.find("train-images-idx3-ubyte: the split is empty"), std::string::npos) << empty;
  const auto labels  = write("train-labels-idx1-ubyte", good_labels());
  auto       missing = error_of([&] { read_idx_split(directory_ / "nothing-here", labels); });
  EXPECT_NE(missing.find("nothing-here: no such file"), std::string::npos) << missing;
}

}  // namespace
