// The image tasks and remote homology from prepared shards and from raw release files give the
// same task: identical train batches (same seed, augmentation included), eval batches and
// full-evaluation splits. Shards are really read (rewritten with other labels, the task sees
// them), used only when made from the very raw files found (SHA-256, file names), used alone when
// there are no raw files, and damaged, outdated or incomplete shards are errors saying to rerun
// fpt_prepare (shards_or_raw.h).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/tasks/homology_task.h"
#include "fpt/tasks/image_task.h"
#include "fpt/tasks/prepare_datasets.h"
#include "fpt/tasks/shard_reader.h"
#include "fpt/tasks/shard_writer.h"
#include "fpt/tasks/tape_reader.h"
#include "image_test_files.h"

namespace fpt::tasks {
namespace {

namespace fs = std::filesystem;
using fpt_test::error_of;

const fs::path kTapeFixture = fs::path(FPT_SOURCE_DIR) / "tests" / "data" / "tape";

void prepare(const std::string& dataset, const fs::path& raw, const fs::path& out,
             int64_t shard_size) {
  PrepareOptions options;
  options.raw        = raw;
  options.out        = out;
  options.shard_size = shard_size;  // several shards per split
  prepare_shards(find_sharded_dataset(dataset), options, [](const std::string&) {});
}

// Rewrites split `split` of the shards in `directory` with every label shifted by one (mod
// `classes`), keeping the recorded sources, and returns the new labels.
torch::Tensor shift_labels(const fs::path& directory, const std::string& split, int64_t classes,
                           int64_t shard_size) {
  const ShardSplitInfo info   = open_shard_split(directory, split);
  ExampleArrays        arrays = read_shard_split(info);
  arrays.labels               = (arrays.labels + 1).remainder(classes);
  ShardWriteOptions write;
  write.dataset    = info.dataset;
  write.split      = split;
  write.encoding   = info.encoding;
  write.shard_size = shard_size;
  write_shards(directory, arrays, write);
  return arrays.labels;
}

// What `load` returns; `log` gets what it wrote on stderr (also when it throws).
template <typename Load>
auto logged(const Load& load, std::string& log) {
  testing::internal::CaptureStderr();
  try {
    auto result = load();
    log         = testing::internal::GetCapturedStderr();
    return result;
  } catch (...) {
    log = testing::internal::GetCapturedStderr();
    throw;
  }
}

void expect_same_batch(const Batch& a, const Batch& b) {
  EXPECT_TRUE(torch::equal(a.inputs, b.inputs));
  EXPECT_TRUE(torch::equal(a.targets, b.targets));
}

// Same shape, the same train and eval batches for the same seed, the same full-evaluation splits.
void expect_same_task(Task& a, Task& b, int64_t batch_size, int batches) {
  EXPECT_EQ(a.shape().sequence_length, b.shape().sequence_length);
  EXPECT_EQ(a.shape().input_dim, b.shape().input_dim);
  auto ga = at::make_generator<at::CPUGeneratorImpl>(7);
  auto gb = at::make_generator<at::CPUGeneratorImpl>(7);
  for (int i = 0; i < batches; ++i) {  // several epochs of the small splits
    expect_same_batch(a.train_batch(batch_size, ga), b.train_batch(batch_size, gb));
    expect_same_batch(a.eval_batch(batch_size, ga), b.eval_batch(batch_size, gb));
  }
  const auto splits = a.eval_splits();
  ASSERT_EQ(splits.size(), b.eval_splits().size());
  for (size_t s = 0; s < splits.size(); ++s) {
    EXPECT_EQ(splits[s].name, b.eval_splits()[s].name);
    EXPECT_EQ(splits[s].size, b.eval_splits()[s].size);
    EXPECT_EQ(splits[s].excluded, b.eval_splits()[s].excluded);
    const auto index = static_cast<int64_t>(s);
    expect_same_batch(a.eval_split_examples(index, 0, splits[s].size),
                      b.eval_split_examples(index, 0, splits[s].size));
  }
}

// --- image tasks ---------------------------------------------------------------------------------

class ImageShards : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fpt_test::fresh_directory("fpt_image_shards_test");
    data_.emplace("FPT_DATA_DIR", (root_ / "data").string());
    shards_root_.emplace("FPT_SHARDS_DIR", (root_ / "shards").string());
  }
  void TearDown() override {
    data_.reset();
    shards_root_.reset();
    fs::remove_all(root_);
  }

