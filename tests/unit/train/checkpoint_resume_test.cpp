// Preemption-safe resume (issue 5): an experiment stopped at step k (its trainable state
// checkpointed) and continued in a fresh train_experiment call ends bit-identical to an
// uninterrupted run — curve, final metrics and every parameter — on the CPU, with dropout (the
// global generator is restored), prefetching, periodic evaluation and a real-data-shaped task.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "fpt/core/error.h"
#include "fpt/train/trainable_checkpoint.h"
#include "fpt/train/trainer.h"

namespace {

namespace fs     = std::filesystem;
using Parameters = std::map<std::string, torch::Tensor>;

fpt::core::ExperimentSpec spec_for(const std::string& task) {
  fpt::core::ExperimentSpec spec;
  spec.body         = "gpt2-tiny";
  spec.task         = task;
  spec.steps        = 30;
  spec.eval_every   = 7;  // evaluations before and after the stop: their draws must line up
  spec.eval_batches = 2;
  spec.batch_size   = 8;
  spec.dropout      = 0.1;
  if (task == "listops") {
    spec.listops_max_tokens = 64;
    spec.listops_min_length = 10;
    spec.listops_max_length = 60;
    spec.listops_train_size = 500;
    spec.listops_eval_size  = 64;
  }
  return spec;
}

struct TrainedRun {
  fpt::core::RunResult result;
  Parameters           parameters;
};

TrainedRun run(const fpt::core::ExperimentSpec& spec, const std::string& checkpoint,
               int64_t stop_at, int64_t checkpoint_every = 0) {
  TrainedRun                 outcome;
  fpt::train::TrainerOptions options;
  options.threads          = 1;
  options.checkpoint_file  = checkpoint;
  options.checkpoint_every = checkpoint_every;
  int64_t polls            = 0;
  options.stop_requested   = [&] { return stop_at > 0 && ++polls >= stop_at; };
  options.on_trained       = [&](torch::nn::Module& model) {
    for (const auto& item : model.named_parameters())
      outcome.parameters[item.key()] = item.value().detach().clone();
  };
  outcome.result = fpt::train::train_experiment(spec, options);
  return outcome;
}

void expect_identical(const TrainedRun& resumed, const TrainedRun& straight) {
  ASSERT_EQ(resumed.result.status, "completed") << resumed.result.error;
  ASSERT_EQ(resumed.result.curve.size(), straight.result.curve.size());
  for (size_t index = 0; index < straight.result.curve.size(); ++index) {
    const auto& a = resumed.result.curve[index];
    const auto& b = straight.result.curve[index];
    EXPECT_EQ(a.step, b.step);
    EXPECT_EQ(a.train_loss, b.train_loss) << "step " << b.step;
    EXPECT_EQ(a.train_accuracy, b.train_accuracy) << "step " << b.step;
    EXPECT_EQ(a.eval_loss, b.eval_loss) << "step " << b.step;
    EXPECT_EQ(a.eval_accuracy, b.eval_accuracy) << "step " << b.step;
  }
  EXPECT_EQ(resumed.result.final_eval_accuracy, straight.result.final_eval_accuracy);
  EXPECT_EQ(resumed.result.full_eval_accuracy == straight.result.full_eval_accuracy ||
                (std::isnan(resumed.result.full_eval_accuracy) &&
                 std::isnan(straight.result.full_eval_accuracy)),
            true);
  ASSERT_EQ(resumed.parameters.size(), straight.parameters.size());
  for (const auto& [name, tensor] : straight.parameters)
    EXPECT_TRUE(torch::equal(tensor, resumed.parameters.at(name))) << name;
}

class Resume : public ::testing::TestWithParam<std::string> {};

TEST_P(Resume, StoppedAndContinuedIsBitIdenticalToUninterrupted) {
  const auto        spec = spec_for(GetParam());
  const std::string checkpoint =
      (fs::path(::testing::TempDir()) / ("resume_" + GetParam() + ".pt"));
  fs::remove(checkpoint);

  const TrainedRun straight = run(spec, "", 0);
  ASSERT_EQ(straight.result.status, "completed") << straight.result.error;

  const TrainedRun stopped = run(spec, checkpoint, 11);  // stop after step 11 (between evaluations)
  ASSERT_EQ(stopped.result.status, "interrupted") << stopped.result.error;
  EXPECT_EQ(stopped.result.steps_done, 11);
  ASSERT_TRUE(fs::exists(checkpoint));

  const TrainedRun resumed = run(spec, checkpoint, 0);
  EXPECT_EQ(resumed.result.resumed_from_step, 11);
  expect_identical(resumed, straight);
  fs::remove(checkpoint);
}

INSTANTIATE_TEST_SUITE_P(Tasks, Resume, ::testing::Values("bit-xor", "bit-memory", "listops"));

TEST(Resume, PeriodicCheckpointsThenTwoStopsStillIdentical) {
  const auto        spec       = spec_for("bit-xor");
  const std::string checkpoint = fs::path(::testing::TempDir()) / "resume_twice.pt";
  fs::remove(checkpoint);
  const TrainedRun straight = run(spec, "", 0);
  ASSERT_EQ(run(spec, checkpoint, 5, 3).result.status, "interrupted");
  const TrainedRun second = run(spec, checkpoint, 9, 3);  // resumes at 5, stops at 14
  ASSERT_EQ(second.result.status, "interrupted");
  EXPECT_EQ(second.result.steps_done, 14);
  const TrainedRun last = run(spec, checkpoint, 0, 3);
  EXPECT_EQ(last.result.resumed_from_step, 14);
  expect_identical(last, straight);
}

TEST(Resume, CheckpointOfAnotherExperimentIsRefused) {
  const std::string checkpoint = fs::path(::testing::TempDir()) / "resume_other.pt";
  fs::remove(checkpoint);
  ASSERT_EQ(run(spec_for("bit-xor"), checkpoint, 4).result.status, "interrupted");
  auto other = spec_for("bit-xor");
  other.seed = 5;
  try {
    run(other, checkpoint, 0);
    FAIL() << "expected an error";
  } catch (const fpt::Error& error) {
    EXPECT_NE(std::string(error.what()).find("checkpoint of experiment"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find(checkpoint), std::string::npos);
  }
}

TEST(Resume, DamagedCheckpointNamesTheFile) {
  const std::string checkpoint = fs::path(::testing::TempDir()) / "resume_damaged.pt";
  std::ofstream(checkpoint) << "not a checkpoint";
  try {
    run(spec_for("bit-xor"), checkpoint, 0);
    FAIL() << "expected an error";
  } catch (const fpt::Error& error) {
    EXPECT_NE(std::string(error.what()).find(checkpoint), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("delete it"), std::string::npos) << error.what();
  }
}

}  // namespace
