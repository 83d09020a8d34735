// BatchPrefetcher: the batches of the synchronous loop in the same order, the producer's exception
// rethrown after the batches before it, no hang when the consumer stops early, and a whole
// training run with and without prefetching giving bit-identical losses and parameters.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "fpt/core/error.h"
#include "fpt/tasks/bits_task.h"
#include "fpt/train/batch_prefetcher.h"
#include "fpt/train/trainer.h"

namespace {

namespace fs = std::filesystem;

fpt::tasks::Batch numbered_batch(int64_t value) {
  return {torch::full({2, 3}, value, torch::kLong), torch::full({2, 1}, value, torch::kLong)};
}

TEST(BatchPrefetcher, GivesTheSynchronousBatchesInOrder) {
  fpt::core::ExperimentSpec spec;
  spec.task                        = "bit-xor";
  auto                        task = fpt::tasks::make_task(spec);
  auto                        sync = at::make_generator<at::CPUGeneratorImpl>(5);
  auto                        bg   = at::make_generator<at::CPUGeneratorImpl>(5);
  fpt::train::BatchPrefetcher prefetcher([&] { return task->train_batch(4, bg); }, 20, 3);
  for (int i = 0; i < 20; ++i) {
    const auto expected = task->train_batch(4, sync);
    const auto got      = prefetcher.next();
    EXPECT_TRUE(torch::equal(expected.inputs, got.inputs)) << i;
    EXPECT_TRUE(torch::equal(expected.targets, got.targets)) << i;
  }
  EXPECT_THROW(prefetcher.next(), fpt::Error);  // all 20 taken
}

TEST(BatchPrefetcher, RethrowsTheProducersErrorAfterTheBatchesBeforeIt) {
  int64_t                     made = 0;
  fpt::train::BatchPrefetcher prefetcher(
      [&] {
        if (made == 3) throw fpt::Error("data file vanished");
        return numbered_batch(made++);
      },
      10, 2);
  for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(prefetcher.next().inputs[0][0].item<int64_t>(), i);
  try {
    prefetcher.next();
    FAIL() << "no error";
  } catch (const fpt::Error& error) {
    EXPECT_STREQ(error.what(), "data file vanished");
  }
}

TEST(BatchPrefetcher, StopsCleanlyWhenTheConsumerStopsEarly) {
  std::atomic<int64_t> made{0};
  {
    fpt::train::BatchPrefetcher prefetcher([&] { return numbered_batch(made++); }, 1000000, 2);
    EXPECT_EQ(prefetcher.next().inputs[0][0].item<int64_t>(), 0);
  }                           // destroyed with a full queue and a producer waiting: must not hang
  EXPECT_LE(made.load(), 4);  // bounded: 1 taken + capacity 2 + at most one in the making
  {
    fpt::train::BatchPrefetcher idle([&] { return numbered_batch(0); }, 5, 1);
  }  // never consumed
  EXPECT_THROW(fpt::train::BatchPrefetcher([] { return numbered_batch(0); }, 1, 0), fpt::Error);
}

TEST(BatchPrefetcher, TrainingWithAndWithoutPrefetchIsBitIdentical) {
  torch::set_num_threads(1);
  fpt::core::ExperimentSpec spec;
  spec.body         = "gpt2-tiny";
  spec.task         = "bit-xor";
  spec.steps        = 12;
  spec.eval_every   = 4;
  spec.eval_batches = 2;
  spec.batch_size   = 8;
  const fs::path directory =
      fs::path(::testing::TempDir()) / ("fpt_prefetch_test_" + std::to_string(::getpid()));
  fs::create_directories(directory);

  fpt::train::TrainerOptions inline_options, prefetch_options;
  inline_options.prefetch_batches   = 0;
  inline_options.save_body_file     = (directory / "inline.safetensors").string();
  prefetch_options.prefetch_batches = 3;
  prefetch_options.save_body_file   = (directory / "prefetch.safetensors").string();
  const auto a                      = fpt::train::train_experiment(spec, inline_options);
  const auto b                      = fpt::train::train_experiment(spec, prefetch_options);
  ASSERT_EQ(a.status, "completed");
  ASSERT_EQ(b.status, "completed");
  ASSERT_EQ(a.curve.size(), 3u);
  ASSERT_EQ(b.curve.size(), 3u);
  for (size_t i = 0; i < a.curve.size(); ++i) {
    EXPECT_EQ(a.curve[i].train_loss, b.curve[i].train_loss) << i;  // exact, not approximate
    EXPECT_EQ(a.curve[i].eval_loss, b.curve[i].eval_loss) << i;
  }
  // the trained bodies, byte for byte
  auto bytes = [](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::string trained = bytes(directory / "inline.safetensors");
  EXPECT_FALSE(trained.empty());
  EXPECT_EQ(trained, bytes(directory / "prefetch.safetensors"));
  fs::remove_all(directory);
}

}  // namespace
