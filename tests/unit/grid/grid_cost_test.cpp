// The relative cost model: sequence lengths per task, body sizes, and their product.
#include <gtest/gtest.h>

#include "fpt/core/error.h"
#include "fpt/sweep/grid_cost.h"

namespace fpt::sweep {
namespace {

core::ExperimentSpec spec_for(const std::string& body, const std::string& task) {
  core::ExperimentSpec spec;
  spec.body = body;
  spec.task = task;
  return spec;
}

TEST(GridCost, SequenceTokensPerTask) {
  EXPECT_EQ(sequence_tokens(spec_for("gpt2", "bit-memory")), 120);  // 6 x 1000 / 50
  EXPECT_EQ(sequence_tokens(spec_for("gpt2", "bit-xor")), 10);      // 2 x 5 / 1
  EXPECT_EQ(sequence_tokens(spec_for("gpt2", "listops")), 512);
  EXPECT_EQ(sequence_tokens(spec_for("gpt2", "mnist")), 49);  // 28×28, official code
  core::ExperimentSpec padded = spec_for("gpt2", "mnist");
  padded.mnist_pad_to         = 32;
  EXPECT_EQ(sequence_tokens(padded), 64);  // the paper's 32×32
  EXPECT_EQ(sequence_tokens(spec_for("gpt2", "cifar10")), 64);
  EXPECT_EQ(sequence_tokens(spec_for("gpt2", "cifar10-gray")), 1024);
  EXPECT_EQ(sequence_tokens(spec_for("gpt2", "remote-homology")), 1024);

  core::ExperimentSpec small = spec_for("gpt2", "bit-memory");
  small.bits_n               = 100;
  small.bits_patch           = 10;
  EXPECT_EQ(sequence_tokens(small), 60);
  small.bits_patterns = 2;
  EXPECT_EQ(sequence_tokens(small), 30);
  core::ExperimentSpec listops = spec_for("gpt2", "listops");
  listops.listops_max_tokens   = 64;
  EXPECT_EQ(sequence_tokens(listops), 64);
  EXPECT_THROW(sequence_tokens(spec_for("gpt2", "chess")), Error);
}

TEST(GridCost, BodySizes) {
  EXPECT_DOUBLE_EQ(body_size(spec_for("gpt2", "bit-xor")), 12.0 * 768 * 768);
  EXPECT_DOUBLE_EQ(body_size(spec_for("gpt2-medium", "bit-xor")), 24.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(body_size(spec_for("gpt2-large", "bit-xor")), 36.0 * 1280 * 1280);
  EXPECT_DOUBLE_EQ(body_size(spec_for("gpt2-xl", "bit-xor")), 48.0 * 1600 * 1600);
  EXPECT_DOUBLE_EQ(body_size(spec_for("gpt2-mini", "bit-xor")), 6.0 * 256 * 256);
  EXPECT_DOUBLE_EQ(body_size(spec_for("gpt2-tiny", "bit-xor")), 3.0 * 128 * 128);
  core::ExperimentSpec shallow = spec_for("gpt2", "bit-xor");
  shallow.n_layer              = 2;
  EXPECT_DOUBLE_EQ(body_size(shallow), 2.0 * 768 * 768);
  EXPECT_THROW(body_size(spec_for("bert", "bit-xor")), Error);
}

TEST(GridCost, ProductOfTokensBodyStepsBatch) {
  core::ExperimentSpec spec = spec_for("gpt2-tiny", "bit-xor");
  spec.steps                = 100;
  spec.batch_size           = 16;
  EXPECT_DOUBLE_EQ(estimated_cost(spec), 10.0 * 3 * 128 * 128 * 100 * 16);
  core::ExperimentSpec twice = spec;
  twice.steps                = 200;
  EXPECT_DOUBLE_EQ(estimated_cost(twice), 2 * estimated_cost(spec));
  EXPECT_GT(estimated_cost(spec_for("gpt2", "bit-memory")),
            estimated_cost(spec_for("gpt2", "bit-xor")));
  EXPECT_GT(estimated_cost(spec_for("gpt2-xl", "bit-xor")),
            estimated_cost(spec_for("gpt2-large", "bit-xor")));
}

}  // namespace
}  // namespace fpt::sweep
