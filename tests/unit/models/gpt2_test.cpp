// Tests of the GPT-2 body: configs, Hugging Face parameter names and shapes, Conv1D layout,
// causal masking, dropout sites, the transformers 4.1.1 random init, and the forward against a
// naive hand-written GPT-2 (explicit -inf masked softmax, manual tanh GELU) at 1e-5.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/models/gpt2.h"
#include "fpt/models/gpt2_config.h"

namespace fpt::models {
namespace {

std::map<std::string, torch::Tensor> parameter_map(const torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> map;
  for (const auto& item : module.named_parameters()) map[item.key()] = item.value();
  return map;
}

double max_abs_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

TEST(Gpt2Config, NamedSizes) {
  // name, layers, width, heads, head dim
  const std::vector<std::tuple<std::string, int64_t, int64_t, int64_t, int64_t>> sizes = {
      {"gpt2", 12, 768, 12, 64},        {"gpt2-medium", 24, 1024, 16, 64},
      {"gpt2-large", 36, 1280, 20, 64}, {"gpt2-xl", 48, 1600, 25, 64},
      {"gpt2-mini", 6, 256, 8, 32},     {"gpt2-tiny", 3, 128, 4, 32}};
  for (const auto& [name, n_layer, n_embd, n_head, head_dim] : sizes) {
    const Gpt2Config config = gpt2_config(name);
    EXPECT_EQ(config.n_layer, n_layer) << name;
    EXPECT_EQ(config.n_embd, n_embd) << name;
    EXPECT_EQ(config.n_head, n_head) << name;
    EXPECT_EQ(config.n_embd / config.n_head, head_dim) << name;
    EXPECT_EQ(config.n_positions, 1024);
    EXPECT_EQ(config.vocab_size, 50257);
    EXPECT_DOUBLE_EQ(config.layer_norm_epsilon, 1e-5);
    EXPECT_DOUBLE_EQ(config.dropout, 0.1);
  }
}

TEST(Gpt2Config, UnknownNameListsValidBodies) {
  try {
    gpt2_config("gpt3");
    FAIL() << "gpt3 accepted";
  } catch (const fpt::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("gpt3"), std::string::npos) << message;
    EXPECT_NE(message.find("gpt2-medium"), std::string::npos) << message;
    EXPECT_NE(message.find("gpt2-tiny"), std::string::npos) << message;
  }
}

TEST(Gpt2Body, ParameterNamesAndShapesAreHuggingFaces) {
  Gpt2Body                                                  body(gpt2_config("gpt2-tiny"));
  std::vector<std::pair<std::string, std::vector<int64_t>>> expected = {
      {"wte.weight", {50257, 128}}, {"wpe.weight", {1024, 128}}};
  for (int layer = 0; layer < 3; ++layer) {
    const std::string p = "h." + std::to_string(layer) + ".";
    const std::vector<std::pair<std::string, std::vector<int64_t>>> block = {
        {p + "ln_1.weight", {128}},
        {p + "ln_1.bias", {128}},
        {p + "attn.c_attn.weight", {128, 384}},
        {p + "attn.c_attn.bias", {384}},
        {p + "attn.c_proj.weight", {128, 128}},
        {p + "attn.c_proj.bias", {128}},
        {p + "ln_2.weight", {128}},
        {p + "ln_2.bias", {128}},
        {p + "mlp.c_fc.weight", {128, 512}},
        {p + "mlp.c_fc.bias", {512}},
        {p + "mlp.c_proj.weight", {512, 128}},
        {p + "mlp.c_proj.bias", {128}}};
    expected.insert(expected.end(), block.begin(), block.end());
  }
  expected.push_back({"ln_f.weight", {128}});
  expected.push_back({"ln_f.bias", {128}});

  const auto parameters = body->named_parameters();
  ASSERT_EQ(parameters.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(parameters[i].key(), expected[i].first);
    EXPECT_EQ(parameters[i].value().sizes().vec(), expected[i].second) << expected[i].first;
  }
  EXPECT_EQ(body->named_buffers().size(),
            0u);  // no mask buffers: checkpoints' attn.bias is ignored
}

TEST(Gpt2Body, BaseSizeHasGpt2ModelParameterCount) {
  // Hugging Face GPT2Model("gpt2") has 124,439,808 parameters.
  Gpt2Body body(gpt2_config("gpt2"));
  int64_t  total = 0;
  for (const auto& parameter : body->parameters()) total += parameter.numel();
  EXPECT_EQ(total, 124439808);
}

TEST(Conv1D, ComputesInputTimesWeightPlusBias) {
  torch::manual_seed(1);
  Conv1D conv(6, 10);
  {
    torch::NoGradGuard no_grad;
    conv->bias.normal_();
  }
  EXPECT_EQ(conv->weight.sizes().vec(), (std::vector<int64_t>{6, 10}));  // [in, out]
  const torch::Tensor x = torch::randn({2, 3, 5, 6});
  const torch::Tensor y = conv(x);
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 3, 5, 10}));
  EXPECT_LT(max_abs_difference(y, torch::matmul(x, conv->weight) + conv->bias), 1e-6);
}

