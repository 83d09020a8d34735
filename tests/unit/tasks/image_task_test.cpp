// ImageTask built from in-memory splits (shapes of the three tasks, batches drawn without
// replacement, the test split in order and unaugmented) and from release files found under
// FPT_DATA_DIR (locations, partial and missing data sets, spec keys).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "fpt/tasks/image_augment.h"
#include "fpt/tasks/image_task.h"
#include "image_test_files.h"

namespace {

namespace fs = std::filesystem;
using namespace fpt::tasks;
using fpt_test::error_of;

// `count` images of side x side x channels; image n has pixel (0, 0, 0) = n, labels n % 10.
ExampleArrays numbered_split(int64_t count, int64_t side, int64_t channels) {
  ExampleArrays split;
  split.values =
      torch::randint(0, 256, {count, side, side, channels}, torch::kLong).to(torch::kUInt8);
  split.values.select(1, 0).select(1, 0).select(1, 0).copy_(torch::arange(count) % 256);
  split.labels = torch::arange(count, torch::kLong) % 10;
  return split;
}

ImageTaskOptions options_for(ImageKind kind, int64_t pad_to = 0, bool augment = true) {
  ImageTaskOptions options;
  options.kind    = kind;
  options.pad_to  = pad_to;
  options.augment = augment;
  return options;
}

TEST(ImageTask, ShapesOfTheThreeTasks) {
  ImageTask mnist(options_for(ImageKind::mnist), numbered_split(4, 28, 1),
                  numbered_split(2, 28, 1));
  EXPECT_EQ(mnist.name(), "mnist");
  EXPECT_EQ(mnist.shape().sequence_length, 49);
  EXPECT_EQ(mnist.shape().input_dim, 16);
  EXPECT_EQ(mnist.shape().input_kind, InputKind::continuous);
  EXPECT_EQ(mnist.shape().output_tokens, 1);
  EXPECT_EQ(mnist.shape().output_dim, 10);
  EXPECT_EQ(mnist.shape().num_classes, 10);
  ImageTask padded(options_for(ImageKind::mnist, 32), numbered_split(4, 28, 1),
                   numbered_split(2, 28, 1));
  EXPECT_EQ(padded.shape().sequence_length, 64);
  EXPECT_EQ(padded.shape().input_dim, 16);
  ImageTask cifar(options_for(ImageKind::cifar10), numbered_split(4, 32, 3),
                  numbered_split(2, 32, 3));
  EXPECT_EQ(cifar.name(), "cifar10");
  EXPECT_EQ(cifar.shape().sequence_length, 64);
  EXPECT_EQ(cifar.shape().input_dim, 48);
  ImageTask gray(options_for(ImageKind::cifar10_gray), numbered_split(4, 32, 3),
                 numbered_split(2, 32, 3));
  EXPECT_EQ(gray.name(), "cifar10-gray");
  EXPECT_EQ(gray.shape().sequence_length, 1024);
  EXPECT_EQ(gray.shape().input_dim, 1);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(1);
  auto batch     = gray.train_batch(3, generator);
  EXPECT_EQ(batch.inputs.sizes(), (std::vector<int64_t>{3, 1024, 1}));
  EXPECT_EQ(batch.targets.sizes(), (std::vector<int64_t>{3, 1}));
}

TEST(ImageTask, TrainBatchesCoverAnEpochWithoutReplacementAndAreSeeded) {
  ImageTask                  task(options_for(ImageKind::mnist), numbered_split(20, 28, 1),
                                  numbered_split(5, 28, 1));
  auto                       generator = at::make_generator<at::CPUGeneratorImpl>(11);
  std::set<int>              seen;
  std::vector<torch::Tensor> inputs;
  for (int b = 0; b < 4; ++b) {
    Batch batch = task.train_batch(5, generator);
    inputs.push_back(batch.inputs);
    for (int i = 0; i < 5; ++i) {
      const int n = static_cast<int>(std::lround(batch.inputs[i][0][0].item<float>() * 255));
      seen.insert(n);
      EXPECT_EQ(batch.targets[i][0].item<int64_t>(), n % 10);
    }
  }
  EXPECT_EQ(seen.size(), 20u);  // one epoch: every image exactly once
  ImageTask again(options_for(ImageKind::mnist), task.train_split(), task.test_split());
  auto      same = at::make_generator<at::CPUGeneratorImpl>(11);
  for (int b = 0; b < 4; ++b)
    EXPECT_TRUE(torch::equal(again.train_batch(5, same).inputs, inputs[b]));
  EXPECT_NE(error_of([&] { task.train_batch(21, generator); }).find("batch size 21"),
            std::string::npos);
}

TEST(ImageTask, TestSplitInOrderWithoutAugmentation) {
  const ExampleArrays test = numbered_split(6, 32, 3);
  ImageTask           task(options_for(ImageKind::cifar10), numbered_split(8, 32, 3), test);
  EXPECT_EQ(task.eval_split_name(), "test");
  EXPECT_EQ(task.eval_split_size(), 6);
  Batch part = task.eval_split_batch(2, 5);
  EXPECT_TRUE(
      torch::equal(part.inputs, image_tokens(test.values.slice(0, 2, 5), ImageKind::cifar10)));
  EXPECT_TRUE(torch::equal(part.targets.squeeze(1), test.labels.slice(0, 2, 5)));
  EXPECT_NE(error_of([&] { task.eval_split_batch(4, 7); }).find("[4, 7)"), std::string::npos);
  // the running estimate's batches are test images, unaugmented
  auto  generator = at::make_generator<at::CPUGeneratorImpl>(5);
  Batch running   = task.eval_batch(6, generator);
  auto  all       = image_tokens(test.values, ImageKind::cifar10);
  for (int i = 0; i < 6; ++i) {
    const int64_t n =
        std::lround(running.inputs[i][0][0].item<float>() * 0.2023f * 255 + 0.4914f * 255);
    EXPECT_TRUE(torch::equal(running.inputs[i], all[n])) << i;
  }
}

TEST(ImageTask, AugmentOptionChangesOnlyTrainingBatches) {
  const ExampleArrays train = numbered_split(8, 32, 3);
  ImageTask plain(options_for(ImageKind::cifar10, 0, false), train, numbered_split(2, 32, 3));
  ImageTask augmented(options_for(ImageKind::cifar10, 0, true), train, numbered_split(2, 32, 3));
  auto      a       = at::make_generator<at::CPUGeneratorImpl>(9),
       b            = at::make_generator<at::CPUGeneratorImpl>(9);
  auto  c           = at::make_generator<at::CPUGeneratorImpl>(9);
  Batch unaugmented = plain.train_batch(8, a);
  Batch with_aug    = augmented.train_batch(8, b);
  EXPECT_TRUE(torch::equal(unaugmented.targets, with_aug.targets));  // same order of examples
  EXPECT_FALSE(torch::equal(unaugmented.inputs, with_aug.inputs));
  // with augmentation the batch is exactly the tokens of the augmented images
  const auto indices = torch::randperm(8, c, torch::kLong);
  const auto images  = augment_images(train.values.index_select(0, indices), c);
  EXPECT_TRUE(torch::equal(with_aug.inputs, image_tokens(images, ImageKind::cifar10)));
}

TEST(ImageTask, BadSplitsAreErrors) {
  ExampleArrays empty;
  EXPECT_NE(error_of([&] {
              ImageTask(options_for(ImageKind::mnist), empty, numbered_split(2, 28, 1));
            }).find("train split"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              ImageTask(options_for(ImageKind::cifar10), numbered_split(2, 28, 1),
                        numbered_split(2, 28, 1));
            }).find("1 channels, expected 3"),
            std::string::npos);
  ExampleArrays bad_labels = numbered_split(2, 28, 1);
  bad_labels.labels[1]     = 10;
  EXPECT_NE(error_of([&] {
              ImageTask(options_for(ImageKind::mnist), bad_labels, numbered_split(2, 28, 1));
            }).find("outside 0..9"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              ImageTask(options_for(ImageKind::mnist), numbered_split(2, 28, 1),
                        numbered_split(2, 27, 1));
            }).find("differ in size"),
            std::string::npos);
}