  // `dataset` (mnist | fashion-mnist) in IDX format: train 40 (gzipped unless !zip_train), t10k 12
  // (plain) random 28x28 images, labels (i + label_offset) % 10.
  fs::path write_idx(const std::string& dataset, uint8_t label_offset = 0, bool zip_train = true) {
    const fs::path directory = root_ / "data" / dataset;
    fs::create_directories(directory);
    std::mt19937 random(5);
    for (const auto& [split, count] :
         {std::pair<std::string, uint32_t>{"train", 40}, {"t10k", 12}}) {
      std::vector<uint8_t> pixels(count * 28 * 28), labels(count);
      for (uint8_t& pixel : pixels) pixel = static_cast<uint8_t>(random());
      for (uint32_t i = 0; i < count; ++i)
        labels[i] = static_cast<uint8_t>((i + label_offset) % 10);
      const std::string images = fpt_test::idx_images(count, 28, 28, pixels);
      const std::string tags   = fpt_test::idx_labels(labels);
      const bool        zipped = split == "train" && zip_train;
      fpt_test::write_file(directory / (split + "-images-idx3-ubyte" + (zipped ? ".gz" : "")),
                           zipped ? fpt_test::gzip(images) : images);
      fpt_test::write_file(directory / (split + "-labels-idx1-ubyte" + (zipped ? ".gz" : "")),
                           zipped ? fpt_test::gzip(tags) : tags);
    }
    return directory;
  }

  // CIFAR-10 binary batches: 6 random records per training batch, 10 in test_batch.bin.
  fs::path write_cifar10() {
    const fs::path directory = root_ / "data" / "cifar10";
    fs::create_directories(directory);
    std::mt19937 random(9);
    auto         records = [&](int count) {
      std::string bytes;
      for (int r = 0; r < count; ++r) {
        bytes.push_back(static_cast<char>(random() % 10));
        for (int i = 0; i < 3072; ++i) bytes.push_back(static_cast<char>(random()));
      }
      return bytes;
    };
    for (int i = 1; i <= 5; ++i)
      fpt_test::write_file(directory / ("data_batch_" + std::to_string(i) + ".bin"), records(6));
    fpt_test::write_file(directory / "test_batch.bin", records(10));
    return directory;
  }

  static ImageTaskOptions options(ImageKind kind, const std::string& dataset) {
    ImageTaskOptions options;
    options.kind    = kind;
    options.dataset = dataset;
    options.pad_to  = kind == ImageKind::mnist ? 32 : 0;
    options.augment = true;
    return options;
  }

  static std::unique_ptr<ImageTask> load(const ImageTaskOptions& options, std::string& log) {
    return logged([&] { return load_image_task(options); }, log);
  }

  fs::path                                   root_;
  std::optional<fpt_test::ScopedEnvironment> data_, shards_root_;
};

