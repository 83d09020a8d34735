// The bit tasks: shapes, the generating process's statistics, targets, and per-bit scoring.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "fpt/core/error.h"
#include "fpt/tasks/bits_task.h"
#include "fpt/tasks/metrics.h"

namespace {

using fpt::tasks::BitsTask;

fpt::core::ExperimentSpec spec_for(const std::string& task) {
  fpt::core::ExperimentSpec spec;
  spec.task = task;
  return spec;
}

TEST(BitMemory, ShapesFollowThePaper) {
  auto task  = fpt::tasks::make_task(spec_for("bit-memory"));
  auto shape = task->shape();
  EXPECT_EQ(shape.input_dim, 50);
  EXPECT_EQ(shape.sequence_length, 120);  // 6 strings x 1000 bits / 50 per token
  EXPECT_EQ(shape.output_tokens, 20);
  EXPECT_EQ(shape.output_dim, 100);
  EXPECT_EQ(shape.num_classes, 2);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(7);
  auto batch     = task->train_batch(4, generator);
  EXPECT_EQ(batch.inputs.sizes(), (std::vector<int64_t>{4, 120, 50}));
  EXPECT_EQ(batch.targets.sizes(), (std::vector<int64_t>{4, 1000}));
}

TEST(BitMemory, QueryIsOneOfThePatternsHalfMasked) {
  BitsTask task(fpt::tasks::bits_options_from_spec(spec_for("bit-memory")));
  auto     generator = at::make_generator<at::CPUGeneratorImpl>(11);
  auto     batch     = task.train_batch(64, generator);
  auto     strings   = batch.inputs.reshape({64, 6, 1000});
  auto     patterns  = strings.narrow(1, 0, 5);  // (B, 5, n) in {-1, +1}
  auto     query     = strings.select(1, 5);     // (B, n) in {-1, 0, +1}
  EXPECT_TRUE(patterns.abs().eq(1).all().item<bool>());
  const double ones = patterns.gt(0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(ones, 0.5, 0.01);
  const double masked = query.eq(0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(masked, 0.5, 0.01);
  auto target_bits = batch.targets.to(torch::kFloat) * 2 - 1;  // class 1 <-> +1
  for (int64_t b = 0; b < 64; ++b) {
    // Unmasked query bits agree with the target, and the target is one of the five patterns.
    auto visible = query[b].ne(0);
    EXPECT_TRUE(query[b]
                    .masked_select(visible)
                    .eq(target_bits[b].masked_select(visible))
                    .all()
                    .item<bool>());
    bool found = false;
    for (int64_t p = 0; p < 5; ++p)
      found = found || patterns[b][p].eq(target_bits[b]).all().item<bool>();
    EXPECT_TRUE(found) << "example " << b;
  }
}

TEST(BitXor, TargetsAreTheXorOfTheTwoStrings) {
  auto task  = fpt::tasks::make_task(spec_for("bit-xor"));
  auto shape = task->shape();
  EXPECT_EQ(shape.input_dim, 1);
  EXPECT_EQ(shape.sequence_length, 10);
  EXPECT_EQ(shape.output_tokens, 5);
  EXPECT_EQ(shape.output_dim, 2);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(3);
  auto batch     = task->train_batch(256, generator);
  auto bits      = batch.inputs.reshape({256, 2, 5}).to(torch::kLong);
  EXPECT_TRUE(bits.ge(0).logical_and(bits.le(1)).all().item<bool>());
  EXPECT_TRUE(batch.targets.eq(bits.select(1, 0).ne(bits.select(1, 1)).to(torch::kLong))
                  .all()
                  .item<bool>());
  EXPECT_NEAR(batch.targets.to(torch::kDouble).mean().item<double>(), 0.5, 0.05);
}

TEST(BitTasks, SameGeneratorSeedSameBatch) {
  auto task   = fpt::tasks::make_task(spec_for("bit-memory"));
  auto first  = at::make_generator<at::CPUGeneratorImpl>(5);
  auto second = at::make_generator<at::CPUGeneratorImpl>(5);
  EXPECT_TRUE(task->train_batch(2, first).inputs.equal(task->train_batch(2, second).inputs));
}

TEST(BitTasks, PatchMustDivideTheString) {
  auto spec       = spec_for("bit-memory");
  spec.bits_n     = 100;
  spec.bits_patch = 30;
  EXPECT_THROW(fpt::tasks::make_task(spec), fpt::Error);
}

TEST(Metrics, PerBitAccuracyCountsEveryBit) {
  // 1 example, 2 output tokens x 4 logits = 4 bits x 2 classes.
  auto logits  = torch::tensor({{{2.f, 0.f, 0.f, 2.f}, {2.f, 0.f, 2.f, 0.f}}});  // predicts 0,1,0,0
  auto targets = torch::tensor({{0, 1, 1, 0}}, torch::kLong);
  auto scored  = fpt::tasks::score(logits, targets, 2);
  EXPECT_EQ(scored.count, 4);
  EXPECT_DOUBLE_EQ(scored.accuracy, 0.75);
  const double per_bit_loss = std::log(1 + std::exp(-2.0));  // right with margin 2
  const double wrong_loss   = std::log(1 + std::exp(2.0));
  EXPECT_NEAR(scored.loss.item<double>(), (3 * per_bit_loss + wrong_loss) / 4, 1e-6);
}

}  // namespace