// --- from files under FPT_DATA_DIR --------------------------------------------------------------

class ImageRelease : public ::testing::Test {
 protected:
  void SetUp() override { root_ = fpt_test::fresh_directory("fpt_image_release_test"); }
  void TearDown() override { fs::remove_all(root_); }

  // Gzipped IDX files of a tiny 28x28 data set (train 4, t10k 3 images) in `directory`.
  void write_mnist(const fs::path& directory, bool with_test = true) {
    fs::create_directories(directory);
    for (const auto& [split, count] : {std::pair<std::string, uint32_t>{"train", 4}, {"t10k", 3}}) {
      if (split == "t10k" && !with_test) continue;
      std::vector<uint8_t> pixels(count * 28 * 28), labels(count);
      for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7);
      for (uint32_t i = 0; i < count; ++i) labels[i] = static_cast<uint8_t>(i + 1);
      fpt_test::write_file(directory / (split + "-images-idx3-ubyte.gz"),
                           fpt_test::gzip(fpt_test::idx_images(count, 28, 28, pixels)));
      fpt_test::write_file(directory / (split + "-labels-idx1-ubyte.gz"),
                           fpt_test::gzip(fpt_test::idx_labels(labels)));
    }
  }
  void write_cifar10(const fs::path& directory) {
    fs::create_directories(directory);
    std::string record(3073, '\0');
    record[0] = 3;
    for (int i = 1; i <= 5; ++i)
      fpt_test::write_file(directory / ("data_batch_" + std::to_string(i) + ".bin"), record);
    fpt_test::write_file(directory / "test_batch.bin", record + record);
  }

  fs::path root_;
};