TEST_F(ImageShards, FashionMnistShardsGiveTheRawFilesBatches) {
  const fs::path raw  = write_idx("fashion-mnist");
  const auto     opts = options(ImageKind::mnist, "fashion-mnist");
  std::string    log;
  auto           from_raw = load(opts, log);
  EXPECT_NE(log.find("reading the IDX files"), std::string::npos) << log;
  prepare("fashion-mnist", "", "", 16);  // default places: FPT_DATA_DIR, FPT_SHARDS_DIR
  EXPECT_EQ(open_shard_split(root_ / "shards" / "fashion-mnist", "train").shards.size(), 3u);
  auto from_shards = load(opts, log);
  EXPECT_NE(log.find("reading the shards in " + (root_ / "shards" / "fashion-mnist").string()),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("IDX"), std::string::npos) << log;
  expect_same_task(*from_raw, *from_shards, 8, 8);
  EXPECT_TRUE(torch::equal(from_raw->train_split().values, from_shards->train_split().values));

  // The shards are what is read: other labels in them show up in the task.
  const torch::Tensor shifted = shift_labels(root_ / "shards" / "fashion-mnist", "train", 10, 16);
  EXPECT_TRUE(torch::equal(load(opts, log)->train_split().labels, shifted));
  EXPECT_FALSE(torch::equal(from_raw->train_split().labels, shifted));
}

TEST_F(ImageShards, CifarShardsServeBothCifarTasksWithAugmentation) {
  write_cifar10();
  std::string log;
  auto        raw_color = load(options(ImageKind::cifar10, "cifar10"), log);
  auto        raw_gray  = load(options(ImageKind::cifar10_gray, "cifar10"), log);
  prepare("cifar10", "", "", 7);
  auto color = load(options(ImageKind::cifar10, "cifar10"), log);
  EXPECT_NE(log.find("reading the shards"), std::string::npos) << log;
  auto gray = load(options(ImageKind::cifar10_gray, "cifar10"), log);
  EXPECT_NE(log.find("reading the shards in " + (root_ / "shards" / "cifar10").string()),
            std::string::npos)
      << log;
  expect_same_task(*raw_color, *color, 8, 5);  // augmented train batches: the same draws
  expect_same_task(*raw_gray, *gray, 8, 5);
}

TEST_F(ImageShards, ShardsOfOtherFilesAreNotUsed) {
  write_idx("fashion-mnist");
  prepare("fashion-mnist", "", "", 16);
  // The release changes (other labels): the shards no longer match and the raw files are read.
  write_idx("fashion-mnist", /*label_offset=*/3);
  std::string log;
  auto        task = load(options(ImageKind::mnist, "fashion-mnist"), log);
  EXPECT_NE(log.find("not using the shards"), std::string::npos) << log;
  EXPECT_NE(log.find("labels-idx1-ubyte"), std::string::npos) << log;
  EXPECT_NE(log.find("rerun fpt_prepare fashion-mnist --raw"), std::string::npos) << log;
  EXPECT_EQ(task->train_split().labels[0].item<int64_t>(), 3);  // the new files' labels

  // The same bytes uncompressed where the shards were made from gzipped files: other sources.
  write_idx("fashion-mnist");
  auto gzipped = load(options(ImageKind::mnist, "fashion-mnist"), log);
  prepare("fashion-mnist", "", "", 16);
  const fs::path directory = root_ / "data" / "fashion-mnist";
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"})
    fs::remove(directory / name);
  write_idx("fashion-mnist", 0, /*zip_train=*/false);
  auto plain = load(options(ImageKind::mnist, "fashion-mnist"), log);
  EXPECT_NE(log.find("not using the shards"), std::string::npos) << log;
  EXPECT_NE(log.find("they record no train-images-idx3-ubyte "), std::string::npos) << log;
  expect_same_task(*gzipped, *plain, 8, 2);
}

TEST_F(ImageShards, ShardsAloneServeANodeWithoutRawFiles) {
  const fs::path raw = write_idx("mnist");
  std::string    log;
  auto           from_raw = load(options(ImageKind::mnist, "mnist"), log);
  prepare("mnist", "", "", 16);
  fs::remove_all(raw);
  auto from_shards = load(options(ImageKind::mnist, "mnist"), log);
  EXPECT_NE(log.find("no raw files found"), std::string::npos) << log;
  EXPECT_NE(log.find("train-images-idx3-ubyte.gz"), std::string::npos) << log;
  expect_same_task(*from_raw, *from_shards, 8, 3);

  fs::remove_all(root_ / "shards");
  const std::string error = error_of([&] { load(options(ImageKind::mnist, "mnist"), log); });
  EXPECT_NE(error.find("data set was not found"), std::string::npos) << error;
  EXPECT_NE(error.find("No prepared shards either"), std::string::npos) << error;
}