TEST(Gpt2Body, KeepsShapeAndRejectsTooLongSequences) {
  Gpt2Config config  = gpt2_config("gpt2-tiny");
  config.n_positions = 8;
  Gpt2Body body(config);
  EXPECT_EQ(body(torch::randn({2, 8, 128})).sizes().vec(), (std::vector<int64_t>{2, 8, 128}));
  EXPECT_EQ(body(torch::randn({1, 1, 128})).sizes().vec(), (std::vector<int64_t>{1, 1, 128}));
  EXPECT_THROW(body(torch::randn({2, 9, 128})), fpt::Error);
  EXPECT_THROW(body(torch::randn({2, 4, 64})), fpt::Error);
}

TEST(Gpt2Body, AttentionIsCausal) {
  torch::manual_seed(2);
  Gpt2Body body(gpt2_config("gpt2-tiny"));
  body->eval();
  torch::NoGradGuard  no_grad;
  const torch::Tensor x         = torch::randn({2, 10, 128});
  const torch::Tensor reference = body(x);

  torch::Tensor later = x.clone();
  later.select(1, 6).add_(torch::randn({2, 128}));  // change token 6
  const torch::Tensor changed_later = body(later);
  EXPECT_TRUE(torch::equal(changed_later.narrow(1, 0, 6), reference.narrow(1, 0, 6)))
      << "a later token changed an earlier position";
  for (int64_t t = 6; t < 10; ++t)
    EXPECT_GT(max_abs_difference(changed_later.select(1, t), reference.select(1, t)), 1e-3) << t;

  torch::Tensor earlier = x.clone();
  earlier.select(1, 0).add_(torch::randn({2, 128}));  // change token 0: every position sees it
  const torch::Tensor changed_earlier = body(earlier);
  for (int64_t t = 0; t < 10; ++t)
    EXPECT_GT(max_abs_difference(changed_earlier.select(1, t), reference.select(1, t)), 1e-3) << t;
}

TEST(Gpt2Body, DropoutOnlyInTrainingMode) {
  torch::manual_seed(3);
  Gpt2Body            body(gpt2_config("gpt2-tiny"));
  torch::NoGradGuard  no_grad;
  const torch::Tensor x = torch::randn({2, 6, 128});
  body->train();
  EXPECT_GT(max_abs_difference(body(x), body(x)), 1e-4) << "dropout 0.1 is not active in training";
  body->eval();
  EXPECT_TRUE(torch::equal(body(x), body(x)));

  // With dropout 0 the training-mode forward is the evaluation forward: dropout is all that
  // differs.
  Gpt2Config no_dropout = gpt2_config("gpt2-tiny");
  no_dropout.dropout    = 0.0;
  torch::manual_seed(3);
  Gpt2Body plain(no_dropout);
  plain->train();
  const torch::Tensor trained = plain(x);
  plain->eval();
  EXPECT_LT(max_abs_difference(trained, plain(x)), 1e-6);
}

TEST(Gpt2Body, RandomInitIsTransformers411) {
  torch::manual_seed(4);
  Gpt2Body body(gpt2_config("gpt2-mini"));
  int      matrices = 0;
  for (const auto& item : body->named_parameters()) {
    const std::string&   name = item.key();
    const torch::Tensor& p    = item.value();
    if (name.size() > 5 && name.substr(name.size() - 5) == ".bias") {
      EXPECT_EQ(p.abs().max().item<double>(), 0.0) << name;
    } else if (p.dim() == 1) {
      EXPECT_NE(name.find("ln"), std::string::npos) << name;
      EXPECT_TRUE(torch::equal(p, torch::ones_like(p))) << name;
    } else {
      ++matrices;
      // >= 65,536 samples: the std estimate is within ~1 % of 0.02; no depth scaling of c_proj
      EXPECT_NEAR(p.std().item<double>(), 0.02, 0.0005) << name;
      EXPECT_NEAR(p.mean().item<double>(), 0.0, 0.0005) << name;
    }
  }
  EXPECT_EQ(matrices, 2 + 6 * 4);  // wte, wpe, and c_attn, c_proj, c_fc, c_proj per block
}

