// Trainer behaviour: determinism from the experiment id, NaN handling, evaluation schedule,
// parameter accounting in the result.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "fpt/core/error.h"
#include "fpt/train/trainer.h"

namespace {

fpt::core::ExperimentSpec tiny_xor(int64_t steps) {
  fpt::core::ExperimentSpec spec;
  spec.body         = "gpt2-tiny";
  spec.task         = "bit-xor";
  spec.steps        = steps;
  spec.eval_every   = 10;
  spec.eval_batches = 2;
  spec.batch_size   = 8;
  return spec;
}

TEST(Trainer, SameSpecGivesTheSameCurve) {
  torch::set_num_threads(1);
  auto first  = fpt::train::train_experiment(tiny_xor(20), {});
  auto second = fpt::train::train_experiment(tiny_xor(20), {});
  ASSERT_EQ(first.status, "completed");
  ASSERT_EQ(first.curve.size(), 2u);
  for (size_t i = 0; i < first.curve.size(); ++i) {
    EXPECT_EQ(first.curve[i].step, second.curve[i].step);
    EXPECT_DOUBLE_EQ(first.curve[i].train_loss, second.curve[i].train_loss);
    EXPECT_DOUBLE_EQ(first.curve[i].eval_accuracy, second.curve[i].eval_accuracy);
  }
}

TEST(Trainer, DifferentSeedGivesADifferentRun) {
  auto spec   = tiny_xor(10);
  auto first  = fpt::train::train_experiment(spec, {});
  spec.seed   = 1;
  auto second = fpt::train::train_experiment(spec, {});
  EXPECT_NE(first.curve[0].train_loss, second.curve[0].train_loss);
}

TEST(Trainer, EvaluatesOnScheduleAndAtTheEnd) {
  auto                       spec  = tiny_xor(25);
  int                        calls = 0;
  fpt::train::TrainerOptions options;
  options.on_evaluation = [&](const fpt::core::CurvePoint&) { ++calls; };
  auto result           = fpt::train::train_experiment(spec, options);
  ASSERT_EQ(result.curve.size(), 3u);  // steps 10, 20, 25
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(result.curve[0].step, 10);
  EXPECT_EQ(result.curve[2].step, 25);
  EXPECT_EQ(result.steps_done, 25);
  EXPECT_EQ(result.final_eval_accuracy, result.curve.back().eval_accuracy);
  EXPECT_GT(result.samples_per_second, 0.0);
  EXPECT_TRUE(std::isnan(result.full_eval_accuracy));  // bit tasks have no fixed split
  EXPECT_EQ(result.headline_accuracy(), result.final_eval_accuracy);
  EXPECT_FALSE(result.parameters.empty());
}

TEST(Trainer, DivergedLossMarksTheExperimentFailed) {
  auto spec      = tiny_xor(200);
  spec.lr        = 1e30;  // Adam moves every trainable weight by ~1e30 per step: the loss overflows
  spec.grad_clip = 0;
  auto result    = fpt::train::train_experiment(spec, {});
  EXPECT_EQ(result.status, "failed");
  EXPECT_NE(result.error.find("training loss became"), std::string::npos) << result.error;
  EXPECT_LT(result.steps_done, 200);
}

TEST(Trainer, RejectsBadSettingsWithTheExperimentName) {
  auto spec = tiny_xor(0);
  try {
    fpt::train::train_experiment(spec, {});
    FAIL() << "steps 0 accepted";
  } catch (const fpt::Error& error) {
    EXPECT_NE(std::string(error.what()).find("gpt2-tiny_bit-xor"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("steps"), std::string::npos);
  }
}

TEST(Trainer, OutputOnlyTrainsOnlyTheHead) {
  auto spec   = tiny_xor(5);
  spec.trains = "output";
  auto result = fpt::train::train_experiment(spec, {});
  ASSERT_EQ(result.status, "completed") << result.error;
  for (const auto& group : result.parameters) {
    if (group.group == "output" || group.group == "all") {
      EXPECT_GT(group.effective, 0) << group.group;
    } else {
      EXPECT_EQ(group.effective, 0) << group.group;
    }
  }
}

}  // namespace