// The pixel encoding cannot tell Fashion-MNIST from MNIST: the shards' data set attribute does.
TEST_F(ImageShards, ShardsOfAnotherDataSetInItsDirectoryAreRefused) {
  const fs::path raw = write_idx("fashion-mnist");
  prepare("fashion-mnist", "", root_ / "shards" / "mnist", 16);  // into mnist's shard directory
  fs::remove_all(raw);
  std::string       log;
  const std::string error = error_of([&] { load(options(ImageKind::mnist, "mnist"), log); });
  EXPECT_NE(error.find("hold data set 'fashion-mnist', not 'mnist'"), std::string::npos) << error;
}

TEST_F(ImageShards, MnistWithoutRawFilesOrShardsSaysWhereItLooked) {
  std::string       log;
  const std::string error = error_of([&] { load(options(ImageKind::mnist, "mnist"), log); });
  EXPECT_NE(error.find("the mnist data set was not found"), std::string::npos) << error;
  EXPECT_NE(error.find("fpt_fetch mnist"), std::string::npos) << error;
  EXPECT_NE(error.find((root_ / "shards" / "mnist").string()), std::string::npos) << error;
}

TEST_F(ImageShards, DamagedOrOutdatedShardsAreErrors) {
  write_cifar10();
  prepare("cifar10", "", "", 7);
  const fs::path directory = root_ / "shards" / "cifar10";
  std::string    log;
  // a truncated shard file
  const fs::path second = directory / shard_file_name("train", 1, 5);
  fs::resize_file(second, fs::file_size(second) / 2);
  std::string error = error_of([&] { load(options(ImageKind::cifar10, "cifar10"), log); });
  EXPECT_NE(error.find(second.filename().string()), std::string::npos) << error;
  EXPECT_NE(error.find("rerun fpt_prepare"), std::string::npos) << error;

  // another encoding (shards of an older build)
  prepare("cifar10", "", "", 7);
  ExampleArrays     arrays = read_shard_split(open_shard_split(directory, "test"));
  ShardWriteOptions write;
  write.dataset  = "cifar10";
  write.split    = "test";
  write.encoding = "uint8-hwc-pixels-v0";
  write_shards(directory, arrays, write);
  error = error_of([&] { load(options(ImageKind::cifar10_gray, "cifar10"), log); });
  EXPECT_NE(error.find("test-00000-of-00001.h5"), std::string::npos) << error;
  EXPECT_NE(error.find("rerun fpt_prepare"), std::string::npos) << error;

  // a split missing beside the other
  for (const auto& entry : fs::directory_iterator(directory))
    if (entry.path().filename().string().rfind("test-", 0) == 0) fs::remove(entry.path());
  error = error_of([&] { load(options(ImageKind::cifar10, "cifar10"), log); });
  EXPECT_NE(error.find("shards of split 'test' are missing"), std::string::npos) << error;
  EXPECT_NE(error.find("rerun fpt_prepare cifar10"), std::string::npos) << error;
}

// --- remote homology -----------------------------------------------------------------------------

class HomologyShards : public ::testing::Test {
 protected:
  void SetUp() override { root_ = fpt_test::fresh_directory("fpt_homology_shards_test"); }
  void TearDown() override { fs::remove_all(root_); }

  HomologyTaskOptions options(const fs::path& data, int64_t max_tokens) const {
    HomologyTaskOptions options;
    options.data_root       = data;
    options.max_tokens      = max_tokens;
    options.shard_directory = root_ / "shards";
    return options;
  }

