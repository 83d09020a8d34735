// Data shards: round trips (fixed-size uint8 images and variable-length int16 tokens over several
// shards, whole and by index), the errors for damaged, outdated, missing and mixed shards, stale
// shards removed on rewrite, and the rank partition (disjoint, complete, balanced, seeded).
#include <gtest/gtest.h>
#include <hdf5.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <numeric>
#include <set>
#include <string>

#include "../error_message.h"
#include "fpt/core/error.h"
#include "fpt/tasks/shard_partition.h"
#include "fpt/tasks/shard_reader.h"
#include "fpt/tasks/shard_writer.h"

namespace {

using fpt::test::error_of;

namespace fs = std::filesystem;
using fpt::tasks::ExampleArrays;

class ShardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::path(::testing::TempDir()) /
                 ("fpt_shard_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  static ExampleArrays images(int64_t n) {
    torch::manual_seed(7);
    ExampleArrays arrays;
    arrays.values  = torch::randint(0, 256, {n, 4, 3, 2}, torch::kByte);
    arrays.labels  = torch::randint(0, 10, {n}, torch::kLong);
    arrays.sources = {{"train-images-idx3-ubyte.gz", "ab12"},
                      {"train-labels-idx1-ubyte.gz", "cd34"}};
    return arrays;
  }

  // n examples of lengths 0..9 (example 3 is empty), ids up to 30000.
  static ExampleArrays tokens(int64_t n) {
    torch::manual_seed(8);
    ExampleArrays arrays;
    auto          lengths = torch::randint(1, 10, {n}, torch::kLong);
    lengths[3]            = 0;
    arrays.offsets        = torch::cat({torch::zeros({1}, torch::kLong), lengths.cumsum(0)});
    arrays.values  = torch::randint(-5, 30000, {arrays.offsets[-1].item<int64_t>()}, torch::kShort);
    arrays.labels  = torch::randint(0, 1195, {n}, torch::kLong);
    arrays.sources = {{"basic_train.tsv", "0123abcd"}};
    return arrays;
  }

  static fpt::tasks::ShardWriteOptions options(const std::string& split, int64_t size) {
    fpt::tasks::ShardWriteOptions options;
    options.dataset    = "testset";
    options.split      = split;
    options.encoding   = "test-encoding-v1";
    options.shard_size = size;
    options.fpt_commit = "abc123";
    return options;
  }

  // Example i of variable-length arrays.
  static torch::Tensor example(const ExampleArrays& arrays, int64_t i) {
    return arrays.values.slice(0, arrays.offsets[i].item<int64_t>(),
                               arrays.offsets[i + 1].item<int64_t>());
  }

  fs::path directory_;
};

TEST_F(ShardTest, FixedSizeImagesRoundTripWholeAndByIndex) {
  const ExampleArrays written = images(23);
  const auto          files   = fpt::tasks::write_shards(directory_, written, options("train", 5));
  ASSERT_EQ(files.size(), 5u);
  EXPECT_EQ(files[0].filename(), "train-00000-of-00005.h5");
  EXPECT_EQ(files[4].filename(), "train-00004-of-00005.h5");

  const auto info = fpt::tasks::open_shard_split(directory_, "train", "test-encoding-v1");
  EXPECT_EQ(info.total, 23);
  EXPECT_EQ(info.dataset, "testset");
  EXPECT_EQ(info.fpt_commit, "abc123");
  EXPECT_FALSE(info.variable_length);
  EXPECT_EQ(info.example_shape, (std::vector<int64_t>{4, 3, 2}));
  EXPECT_EQ(info.sources, written.sources);
  ASSERT_EQ(info.shards.size(), 5u);
  EXPECT_EQ(info.shards[4].begin, 20);
  EXPECT_EQ(info.shards[4].end, 23);

  const ExampleArrays read = fpt::tasks::read_shard_split(info);
  EXPECT_FALSE(read.variable_length());
  EXPECT_TRUE(torch::equal(read.values, written.values));
  EXPECT_TRUE(torch::equal(read.labels, written.labels));

  // any order, repeats, across shards
  const std::vector<int64_t> indices = {22, 0, 5, 5, 13, 4, 19, 20};
  const ExampleArrays        part    = fpt::tasks::read_shard_examples(info, indices);
  const auto                 index   = torch::tensor(indices, torch::kLong);
  EXPECT_TRUE(torch::equal(part.values, written.values.index_select(0, index)));
  EXPECT_TRUE(torch::equal(part.labels, written.labels.index_select(0, index)));
  EXPECT_EQ(fpt::tasks::read_shard_examples(info, {}).size(), 0);
  EXPECT_NE(error_of([&] { fpt::tasks::read_shard_examples(info, {23}); }).find("example 23"),
            std::string::npos);
}

