// Numerical parity of fpt's bodies against the real reference implementations (the llm.c way):
// for each case of tests/data/parity/ — GPT-2 (transformers GPT2Model, one file with the
// "transformer." prefix in float16), ViT (timm VisionTransformer, and the same weights in
// transformers ViTModel names), BERT (transformers BertModel) — the body is loaded from the
// reference's own checkpoint file by the real loader, wrapped in an FptModel with the fixture's
// input and output layers, and its final hidden states, logits, loss and the gradient of every
// trainable parameter are compared with what the reference computed
// (tests/tools/make_parity_fixtures.py). Also checks that the "fpt" trainable set is exactly the
// set of parameters the reference differentiated, and that the fixtures are sensitive enough to
// catch a q/k packing or [in, out] layout mistake. The training steps are in
// tests/unit/train/parity_adam_test.cpp.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>
#include <string>
#include <vector>

#include "../parity_fixture.h"

namespace fpt::parity {
namespace {

// Tolerances (float32 on both sides, the same LibTorch version). The two sides compute the same
// functions with different kernel choices and summation orders (SDPA vs explicit softmax, addmm
// vs matmul, fused vs unfused LayerNorm); each op then differs by a few float32 ulps (~1e-7
// relative) and 2-3 layers of O(1) activations amplify that to ~1e-6. The bounds leave a 10x
// margin above that and stay 4-5 orders of magnitude below what a layout mistake produces
// (the sensitivity tests below: > 0.1).
constexpr Tolerance kHiddenTolerance{1e-5, 1e-4};    // hidden states, |h| ~ 1
constexpr Tolerance kLogitsTolerance{1e-5, 1e-4};    // logits, |z| ~ 1
constexpr Tolerance kLossTolerance{1e-5, 1e-5};      // scalar cross-entropy ~ 1-2
constexpr Tolerance kGradientTolerance{1e-5, 1e-4};  // gradients, max |g| 0.03 .. 1.8
// A perturbed body must miss the reference hidden states by at least this much.
constexpr double kDetectable = 1e-2;

class ParityTest : public ::testing::TestWithParam<std::string> {};

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

INSTANTIATE_TEST_SUITE_P(Cases, ParityTest, ::testing::ValuesIn(case_names()), param_name);

torch::Tensor loss_of(const torch::Tensor& logits, const torch::Tensor& targets, int64_t classes) {
  // the reference's loss: cross-entropy averaged over all B*K predictions
  return torch::nn::functional::cross_entropy(logits.reshape({-1, classes}), targets.reshape({-1}));
}

std::set<std::string> trainable_names(const models::FptModel& model) {
  std::set<std::string> names;
  for (const auto& item : model->named_parameters())
    if (item.value().requires_grad()) names.insert(item.key());
  return names;
}

TEST_P(ParityTest, LoaderFillsEveryReferenceParameter) {
  const ParityCase         parity_case = load_case(GetParam());
  std::vector<std::string> loaded;
  models::FptModel         model = make_case_model(parity_case, &loaded);
  std::set<std::string>    expected;
  for (const auto& item : model->body->named_parameters())
    if (item.key() != "fpt_pos_embed") expected.insert(item.key());  // ViT's new table is not in
  EXPECT_EQ(std::set<std::string>(loaded.begin(), loaded.end()), expected) << GetParam();
  if (parity_case.config.at("family") == "vit") {
    const torch::Tensor table = model->body->named_parameters()["fpt_pos_embed"];
    EXPECT_EQ(table.abs().max().item<double>(), 0.0) << "the new FPT positional table starts at 0";
  }
}

TEST_P(ParityTest, TrainableParametersAreThoseTheReferenceDifferentiated) {
  const ParityCase      parity_case = load_case(GetParam());
  models::FptModel      model       = make_case_model(parity_case);
  std::set<std::string> reference;
  for (const auto& [key, tensor] : parity_case.expected)
    if (key.rfind("grad.", 0) == 0) reference.insert(key.substr(5));
  EXPECT_FALSE(reference.empty());
  EXPECT_EQ(trainable_names(model), reference) << GetParam();
}

TEST_P(ParityTest, ForwardMatchesReference) {
  const ParityCase     parity_case = load_case(GetParam());
  models::FptModel     model       = make_case_model(parity_case);
  torch::NoGradGuard   no_grad;
  const torch::Tensor& inputs = parity_case.tensor("inputs");
  const torch::Tensor  hidden = model->body->forward(case_embeddings(model, inputs));  // (B, T, C)
  const torch::Tensor  logits = model->forward(inputs);                                // (B, K, O)
  const torch::Tensor  loss =
      loss_of(logits, parity_case.tensor("targets"), parity_case.output_dim());
  expect_close(GetParam(), "hidden", hidden, parity_case.tensor("hidden"), kHiddenTolerance);
  expect_close(GetParam(), "logits", logits, parity_case.tensor("logits"), kLogitsTolerance);
  expect_close(GetParam(), "loss", loss, parity_case.tensor("loss"), kLossTolerance);
}

TEST_P(ParityTest, GradientsMatchReference) {
  const ParityCase    parity_case = load_case(GetParam());
  models::FptModel    model       = make_case_model(parity_case);
  const torch::Tensor logits      = model->forward(parity_case.tensor("inputs"));
  loss_of(logits, parity_case.tensor("targets"), parity_case.output_dim()).backward();
  int compared = 0;
  for (const auto& item : model->named_parameters()) {
    if (!item.value().requires_grad()) {
      EXPECT_FALSE(item.value().grad().defined()) << item.key() << " is frozen";
      continue;
    }
    ASSERT_TRUE(item.value().grad().defined()) << item.key() << " received no gradient";
    expect_close(GetParam(), "grad." + item.key(), item.value().grad(),
                 parity_case.tensor("grad." + item.key()), kGradientTolerance);
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

// The fixtures' weights are drawn so that layout mistakes show: these perturb the loaded body the
// way a wrong loader would and require the hidden states to miss the reference by far more than
// the tolerance, so a passing ForwardMatchesReference means the layout is right.
torch::Tensor hidden_after(const ParityCase& parity_case, models::FptModel& model) {
  torch::NoGradGuard no_grad;
  return model->body->forward(case_embeddings(model, parity_case.tensor("inputs")));
}

TEST_P(ParityTest, SwappingQueryAndKeyIsDetected) {
  const ParityCase   parity_case = load_case(GetParam());
  models::FptModel   model       = make_case_model(parity_case);
  auto               parameters  = model->body->named_parameters();
  const int64_t      C           = model->body->width();
  const std::string  family      = parity_case.config.at("family").get<std::string>();
  torch::NoGradGuard no_grad;
  auto swap_blocks = [C](torch::Tensor packed, int64_t dim) {  // q block <-> k block along dim
    const torch::Tensor q = packed.narrow(dim, 0, C).clone();
    packed.narrow(dim, 0, C).copy_(packed.narrow(dim, C, C));
    packed.narrow(dim, C, C).copy_(q);
  };
  if (family == "gpt2") {
    swap_blocks(parameters["h.0.attn.c_attn.weight"], 1);  // Conv1D [in, out]: q|k|v columns
    swap_blocks(parameters["h.0.attn.c_attn.bias"], 0);
  } else if (family == "vit") {
    swap_blocks(parameters["blocks.0.attn.qkv.weight"], 0);  // Linear [out, in]: q|k|v rows
    swap_blocks(parameters["blocks.0.attn.qkv.bias"], 0);
  } else {
    for (const char* kind : {"weight", "bias"}) {
      const std::string   prefix = "encoder.layer.0.attention.self.";
      torch::Tensor       query  = parameters[prefix + "query." + kind];
      torch::Tensor       key    = parameters[prefix + "key." + kind];
      const torch::Tensor saved  = query.clone();
      query.copy_(key);
      key.copy_(saved);
    }
  }
  const Discrepancy d =
      compare(hidden_after(parity_case, model), parity_case.tensor("hidden"), kHiddenTolerance);
  std::cout << "[parity] " << GetParam() << " q/k swapped: hidden max abs " << d.max_abs << "\n";
  EXPECT_GT(d.max_abs, kDetectable);
}

TEST_P(ParityTest, TransposedProjectionIsDetected) {
  const ParityCase   parity_case = load_case(GetParam());
  models::FptModel   model       = make_case_model(parity_case);
  auto               parameters  = model->body->named_parameters();
  const std::string  family      = parity_case.config.at("family").get<std::string>();
  const std::string  name        = family == "gpt2"  ? "h.0.attn.c_proj.weight"
                                   : family == "vit" ? "blocks.0.attn.proj.weight"
                                                     : "encoder.layer.0.attention.output.dense.weight";
  torch::NoGradGuard no_grad;
  torch::Tensor      weight = parameters[name];  // square (C, C): a transposed load fits
  weight.copy_(weight.t().clone());
  const Discrepancy d =
      compare(hidden_after(parity_case, model), parity_case.tensor("hidden"), kHiddenTolerance);
  std::cout << "[parity] " << GetParam() << " " << name << " transposed: hidden max abs "
            << d.max_abs << "\n";
  EXPECT_GT(d.max_abs, kDetectable);
}

}  // namespace
}  // namespace fpt::parity