  static std::unique_ptr<HomologyTask> load(const HomologyTaskOptions& options, std::string& log) {
    return logged([&] { return HomologyTask::load(options); }, log);
  }

  fs::path root_;
};

TEST_F(HomologyShards, ShardsGiveTheLmdbReleasesBatches) {
  const fs::path lmdb = kTapeFixture / "lmdb";
  std::string    log;
  auto           raw_all    = load(options(lmdb, 0), log);
  auto           raw_filter = load(options(lmdb, 20), log);
  prepare("remote-homology", lmdb, root_ / "shards", 5);
  auto all = load(options(lmdb, 0), log);
  EXPECT_NE(log.find("reading the shards in " + (root_ / "shards").string()), std::string::npos)
      << log;
  auto filter = load(options(lmdb, 20), log);
  expect_same_task(*raw_all, *all, 4, 6);
  expect_same_task(*raw_filter, *filter, 4, 6);
  EXPECT_GT(filter->eval_splits()[0].excluded + filter->eval_splits()[1].excluded, 0);

  // The shards are what is read.
  const torch::Tensor shifted = shift_labels(root_ / "shards", "valid", kHomologyFoldClasses, 5);
  EXPECT_TRUE(
      torch::equal(load(options(lmdb, 0), log)->eval_split_data()[0].arrays.labels, shifted));
}

TEST_F(HomologyShards, ShardsOfAnotherReleaseAreNotUsedAndShardsAloneServe) {
  const fs::path lmdb = kTapeFixture / "lmdb";
  std::string    log;
  auto           from_json = load(options(kTapeFixture / "json", 0), log);
  prepare("remote-homology", lmdb, root_ / "shards", 5);
  // JSON files: not the files the shards were made from
  auto json_again = load(options(kTapeFixture / "json", 0), log);
  EXPECT_NE(log.find("not using the shards"), std::string::npos) << log;
  EXPECT_NE(log.find("remote_homology_train.json"), std::string::npos) << log;
  expect_same_task(*from_json, *json_again, 4, 3);

  // no release at all: the shards
  const fs::path empty = root_ / "empty";
  fs::create_directories(empty);
  auto alone = load(options(empty, 0), log);
  EXPECT_NE(log.find("no raw files found"), std::string::npos) << log;
  EXPECT_NE(log.find("remote_homology_train.lmdb/data.mdb"), std::string::npos) << log;
  auto from_lmdb = load(options(lmdb, 0), log);
  expect_same_task(*from_lmdb, *alone, 4, 3);

  // neither: TAPE's "not there" error, plus where shards were looked for
  fs::remove_all(root_ / "shards");
  const std::string error = error_of([&] { load(options(empty, 0), log); });
  EXPECT_NE(error.find(kHomologyReleaseUrl), std::string::npos) << error;
  EXPECT_NE(error.find("No prepared shards either"), std::string::npos) << error;
}

TEST_F(HomologyShards, OutdatedShardsAreAnError) {
  const fs::path lmdb = kTapeFixture / "lmdb";
  prepare("remote-homology", lmdb, root_ / "shards", 5);
  ExampleArrays arrays =
      read_shard_split(open_shard_split(root_ / "shards", "test_family_holdout"));
  ShardWriteOptions write;
  write.dataset  = kHomologyDataset;
  write.split    = "test_family_holdout";
  write.encoding = "tape-iupac-ids-v0";
  write_shards(root_ / "shards", arrays, write);
  std::string       log;
  const std::string error = error_of([&] { load(options(lmdb, 0), log); });
  EXPECT_NE(error.find("test_family_holdout-00000-of-00001.h5"), std::string::npos) << error;
  EXPECT_NE(error.find("rerun fpt_prepare"), std::string::npos) << error;
}

}  // namespace
}  // namespace fpt::tasks
