// Learning test on real data: a tiny frozen random GPT-2 (only input layer, positions, LayerNorms
// and head train) learns Fashion-MNIST from the Debian package's files far beyond chance (10 %).
// Asserted on the final full pass over the 10,000 test images, never on time.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "fpt/train/trainer.h"

namespace {

namespace fs = std::filesystem;

TEST(Learning, FrozenRandomTinyGpt2LearnsFashionMnist) {
  torch::set_num_threads(1);
  // An empty data root: the reader must find the files of the dataset-fashion-mnist package.
  const fs::path empty =
      fs::path(::testing::TempDir()) / ("fpt_fashion_learning_" + std::to_string(::getpid()));
  fs::create_directories(empty);
  ::setenv("FPT_DATA_DIR", empty.string().c_str(), 1);

  fpt::core::ExperimentSpec spec;
  spec.body          = "gpt2-tiny";
  spec.init          = "random";
  spec.trains        = "fpt";
  spec.task          = "mnist";
  spec.mnist_dataset = "fashion-mnist";
  spec.steps         = 300;
  spec.lr            = 3e-3;  // as the Bit XOR learning test: a few hundred steps suffice
  spec.batch_size    = 32;
  spec.eval_every    = 100;
  spec.eval_batches  = 10;
  auto result        = fpt::train::train_experiment(spec, {});
  ::unsetenv("FPT_DATA_DIR");
  fs::remove_all(empty);

  ASSERT_EQ(result.status, "completed") << result.error;
  for (const auto& point : result.curve)
    std::printf("step %lld: train loss %.4f acc %.4f, running test estimate %.4f\n",
                static_cast<long long>(point.step), point.train_loss, point.train_accuracy,
                point.eval_accuracy);
  std::printf("full test split: %lld images, accuracy %.4f (%.1f s in all)\n",
              static_cast<long long>(result.full_eval_examples), result.full_eval_accuracy,
              result.wall_seconds);
  EXPECT_EQ(result.full_eval_split, "test");
  EXPECT_EQ(result.full_eval_examples, 10000);
  EXPECT_GE(result.full_eval_accuracy, 0.5);  // chance is 0.1
  for (const auto& group : result.parameters)
    if (group.group == "attn" || group.group == "ff") EXPECT_EQ(group.effective, 0) << group.group;
}

}  // namespace