TEST_F(ShardTest, VariableLengthTokensRoundTripWholeAndByIndex) {
  const ExampleArrays written = tokens(17);
  fpt::tasks::write_shards(directory_, written, options("valid", 4));
  const auto info = fpt::tasks::open_shard_split(directory_, "valid");
  EXPECT_TRUE(info.variable_length);
  EXPECT_EQ(info.shards.size(), 5u);

  const ExampleArrays read = fpt::tasks::read_shard_split(info);
  ASSERT_TRUE(read.variable_length());
  EXPECT_TRUE(torch::equal(read.values, written.values));
  EXPECT_TRUE(torch::equal(read.offsets, written.offsets));
  EXPECT_TRUE(torch::equal(read.labels, written.labels));

  const std::vector<int64_t> indices = {16, 3, 0, 7, 8, 9, 3, 12};
  const ExampleArrays        part    = fpt::tasks::read_shard_examples(info, indices);
  ASSERT_EQ(part.size(), 8);
  EXPECT_EQ(part.offsets[0].item<int64_t>(), 0);
  for (size_t k = 0; k < indices.size(); ++k) {
    const auto i = static_cast<int64_t>(k);
    EXPECT_TRUE(torch::equal(example(part, i), example(written, indices[k]))) << "index " << k;
    EXPECT_EQ(part.labels[i].item<int64_t>(), written.labels[indices[k]].item<int64_t>());
  }
  EXPECT_EQ(example(part, 1).numel(), 0);  // the empty example stays empty
}

TEST_F(ShardTest, RewritingWithAnotherShardSizeRemovesTheOldFiles) {
  fpt::tasks::write_shards(directory_, tokens(17), options("train", 4));
  fpt::tasks::write_shards(directory_, tokens(17), options("test", 100));
  fpt::tasks::write_shards(directory_, tokens(17), options("train", 10));
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory_))
    names.insert(entry.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"train-00000-of-00002.h5", "train-00001-of-00002.h5",
                                          "test-00000-of-00001.h5"}));
  EXPECT_EQ(fpt::tasks::open_shard_split(directory_, "train").total, 17);
}

TEST_F(ShardTest, BadInputToTheWriterIsRefused) {
  ExampleArrays empty = images(0);
  EXPECT_NE(error_of([&] {
              fpt::tasks::write_shards(directory_, empty, options("train", 5));
            }).find("empty"),
            std::string::npos);
  ExampleArrays wrong = images(4);
  wrong.labels        = torch::zeros({3}, torch::kLong);
  EXPECT_THROW(fpt::tasks::write_shards(directory_, wrong, options("train", 5)), fpt::Error);
  EXPECT_THROW(fpt::tasks::write_shards(directory_, images(4), options("tr/ain", 5)), fpt::Error);
  EXPECT_THROW(fpt::tasks::write_shards(directory_, images(4), options("train", 0)), fpt::Error);
}