TEST_F(ImageRelease, MnistFromTheDataDirectoryThroughTheSpec) {
  write_mnist(root_ / "mnist");
  fpt_test::ScopedEnvironment data("FPT_DATA_DIR", root_.string());
  fpt::core::ExperimentSpec   spec;
  spec.task         = "mnist";
  spec.mnist_pad_to = 32;
  auto task         = make_task(spec);
  EXPECT_EQ(task->name(), "mnist");
  EXPECT_EQ(task->shape().sequence_length, 64);
  EXPECT_EQ(task->eval_split_size(), 3);
  EXPECT_EQ(task->eval_split_batch(0, 3).targets[2][0].item<int64_t>(), 3);
}

TEST_F(ImageRelease, SpecKeysAreChecked) {
  fpt::core::ExperimentSpec spec;
  spec.task         = "mnist";
  spec.mnist_pad_to = 30;
  EXPECT_NE(error_of([&] { image_options_from_spec(spec); }).find("mnist_pad_to 30"),
            std::string::npos);
  spec.mnist_pad_to  = 28;
  spec.mnist_dataset = "kmnist";
  EXPECT_NE(error_of([&] { image_options_from_spec(spec); }).find("mnist_dataset 'kmnist'"),
            std::string::npos);
  spec.task = "cifar10-gray";  // the mnist keys do not concern the CIFAR tasks
  EXPECT_EQ(image_options_from_spec(spec).kind, ImageKind::cifar10_gray);
  EXPECT_EQ(image_options_from_spec(spec).dataset, "cifar10");
}

TEST_F(ImageRelease, MissingDataSetListsPlacesAndHowToGetIt) {
  fpt_test::ScopedEnvironment data("FPT_DATA_DIR", root_.string());
  auto                        mnist = error_of([] { locate_mnist_files("mnist"); });
  EXPECT_NE(mnist.find("the mnist data set was not found"), std::string::npos) << mnist;
  EXPECT_NE(mnist.find((root_ / "mnist").string()), std::string::npos) << mnist;
  EXPECT_NE(mnist.find("fpt_fetch mnist"), std::string::npos) << mnist;
  auto cifar = error_of([] { locate_cifar10_files(); });
  EXPECT_NE(cifar.find((root_ / "cifar10" / "cifar-10-batches-bin").string()), std::string::npos)
      << cifar;
  EXPECT_NE(cifar.find("fpt_fetch cifar10"), std::string::npos) << cifar;
}

TEST_F(ImageRelease, PartialDataSetIsAnErrorNotAFallBack) {
  write_mnist(root_ / "fashion-mnist", /*with_test=*/false);
  fpt_test::ScopedEnvironment data("FPT_DATA_DIR", root_.string());
  auto                        error = error_of([] { locate_mnist_files("fashion-mnist"); });
  EXPECT_NE(error.find("incomplete"), std::string::npos) << error;
  EXPECT_NE(error.find("t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]"),
            std::string::npos)
      << error;
}

TEST_F(ImageRelease, FashionMnistInTheDataDirectoryComesFirst) {
  write_mnist(root_ / "fashion-mnist");
  fpt_test::ScopedEnvironment data("FPT_DATA_DIR", root_.string());
  const auto                  release = read_mnist_release("fashion-mnist");
  EXPECT_EQ(release.directory, root_ / "fashion-mnist");
  EXPECT_EQ(release.train.size(), 4);
  EXPECT_EQ(release.test.size(), 3);
}

TEST_F(ImageRelease, Cifar10DirectlyOrInTheReleaseSubdirectory) {
  fpt_test::ScopedEnvironment data("FPT_DATA_DIR", root_.string());
  write_cifar10(root_ / "cifar10" / "cifar-10-batches-bin");
  EXPECT_EQ(locate_cifar10_files(), root_ / "cifar10" / "cifar-10-batches-bin");
  fpt::core::ExperimentSpec spec;
  spec.task = "cifar10";
  auto task = make_task(spec);
  EXPECT_EQ(task->shape().input_dim, 48);
  EXPECT_EQ(task->eval_split_size(), 2);
  write_cifar10(root_ / "cifar10");
  const auto release = read_cifar10_release();
  EXPECT_EQ(release.directory, root_ / "cifar10");
  EXPECT_EQ(release.train.size(), 5);
  EXPECT_EQ(release.train.labels[4].item<int64_t>(), 3);
}

}  // namespace
