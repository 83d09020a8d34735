// Tests of the LSTM baseline body: configs, parameter names and their groups, the official
// initialisation (LayerNorm gain and bias U(±1/sqrt(n)), weights U(±1/sqrt(H)), the random initial
// state), the official unbiased-variance LayerNorm against its formula, the layer-normalised cell
// against a hand-written reference over several steps and layers (double precision), dropout
// sites, determinism, gradient flow, a frozen random LSTM that trains only its LayerNorms on a
// copy task, the fast torch::nn::LSTM path against the plain LSTM equations, and (printed, not
// asserted) forward+backward time of the two paths.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/models/lstm_body.h"
#include "fpt/models/lstm_config.h"
#include "fpt/models/parameter_groups.h"

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

LstmConfig small_config(int64_t n_layer, int64_t width, double dropout, bool layer_norm = true) {
  LstmConfig config;
  config.n_layer    = n_layer;
  config.width      = width;
  config.dropout    = dropout;
  config.layer_norm = layer_norm;
  return config;
}

// lstm.py LayerNorm.forward written out: (x - mean) / sqrt(unbiased var + eps) * alpha + beta,
// with explicit sums (no torch.var) over the last dim of a (rows, n) tensor.
torch::Tensor official_layer_norm(const torch::Tensor& x, const torch::Tensor& alpha,
                                  const torch::Tensor& beta, double epsilon = 1e-6) {
  const int64_t       n        = x.size(-1);
  const torch::Tensor mean     = x.sum(-1, /*keepdim=*/true) / static_cast<double>(n);
  const torch::Tensor centered = x - mean;
  const torch::Tensor variance =
      (centered * centered).sum(-1, /*keepdim=*/true) / static_cast<double>(n - 1);
  return alpha * centered / torch::sqrt(variance + epsilon) + beta;
}

// LayerNormLSTM.forward for one step, from the layer's own parameters. `normalised_carry` false
// carries the un-normalised cell instead (Ba et al.'s variant), to show the test can tell them
// apart.
void reference_step(LayerNormLstmLayerImpl& layer, const torch::Tensor& x, torch::Tensor& h,
                    torch::Tensor& c, bool normalised_carry = true) {
  const int64_t       H   = layer.hidden_size;
  const torch::Tensor i2h = torch::matmul(x, layer.i2h->weight.t()) + layer.i2h->bias;
  const torch::Tensor h2h = torch::matmul(h, layer.h2h->weight.t()) + layer.h2h->bias;
  const torch::Tensor preact =
      official_layer_norm(i2h, layer.ln_input->alpha, layer.ln_input->beta) +
      official_layer_norm(h2h, layer.ln_hidden->alpha, layer.ln_hidden->beta);
  const torch::Tensor i    = torch::sigmoid(preact.slice(1, 0, H));
  const torch::Tensor f    = torch::sigmoid(preact.slice(1, H, 2 * H));
  const torch::Tensor o    = torch::sigmoid(preact.slice(1, 2 * H, 3 * H));
  const torch::Tensor g    = torch::tanh(preact.slice(1, 3 * H, 4 * H));
  const torch::Tensor cell = c * f + i * g;
  const torch::Tensor normalised =
      official_layer_norm(cell, layer.ln_cell->alpha, layer.ln_cell->beta);
  h = o * torch::tanh(normalised);
  c = normalised_carry ? normalised : cell;
}

// The whole layer-normalised body by reference_step, batch-first in and out.
torch::Tensor reference_body(LstmBodyImpl& body, const torch::Tensor& embeddings,
                             const torch::Tensor& initial_h, const torch::Tensor& initial_c,
                             bool normalised_carry = true) {
  torch::Tensor x = embeddings;  // (B, T, C)
  for (size_t l = 0; l < body.layers->size(); ++l) {
    auto&                      layer = *body.layers->ptr<LayerNormLstmLayerImpl>(l);
    torch::Tensor              h     = initial_h[static_cast<int64_t>(l)];
    torch::Tensor              c     = initial_c[static_cast<int64_t>(l)];
    std::vector<torch::Tensor> outputs;
    for (int64_t t = 0; t < x.size(1); ++t) {
      reference_step(layer, x.select(1, t), h, c, normalised_carry);
      outputs.push_back(h);
    }
    x = torch::stack(outputs, 1);
  }
  return x;
}

