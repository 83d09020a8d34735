// Attention maps: the explicit attention path that keeps the probabilities computes what the fused
// kernel does, and attention_probabilities() returns layer L's softmax(q kᵀ/sqrt(d) + causal mask)
// of an FptModel — checked against the probabilities computed by hand from the model's weights —
// and leaves the model as it was.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "fpt/core/error.h"
#include "fpt/core/experiment_spec.h"
#include "fpt/models/attention_probe.h"
#include "fpt/models/fpt_model.h"
#include "fpt/models/gpt2.h"
#include "fpt/models/make_model.h"

namespace fpt::models {
namespace {

Gpt2Config small_config() {
  Gpt2Config config;
  config.n_layer     = 2;
  config.n_embd      = 32;
  config.n_head      = 4;
  config.n_positions = 16;
  config.vocab_size  = 10;
  return config;
}

FptModelOptions bit_xor_options() {  // 10 tokens of one bit, the last 5 read, 2 logits each
  FptModelOptions options;
  options.input_dim     = 1;
  options.output_tokens = 5;
  options.output_dim    = 2;
  return options;
}

TEST(AttentionProbe, KeptPathEqualsTheFusedKernel) {
  torch::manual_seed(1);
  Gpt2Attention attention(small_config());
  attention->eval();
  const torch::Tensor x         = torch::randn({3, 7, 32});
  const torch::Tensor fused     = attention->forward(x);
  attention->keep_probabilities = true;
  const torch::Tensor kept      = attention->forward(x);
  EXPECT_LT((kept - fused).abs().max().item<double>(), 1e-5);
  ASSERT_TRUE(attention->probabilities.defined());
  EXPECT_EQ(attention->probabilities.sizes().vec(), (std::vector<int64_t>{3, 4, 7, 7}));
  EXPECT_FALSE(attention->probabilities.requires_grad());
}

TEST(AttentionProbe, LayerProbabilitiesMatchAHandComputation) {
  torch::manual_seed(2);
  FptModel model(small_config(), bit_xor_options());
  model->train();
  const torch::Tensor inputs = torch::randint(0, 2, {2, 10, 1}).to(torch::kFloat);
  model->eval();
  const torch::Tensor logits_before = model->forward(inputs);
  model->train();

  const torch::Tensor probabilities = attention_probabilities(*model, inputs, /*layer=*/1);
  ASSERT_EQ(probabilities.sizes().vec(), (std::vector<int64_t>{2, 4, 10, 10}));

  // By hand, in evaluation mode: embeddings + positions, block 0, ln_1 of block 1, its q and k.
  torch::NoGradGuard no_grad;
  model->eval();
  auto&         body = dynamic_cast<Gpt2BodyImpl&>(*model->body);
  torch::Tensor h    = model->input_linear->forward(inputs) + body.wpe->weight.narrow(0, 0, 10);
  h                  = body.h[0]->as<Gpt2Block>()->forward(h);
  Gpt2BlockImpl&      block  = *body.h[1]->as<Gpt2Block>();
  const torch::Tensor qkv    = block.attn->c_attn->forward(block.ln_1->forward(h));  // (B, T, 3C)
  const torch::Tensor q      = qkv.narrow(2, 0, 32).view({2, 10, 4, 8}).transpose(1, 2);
  const torch::Tensor k      = qkv.narrow(2, 32, 32).view({2, 10, 4, 8}).transpose(1, 2);
  const torch::Tensor future = torch::ones({10, 10}, torch::kBool).triu(1);  // key after query
  const torch::Tensor scores =
      (torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(8.0)).masked_fill(future, -1e30);
  const torch::Tensor expected = torch::softmax(scores, -1);
  EXPECT_LT((probabilities - expected).abs().max().item<double>(), 1e-5);

  // Rows are distributions over the past: sum 1, zero right of the diagonal.
  EXPECT_LT((probabilities.sum(-1) - 1).abs().max().item<double>(), 1e-5);
  EXPECT_EQ(probabilities.triu(1).abs().max().item<double>(), 0.0);
  // The model is left as it was: training mode restored, fused path again, same outputs.
  model->train();
  const torch::Tensor again = attention_probabilities(*model, inputs, 0);
  EXPECT_TRUE(model->is_training());
  EXPECT_FALSE(block.attn->keep_probabilities);
  EXPECT_FALSE(block.attn->probabilities.defined());
  model->eval();
  EXPECT_LT((model->forward(inputs) - logits_before).abs().max().item<double>(), 1e-6);
}

TEST(AttentionProbe, BadLayerAndBodyAreErrors) {
  torch::manual_seed(3);
  FptModel            model(small_config(), bit_xor_options());
  const torch::Tensor inputs = torch::zeros({1, 10, 1});
  try {
    attention_probabilities(*model, inputs, 2);
    FAIL() << "no error for layer 2 of 2";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("layer 2 does not exist; the body has layers 0..1"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(attention_probabilities(*model, inputs, -1), Error);

  core::ExperimentSpec spec;
  spec.body     = "bert-tiny";
  FptModel bert = make_model(spec, bit_xor_options());
  try {
    attention_probabilities(*bert, inputs, 0);
    FAIL() << "no error for a BERT body";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("GPT-2 bodies; this model's body is bert"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace fpt::models
