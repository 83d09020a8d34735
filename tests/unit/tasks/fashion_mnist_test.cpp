// The IDX reader on the real Fashion-MNIST files of Debian's dataset-fashion-mnist package, which
// scripts/setup.sh installs: without the package these tests fail (they never skip).
#include <gtest/gtest.h>

#include "fpt/tasks/idx_reader.h"
#include "fpt/tasks/image_datasets.h"
#include "image_test_files.h"

namespace {

namespace fs = std::filesystem;
using namespace fpt::tasks;

const fs::path kDebian = kDebianFashionMnistDirectory;

void expect_balanced(const ExampleArrays& split, int64_t count) {
  ASSERT_EQ(split.size(), count);
  ASSERT_EQ(split.values.sizes(), (std::vector<int64_t>{count, 28, 28, 1}));
  const auto histogram = torch::bincount(split.labels, {}, 10);
  for (int label = 0; label < 10; ++label)
    EXPECT_EQ(histogram[label].item<int64_t>(), count / 10) << "label " << label;
  // real images: not blank, and using the whole 0..255 range
  EXPECT_EQ(split.values.max().item<int>(), 255);
  EXPECT_EQ(split.values.min().item<int>(), 0);
  EXPECT_GT(split.values.to(torch::kFloat32).mean().item<float>(), 50.0f);
}

TEST(FashionMnistDebian, TrainIs60000ImagesWith6000PerClass) {
  const auto train = read_idx_split(kDebian / "train-images-idx3-ubyte.gz",
                                    kDebian / "train-labels-idx1-ubyte.gz");
  expect_balanced(train, 60000);
  EXPECT_EQ(train.sources.at("train-images-idx3-ubyte.gz").size(), 64u);
}

TEST(FashionMnistDebian, TestIs10000ImagesWith1000PerClass) {
  expect_balanced(
      read_idx_split(kDebian / "t10k-images-idx3-ubyte.gz", kDebian / "t10k-labels-idx1-ubyte.gz"),
      10000);
}

TEST(FashionMnistDebian, FoundInThePackageWhenTheDataDirectoryHasNone) {
  const fs::path              empty = fpt_test::fresh_directory("fpt_fashion_test");
  fpt_test::ScopedEnvironment data("FPT_DATA_DIR", empty.string());
  EXPECT_EQ(locate_mnist_files("fashion-mnist"), kDebian);
  fs::remove_all(empty);
}

}  // namespace