TEST(LstmConfig, NamedSizes) {
  const LstmConfig lstm = lstm_config("lstm");
  EXPECT_EQ(lstm.n_layer, 3);
  EXPECT_EQ(lstm.width, 768);
  EXPECT_DOUBLE_EQ(lstm.dropout, 0.1);
  EXPECT_TRUE(lstm.layer_norm);
  const LstmConfig tiny = lstm_config("lstm-tiny");
  EXPECT_EQ(tiny.n_layer, 2);
  EXPECT_EQ(tiny.width, 64);
  EXPECT_TRUE(tiny.layer_norm);
}

TEST(LstmConfig, UnknownNameListsValidBodies) {
  try {
    lstm_config("gru");
    FAIL() << "gru accepted";
  } catch (const fpt::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("gru"), std::string::npos) << message;
    EXPECT_NE(message.find("lstm-tiny"), std::string::npos) << message;
  }
  EXPECT_THROW({ LstmBody body(small_config(0, 8, 0.1)); }, fpt::Error);
  EXPECT_THROW({ LstmBody body(small_config(2, 8, 1.0)); }, fpt::Error);
  EXPECT_THROW({ LstmBody body(small_config(2, 8, 0.1), /*keep_layers=*/3); }, fpt::Error);
}

TEST(LstmBody, ParameterNamesShapesAndGroups) {
  const LstmBody body(lstm_config("lstm"));
  const auto     parameters = parameter_map(*body);
  const int64_t  C = 768, G = 4 * 768;
  EXPECT_EQ(parameters.size(), 3u * 10u);
  for (int layer = 0; layer < 3; ++layer) {
    const std::string prefix = "layers." + std::to_string(layer) + ".";
    EXPECT_EQ(parameters.at(prefix + "i2h.weight").sizes(), (std::vector<int64_t>{G, C}));
    EXPECT_EQ(parameters.at(prefix + "i2h.bias").sizes(), (std::vector<int64_t>{G}));
    EXPECT_EQ(parameters.at(prefix + "h2h.weight").sizes(), (std::vector<int64_t>{G, C}));
    EXPECT_EQ(parameters.at(prefix + "h2h.bias").sizes(), (std::vector<int64_t>{G}));
    for (const char* norm : {"ln_input", "ln_hidden"}) {
      EXPECT_EQ(parameters.at(prefix + norm + ".alpha").sizes(), (std::vector<int64_t>{G}));
      EXPECT_EQ(parameters.at(prefix + norm + ".beta").sizes(), (std::vector<int64_t>{G}));
    }
    EXPECT_EQ(parameters.at(prefix + "ln_cell.alpha").sizes(), (std::vector<int64_t>{C}));
    EXPECT_EQ(parameters.at(prefix + "ln_cell.beta").sizes(), (std::vector<int64_t>{C}));
  }
  int64_t layer_norm_elements = 0;
  for (const auto& [name, parameter] : parameters) {
    const bool is_layer_norm = name.find(".ln_") != std::string::npos;
    EXPECT_EQ(group_of("body." + name),
              is_layer_norm ? ParameterGroup::ln : ParameterGroup::recurrent)
        << name;
    if (is_layer_norm) {
      layer_norm_elements += parameter.numel();
      EXPECT_EQ(name.find("i2h"), std::string::npos) << name;
      EXPECT_EQ(name.find("h2h"), std::string::npos) << name;
    }
  }
  // per layer: two LayerNorms of 4C and one of C, each alpha + beta
  EXPECT_EQ(layer_norm_elements, 3 * 2 * (4 * C + 4 * C + C));
  EXPECT_EQ(body->family(), "lstm");
  EXPECT_EQ(body->max_positions(), 0);
  EXPECT_EQ(body->width(), 768);

  const LstmBody fast(small_config(2, 16, 0.1, /*layer_norm=*/false));
  const auto     fast_parameters = parameter_map(*fast);
  EXPECT_EQ(fast_parameters.size(), 8u);
  for (const char* name :
       {"lstm.weight_ih_l0", "lstm.weight_hh_l1", "lstm.bias_ih_l0", "lstm.bias_hh_l1"})
    EXPECT_EQ(fast_parameters.count(name), 1u) << name;
  for (const auto& [name, parameter] : fast_parameters)
    EXPECT_EQ(group_of("body." + name), ParameterGroup::recurrent) << name;
}