TEST(Gpt2Body, KeepLayersKeepsTheFirstBlocksOfTheFullBody) {
  torch::manual_seed(5);
  Gpt2Body full(gpt2_config("gpt2-tiny"));
  torch::manual_seed(5);
  Gpt2Body kept(gpt2_config("gpt2-tiny"), 2);
  EXPECT_EQ(kept->h->size(), 2u);
  EXPECT_EQ(kept->config().n_layer, 2);
  const auto full_parameters = parameter_map(*full);
  const auto kept_parameters = parameter_map(*kept);
  EXPECT_EQ(kept_parameters.size(), full_parameters.size() - 12);
  for (const auto& [name, tensor] : kept_parameters)
    EXPECT_TRUE(torch::equal(tensor, full_parameters.at(name))) << name;
  EXPECT_THROW(Gpt2Body(gpt2_config("gpt2-tiny"), 4), fpt::Error);
}

// --- a naive GPT-2, written from the definition with explicit operations ----------------------

torch::Tensor naive_layer_norm(const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, double eps) {
  const torch::Tensor mean     = x.mean(-1, /*keepdim=*/true);
  const torch::Tensor variance = (x - mean).pow(2).mean(-1, /*keepdim=*/true);  // biased
  return (x - mean) / torch::sqrt(variance + eps) * weight + bias;
}

torch::Tensor naive_gelu(const torch::Tensor& x) {
  return 0.5 * x * (1.0 + torch::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x.pow(3))));
}

torch::Tensor naive_gpt2(const std::map<std::string, torch::Tensor>& p, const Gpt2Config& config,
                         const torch::Tensor& x) {
  const int64_t       B = x.size(0), T = x.size(1), C = x.size(2), H = config.n_head, D = C / H;
  const double        eps    = config.layer_norm_epsilon;
  const torch::Tensor future = torch::ones({T, T}, torch::kBool).triu(1);  // key after query
  torch::Tensor       h      = x + p.at("wpe.weight").slice(0, 0, T);
  for (int64_t layer = 0; layer < config.n_layer; ++layer) {
    const std::string   b = "h." + std::to_string(layer) + ".";
    const torch::Tensor a =
        naive_layer_norm(h, p.at(b + "ln_1.weight"), p.at(b + "ln_1.bias"), eps);
    const torch::Tensor qkv =
        a.matmul(p.at(b + "attn.c_attn.weight")) + p.at(b + "attn.c_attn.bias");
    auto heads = [&](int64_t index) {
      return qkv.slice(2, index * C, (index + 1) * C).reshape({B, T, H, D}).permute({0, 2, 1, 3});
    };
    const torch::Tensor q = heads(0), k = heads(1), v = heads(2);  // (B, H, T, D)
    torch::Tensor       scores = q.matmul(k.transpose(-1, -2)) / std::sqrt(static_cast<double>(D));
    scores = scores.masked_fill(future, -std::numeric_limits<double>::infinity());
    const torch::Tensor attended =
        torch::softmax(scores, -1).matmul(v).permute({0, 2, 1, 3}).reshape({B, T, C});
    h = h + attended.matmul(p.at(b + "attn.c_proj.weight")) + p.at(b + "attn.c_proj.bias");
    const torch::Tensor m =
        naive_layer_norm(h, p.at(b + "ln_2.weight"), p.at(b + "ln_2.bias"), eps);
    const torch::Tensor hidden =
        naive_gelu(m.matmul(p.at(b + "mlp.c_fc.weight")) + p.at(b + "mlp.c_fc.bias"));
    h = h + hidden.matmul(p.at(b + "mlp.c_proj.weight")) + p.at(b + "mlp.c_proj.bias");
  }
  return naive_layer_norm(h, p.at("ln_f.weight"), p.at("ln_f.bias"), eps);
}

TEST(Gpt2Body, ForwardMatchesNaiveImplementation) {
  torch::manual_seed(6);
  const Gpt2Config config = gpt2_config("gpt2-tiny");
  Gpt2Body         body(config);
  body->eval();
  torch::NoGradGuard no_grad;
  // Non-trivial values everywhere (the init's zero biases and unit LayerNorms would hide a swapped
  // or ignored parameter; small weights would make attention nearly uniform and hide the mask).
  for (auto& item : body->named_parameters()) {
    torch::Tensor& p = item.value();
    if (p.dim() == 1 && item.key().find(".bias") == std::string::npos)
      p.normal_(1.0, 0.2);  // LayerNorm gains
    else
      p.normal_(0.0, p.dim() == 1 ? 0.2 : 0.1);
  }
  const auto          parameters = parameter_map(*body);
  const torch::Tensor x          = torch::randn({2, 12, 128});
  const torch::Tensor expected   = naive_gpt2(parameters, config, x);
  EXPECT_LT(max_abs_difference(body(x), expected), 1e-5);

  // The test can see the Conv1D trap: a transposed square attn.c_proj changes the result.
  body->h[0]->as<Gpt2Block>()->attn->c_proj->weight.copy_(
      parameters.at("h.0.attn.c_proj.weight").t().clone());
  EXPECT_GT(max_abs_difference(body(x), expected), 1e-3);
}

}  // namespace
}  // namespace fpt::models