TEST_F(ShardTest, AnotherFormatVersionIsAClearError) {
  const auto files = fpt::tasks::write_shards(directory_, images(12), options("train", 5));
  // rewrite format_version of the second file as a future writer would
  const hid_t file = H5Fopen(files[1].c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t   version = H5Aopen_by_name(file, "/", "format_version", H5P_DEFAULT, H5P_DEFAULT);
  const int64_t future  = 2;
  ASSERT_GE(H5Awrite(version, H5T_NATIVE_INT64, &future), 0);
  H5Aclose(version);
  H5Fclose(file);
  const std::string message = error_of([&] { fpt::tasks::open_shard_split(directory_, "train"); });
  EXPECT_NE(message.find("train-00001-of-00003.h5: written in shard format version 2"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("rerun fpt_prepare"), std::string::npos) << message;
}

TEST_F(ShardTest, AnotherEncodingIsAClearError) {
  fpt::tasks::write_shards(directory_, images(3), options("train", 5));
  const std::string message =
      error_of([&] { fpt::tasks::open_shard_split(directory_, "train", "other-v2"); });
  EXPECT_NE(message.find("'test-encoding-v1', this build expects 'other-v2'"), std::string::npos)
      << message;
}

TEST_F(ShardTest, TruncatedShardIsAClearError) {
  const auto files = fpt::tasks::write_shards(directory_, images(12), options("train", 5));
  fs::resize_file(files[2], fs::file_size(files[2]) / 2);
  const std::string message = error_of([&] {
    const auto info = fpt::tasks::open_shard_split(directory_, "train");
    fpt::tasks::read_shard_split(info);
  });
  EXPECT_NE(message.find("train-00002-of-00003.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("fpt_prepare"), std::string::npos) << message;
}

TEST_F(ShardTest, MissingOrMixedShardsAreClearErrors) {
  auto files = fpt::tasks::write_shards(directory_, images(12), options("train", 5));
  fs::remove(files[1]);
  std::string message = error_of([&] { fpt::tasks::open_shard_split(directory_, "train"); });
  EXPECT_NE(message.find("shard train-00001-of-00003.h5 is missing"), std::string::npos) << message;

  // a file of a preparation with another count beside the current ones
  files = fpt::tasks::write_shards(directory_, images(12), options("train", 5));
  fs::copy_file(files[0], directory_ / "train-00000-of-00007.h5");
  message = error_of([&] { fpt::tasks::open_shard_split(directory_, "train"); });
  EXPECT_NE(message.find("from two preparations"), std::string::npos) << message;

  message = error_of([&] { fpt::tasks::open_shard_split(directory_, "test"); });
  EXPECT_NE(message.find("no shards of split 'test'"), std::string::npos) << message;
  EXPECT_FALSE(fpt::tasks::shard_split_exists(directory_, "test"));
  EXPECT_TRUE(fpt::tasks::shard_split_exists(directory_, "train"));
}

TEST(ShardPartition, RanksGetDisjointBalancedPartsCoveringEverything) {
  for (int ranks : {1, 2, 3, 7, 64}) {
    for (int64_t total : {0, 1, 10, 1001}) {
      std::vector<int64_t> all;
      size_t               smallest = SIZE_MAX, largest = 0;
      for (int rank = 0; rank < ranks; ++rank) {
        const auto part = fpt::tasks::partition_for_rank(total, 42, 3, rank, ranks);
        all.insert(all.end(), part.begin(), part.end());
        smallest = std::min(smallest, part.size());
        largest  = std::max(largest, part.size());
      }
      std::sort(all.begin(), all.end());
      std::vector<int64_t> expected(static_cast<size_t>(total));
      std::iota(expected.begin(), expected.end(), int64_t{0});
      EXPECT_EQ(all, expected) << ranks << " ranks, total " << total;  // disjoint and complete
      EXPECT_LE(largest - smallest, 1u) << ranks << " ranks, total " << total;
    }
  }
}

TEST(ShardPartition, SeededAndIndependentOfTheRankCount) {
  const auto first = fpt::tasks::seeded_permutation(1000, 42, 0);
  EXPECT_EQ(first, fpt::tasks::seeded_permutation(1000, 42, 0));
  EXPECT_NE(first, fpt::tasks::seeded_permutation(1000, 42, 1));
  EXPECT_NE(first, fpt::tasks::seeded_permutation(1000, 43, 0));
  std::vector<int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), int64_t{0});
  EXPECT_NE(first, identity);
  // rank r of R holds permutation positions r, r + R, ...
  const auto part = fpt::tasks::partition_for_rank(1000, 42, 0, 2, 3);
  for (size_t k = 0; k < part.size(); ++k) EXPECT_EQ(part[k], first[2 + 3 * k]);
  EXPECT_THROW(fpt::tasks::partition_for_rank(10, 1, 0, 3, 3), fpt::Error);
  EXPECT_THROW(fpt::tasks::partition_for_rank(10, 1, 0, 0, 0), fpt::Error);
}

}  // namespace