TEST(LstmBody, OfficialInitialisation) {
  torch::manual_seed(3);
  LstmBody      body(small_config(2, 64, 0.1));
  const int64_t H = 64;
  for (const auto& [name, parameter] : parameter_map(*body)) {
    // LayerNorms: U(±1/sqrt(n)) for alpha and beta alike (not 1 and 0); weights: U(±1/sqrt(H))
    const int64_t n       = name.find(".ln_") != std::string::npos ? parameter.size(0) : H;
    const double  bound   = 1.0 / std::sqrt(static_cast<double>(n));
    const double  largest = parameter.abs().max().item<double>();
    EXPECT_LE(largest, bound) << name;
    EXPECT_GT(largest, 0.9 * bound) << name;
    EXPECT_LT(std::abs(parameter.mean().item<double>()), 0.2 * bound) << name;
  }
  // reset_parameters re-draws every parameter within the same bounds
  const auto                           before = parameter_map(*body);
  std::map<std::string, torch::Tensor> copies;
  for (const auto& [name, parameter] : before) copies[name] = parameter.clone();
  body->reset_parameters();
  for (const auto& [name, parameter] : parameter_map(*body)) {
    EXPECT_FALSE(torch::equal(parameter, copies.at(name))) << name;
    const int64_t n = name.find(".ln_") != std::string::npos ? parameter.size(0) : H;
    EXPECT_LE(parameter.abs().max().item<double>(), 1.0 / std::sqrt(static_cast<double>(n)));
  }
  LstmBody fast(small_config(2, 64, 0.1, /*layer_norm=*/false));
  for (const auto& [name, parameter] : parameter_map(*fast))
    EXPECT_LE(parameter.abs().max().item<double>(), 1.0 / std::sqrt(64.0)) << name;
}

TEST(LstmBody, InitialStateIsXavierNormal) {
  torch::manual_seed(4);
  const LstmBody body(small_config(2, 64, 0.1));
  const auto [h, c] = body->initial_state(4000, torch::TensorOptions().dtype(torch::kFloat64));
  EXPECT_EQ(h.sizes(), (std::vector<int64_t>{2, 4000, 64}));
  EXPECT_EQ(c.sizes(), (std::vector<int64_t>{2, 4000, 64}));
  EXPECT_EQ(h.scalar_type(), torch::kFloat64);
  const double expected_std = std::sqrt(2.0 / (64 + 64));  // sqrt(2 / (in + hidden))
  for (const torch::Tensor& state : {h, c}) {
    EXPECT_NEAR(state.std().item<double>(), expected_std, 0.01 * expected_std);
    EXPECT_NEAR(state.mean().item<double>(), 0.0, 0.01 * expected_std);
  }
  EXPECT_FALSE(torch::equal(h, c));
  EXPECT_FALSE(torch::equal(h[0], h[1]));
}

TEST(LstmLayerNorm, UnbiasedVarianceFormula) {
  torch::manual_seed(5);
  LstmLayerNorm norm(6);
  norm->to(torch::kFloat64);
  const torch::Tensor x = torch::randn({4, 6}, torch::kFloat64) * 3.0 + 1.0;
  // the official formula with the layer's random alpha and beta
  EXPECT_LT(max_abs_difference(norm(x), official_layer_norm(x, norm->alpha, norm->beta)), 1e-12);
  // with alpha 1, beta 0 the result has unbiased variance v/(v+eps) ~ 1 per row, i.e. a biased
  // variance of (n-1)/n: distinguishable from nn.LayerNorm's biased-variance result
  {
    torch::NoGradGuard no_grad;
    norm->alpha.fill_(1.0);
    norm->beta.zero_();
  }
  const torch::Tensor y = norm(x);
  EXPECT_LT(max_abs_difference(y, official_layer_norm(x, norm->alpha, norm->beta)), 1e-12);
  EXPECT_LT(max_abs_difference(y.var(1, /*unbiased=*/true), torch::ones({4}, torch::kFloat64)),
            1e-5);
  const torch::Tensor biased = torch::layer_norm(x, {6}, {}, {}, 1e-6);
  EXPECT_GT(max_abs_difference(y, biased), 1e-2);
  // any leading dims: (2, 3, 6) row by row
  const torch::Tensor x3 = torch::randn({2, 3, 6}, torch::kFloat64);
  EXPECT_LT(
      max_abs_difference(
          norm(x3),
          official_layer_norm(x3.reshape({6, 6}), norm->alpha, norm->beta).reshape({2, 3, 6})),
      1e-12);
}

TEST(LstmBody, LayerNormCellMatchesHandWrittenReference) {
  torch::manual_seed(6);
  LstmBody body(small_config(2, 5, 0.1));
  body->to(torch::kFloat64);
  body->eval();
  const torch::Tensor x = torch::randn({3, 4, 5}, torch::kFloat64);
  const auto [h0, c0]   = body->initial_state(3, torch::TensorOptions().dtype(torch::kFloat64));
  const torch::Tensor output = body->forward(x, h0, c0);
  EXPECT_EQ(output.sizes(), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_LT(max_abs_difference(output, reference_body(*body, x, h0, c0)), 1e-12);
  // the carried cell state is the normalised one (official), not the raw one (Ba et al.)
  EXPECT_GT(max_abs_difference(output, reference_body(*body, x, h0, c0, false)), 1e-4);
  // one step, one layer, checked on the first step only: the initial state matters
  const torch::Tensor other_h0 = h0 + 0.5;
  EXPECT_GT(max_abs_difference(body->forward(x, other_h0, c0).select(1, 0), output.select(1, 0)),
            1e-6);
}

TEST(LstmBody, ShapesAndNoLengthLimit) {
  torch::manual_seed(7);
  LstmBody body(lstm_config("lstm-tiny"));
  EXPECT_EQ(body->forward(torch::randn({2, 7, 64})).sizes(), (std::vector<int64_t>{2, 7, 64}));
  body->eval();
  EXPECT_EQ(body->forward(torch::randn({1, 1100, 64})).sizes(),
            (std::vector<int64_t>{1, 1100, 64}));
  EXPECT_THROW(body->forward(torch::randn({2, 7, 32})), fpt::Error);
  EXPECT_THROW(body->forward(torch::randn({2, 64})), fpt::Error);
  EXPECT_THROW(
      body->forward(torch::randn({2, 7, 64}), torch::zeros({2, 3, 64}), torch::zeros({2, 3, 64})),
      fpt::Error);
}

TEST(LstmBody, KeepLayersKeepsTheFirstLayersOfTheFullBody) {
  torch::manual_seed(8);
  const LstmBody full(small_config(3, 8, 0.1));
  torch::manual_seed(8);
  const LstmBody kept(small_config(3, 8, 0.1), /*keep_layers=*/2);
  EXPECT_EQ(kept->config().n_layer, 2);
  const auto full_parameters = parameter_map(*full);
  const auto kept_parameters = parameter_map(*kept);
  EXPECT_EQ(kept_parameters.size(), 20u);
  for (const auto& [name, parameter] : kept_parameters)
    EXPECT_TRUE(torch::equal(parameter, full_parameters.at(name))) << name;
}

TEST(LstmBody, DeterministicUnderSeedAndRandomInitialStateEveryForward) {
  auto run = [](uint64_t seed) {
    torch::manual_seed(seed);
    LstmBody body(small_config(2, 16, 0.1));
    return body->forward(torch::randn({2, 5, 16}));  // training mode: dropout active
  };
  EXPECT_TRUE(torch::equal(run(11), run(11)));
  EXPECT_FALSE(torch::equal(run(11), run(12)));
  // eval mode: no dropout, but each forward draws a new initial state (official init_hidden)
  torch::manual_seed(13);
  LstmBody body(small_config(2, 16, 0.1));
  body->eval();
  const torch::Tensor x = torch::randn({2, 5, 16});
  EXPECT_FALSE(torch::equal(body->forward(x), body->forward(x)));
  const auto [h0, c0] = body->initial_state(2, x.options());
  EXPECT_TRUE(torch::equal(body->forward(x, h0, c0), body->forward(x, h0, c0)));
}

TEST(LstmBody, DropoutOnEveryLayersHiddenStateInTrainingOnly) {
  torch::manual_seed(14);
  LstmBody            body(small_config(2, 32, 0.5));
  const torch::Tensor x   = torch::randn({8, 20, 32});
  const auto [h0, c0]     = body->initial_state(8, x.options());
  const torch::Tensor out = body->forward(x, h0, c0);
  // the last layer's h is dropped too (zeros at about half the entries, the rest scaled by 2)
  const double zero_fraction = (out == 0).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(zero_fraction, 0.5, 0.05);
  body->eval();
  const torch::Tensor eval_out = body->forward(x, h0, c0);
  EXPECT_EQ((eval_out == 0).sum().item<int64_t>(), 0);
  // One layer: the dropped h is also the next step's hidden state (the official in-place
  // dropout). At step 0 the kept entries are exactly twice the eval ones; later steps differ.
  torch::manual_seed(19);
  LstmBody single(small_config(1, 32, 0.5));
  const auto [h1, c1]         = single->initial_state(8, x.options());
  const torch::Tensor dropped = single->forward(x, h1, c1);
  single->eval();
  const torch::Tensor clean      = single->forward(x, h1, c1);
  const torch::Tensor first_kept = dropped.select(1, 0) != 0;
  EXPECT_LT(max_abs_difference(dropped.select(1, 0).masked_select(first_kept),
                               2.0 * clean.select(1, 0).masked_select(first_kept)),
            1e-5);
  const torch::Tensor later      = dropped.narrow(1, 1, 19);
  const torch::Tensor later_kept = later != 0;
  EXPECT_GT(max_abs_difference(later.masked_select(later_kept),
                               2.0 * clean.narrow(1, 1, 19).masked_select(later_kept)),
            1e-2);
}

TEST(LstmBody, GradientsReachEveryParameter) {
  for (const bool layer_norm : {true, false}) {
    torch::manual_seed(15);
    LstmBody            body(small_config(2, 16, 0.1, layer_norm));
    const torch::Tensor x = torch::randn({3, 6, 16}, torch::requires_grad());
    body->forward(x).pow(2).sum().backward();
    for (const auto& [name, parameter] : parameter_map(*body)) {
      ASSERT_TRUE(parameter.grad().defined()) << name;
      EXPECT_GT(parameter.grad().abs().sum().item<double>(), 0.0) << name;
    }
    EXPECT_GT(x.grad().abs().sum().item<double>(), 0.0);
  }
}

// The "frozen random LSTM" setting (paper §3.3): only the body's LayerNorms (plus input and output
// layers) train. On a delay-1 copy task (predict the previous token), which needs the recurrence,
// the loss falls well below chance within a few dozen Adam steps, and the frozen weights stay put.
TEST(LstmBody, FrozenRandomLstmTrainsItsLayerNorms) {
  torch::manual_seed(16);
  const int64_t                        vocabulary = 4, batch = 32, T = 12;
  LstmBody                             body(small_config(2, 64, 0.0));
  torch::nn::Embedding                 input_layer(vocabulary, 64);
  torch::nn::Linear                    output_layer(64, vocabulary);
  std::vector<torch::Tensor>           trainable;
  std::map<std::string, torch::Tensor> frozen_before;
  for (const auto& item : body->named_parameters()) {
    const bool trains = group_of("body." + item.key()) == ParameterGroup::ln;
    item.value().set_requires_grad(trains);
    if (trains)
      trainable.push_back(item.value());
    else
      frozen_before[item.key()] = item.value().detach().clone();
  }
  EXPECT_EQ(frozen_before.size(), 8u);  // i2h and h2h weight and bias, 2 layers
  for (const auto& parameter : input_layer->parameters()) trainable.push_back(parameter);
  for (const auto& parameter : output_layer->parameters()) trainable.push_back(parameter);
  torch::optim::Adam optimizer(trainable, torch::optim::AdamOptions(1e-2));

  auto loss_on = [&](const torch::Tensor& tokens) {
    const torch::Tensor logits = output_layer(body->forward(input_layer(tokens)));  // (B, T, V)
    // position t predicts token t-1
    return torch::cross_entropy_loss(logits.narrow(1, 1, T - 1).reshape({-1, vocabulary}),
                                     tokens.narrow(1, 0, T - 1).reshape({-1}));
  };
  const torch::Tensor evaluation_tokens = torch::randint(vocabulary, {256, T});
  double              initial_loss      = 0.0;
  {
    torch::NoGradGuard no_grad;
    initial_loss = loss_on(evaluation_tokens).item<double>();
  }
  for (int step = 0; step < 60; ++step) {
    optimizer.zero_grad();
    const torch::Tensor loss = loss_on(torch::randint(vocabulary, {batch, T}));
    loss.backward();
    optimizer.step();
  }
  double final_loss = 0.0;
  {
    torch::NoGradGuard no_grad;
    final_loss = loss_on(evaluation_tokens).item<double>();
  }
  std::printf("frozen random LSTM, delay-1 copy: loss %.4f -> %.4f (chance %.4f)\n", initial_loss,
              final_loss, std::log(static_cast<double>(vocabulary)));
  EXPECT_LT(final_loss, 0.5 * std::log(static_cast<double>(vocabulary)));
  EXPECT_LT(final_loss, 0.5 * initial_loss);
  for (const auto& [name, parameter] : parameter_map(*body))
    if (frozen_before.count(name)) {
      EXPECT_TRUE(torch::equal(parameter, frozen_before.at(name))) << name;
    }
}

// The fast path against the textbook LSTM that torch::nn::LSTM documents: gates in the order
// i, f, g, o, c = f c + i g, h = o tanh(c), no LayerNorm, layers stacked on each other's outputs.
TEST(LstmBody, FastPathMatchesPlainLstmEquations) {
  torch::manual_seed(17);
  LstmBody body(small_config(2, 6, 0.5, /*layer_norm=*/false));
  body->to(torch::kFloat64);
  body->eval();
  const int64_t       B = 3, T = 5, H = 6;
  const torch::Tensor x           = torch::randn({B, T, H}, torch::kFloat64);
  const auto [h0, c0]             = body->initial_state(B, x.options());
  const torch::Tensor out         = body->forward(x, h0, c0);
  const auto          parameters  = parameter_map(*body);
  torch::Tensor       layer_input = x;
  for (int64_t layer = 0; layer < 2; ++layer) {
    const std::string   suffix = "_l" + std::to_string(layer);
    const torch::Tensor w_ih   = parameters.at("lstm.weight_ih" + suffix);
    const torch::Tensor w_hh   = parameters.at("lstm.weight_hh" + suffix);
    const torch::Tensor b =
        parameters.at("lstm.bias_ih" + suffix) + parameters.at("lstm.bias_hh" + suffix);
    torch::Tensor              h = h0[layer], c = c0[layer];
    std::vector<torch::Tensor> outputs;
    for (int64_t t = 0; t < T; ++t) {
      const torch::Tensor gates =
          torch::matmul(layer_input.select(1, t), w_ih.t()) + torch::matmul(h, w_hh.t()) + b;
      const torch::Tensor i = torch::sigmoid(gates.slice(1, 0, H));
      const torch::Tensor f = torch::sigmoid(gates.slice(1, H, 2 * H));
      const torch::Tensor g = torch::tanh(gates.slice(1, 2 * H, 3 * H));
      const torch::Tensor o = torch::sigmoid(gates.slice(1, 3 * H, 4 * H));
      c                     = f * c + i * g;
      h                     = o * torch::tanh(c);
      outputs.push_back(h);
    }
    layer_input = torch::stack(outputs, 1);
  }
  EXPECT_LT(max_abs_difference(out, layer_input), 1e-12);
  // training mode: dropout on the output of the last layer as well
  body->train();
  const torch::Tensor train_out     = body->forward(x, h0, c0);
  const double        zero_fraction = (train_out == 0).to(torch::kFloat64).mean().item<double>();
  EXPECT_GT(zero_fraction, 0.3);
  EXPECT_EQ(body->forward(torch::randn({B, T, H}, torch::kFloat64)).sizes(),
            (std::vector<int64_t>{B, T, H}));
}

// Not asserted: forward+backward time of the layer-normalised path and the torch::nn::LSTM path
// for batch 4, 64 steps, width 256, 2 layers, on the GPU if there is one. On the CPU it is timed
// with torch's default thread count and with one thread: the per-step loop is many tiny ops, which
// OpenMP threads slow down badly when the cores are shared.
TEST(LstmBodyTiming, LayerNormVersusFastPathForwardBackward) {
  const torch::Device device          = torch::cuda::is_available() ? torch::kCUDA : torch::kCPU;
  const int           default_threads = torch::get_num_threads();
  std::vector<int>    thread_counts   = {default_threads};
  if (!device.is_cuda() && default_threads != 1) thread_counts.push_back(1);
  for (const int threads : thread_counts) {
    torch::set_num_threads(threads);
    for (const bool layer_norm : {true, false}) {
      torch::manual_seed(18);
      LstmBody body(small_config(2, 256, 0.1, layer_norm));
      body->to(device);
      const torch::Tensor x    = torch::randn({4, 64, 256}, torch::TensorOptions().device(device));
      auto                step = [&] {
        body->zero_grad();
        body->forward(x).sum().backward();
        if (device.is_cuda()) torch::cuda::synchronize();
      };
      step();  // warm-up
      const int  repeats = 2;
      const auto start   = std::chrono::steady_clock::now();
      for (int r = 0; r < repeats; ++r) step();
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count() /
          repeats;
      std::printf(
          "LSTM body %s on %s (%d threads): %.2f ms per forward+backward (B 4, T 64, C 256, 2 "
          "layers)\n",
          layer_norm ? "layer-normalised cell" : "torch::nn::LSTM fast path",
          device.is_cuda() ? "cuda" : "cpu", threads, ms);
    }
  }
  torch::set_num_threads(default_threads);
}

}  // namespace
}  // namespace fpt::models
