#include "fpt/models/lstm_body.h"

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"
#include "fpt/models/checkpoint_reader.h"

namespace fpt::models {
namespace {

std::string shape_of(const torch::Tensor& tensor) {
  return fmt::format("[{}]", fmt::join(tensor.sizes().vec(), ", "));
}

// U(-bound, bound) in place, without recording the write in autograd.
void uniform_in_place(torch::Tensor& parameter, double bound) {
  torch::NoGradGuard no_grad;
  parameter.uniform_(-bound, bound);
}

}  // namespace

// --- LayerNorm --------------------------------------------------------------------------------

LstmLayerNormImpl::LstmLayerNormImpl(int64_t size_, double epsilon_)
    : size(size_), epsilon(epsilon_) {
  if (size < 2)
    fail("LSTM LayerNorm: size {} is too small; the unbiased variance needs at least 2 features",
         size);
  alpha = register_parameter("alpha", torch::empty({size}));
  beta  = register_parameter("beta", torch::empty({size}));
  reset_parameters();
}

void LstmLayerNormImpl::reset_parameters() {
  // lstm.py LayerNorm.reset_parameters: std = 1/sqrt(input_size); every parameter U(-std, std)
  const double bound = 1.0 / std::sqrt(static_cast<double>(size));
  uniform_in_place(alpha, bound);
  uniform_in_place(beta, bound);
}

torch::Tensor LstmLayerNormImpl::fused_gain() const {
  return alpha * std::sqrt(static_cast<double>(size - 1) / static_cast<double>(size));
}

torch::Tensor LstmLayerNormImpl::normalize(const torch::Tensor& x,
                                           const torch::Tensor& gain) const {
  // biased-variance layer_norm with eps (n-1)/n and gain alpha sqrt((n-1)/n) == the official
  // unbiased-variance formula (see the header)
  const double fused_epsilon = epsilon * static_cast<double>(size - 1) / static_cast<double>(size);
  return at::layer_norm(x, {size}, gain, beta, fused_epsilon);
}

torch::Tensor LstmLayerNormImpl::forward(const torch::Tensor& x) {
  return normalize(x, fused_gain());
}

// --- one layer-normalised layer ---------------------------------------------------------------

LayerNormLstmLayerImpl::LayerNormLstmLayerImpl(int64_t input_size, int64_t hidden_size_,
                                               double dropout_)
    : hidden_size(hidden_size_), dropout(dropout_) {
  // Registration (and drawing) order as in LayerNormLSTM.__init__: i2h, h2h, ln_h2h, ln_i2h,
  // ln_cell.
  i2h       = register_module("i2h", torch::nn::Linear(input_size, 4 * hidden_size));
  h2h       = register_module("h2h", torch::nn::Linear(hidden_size, 4 * hidden_size));
  ln_hidden = register_module("ln_hidden", LstmLayerNorm(4 * hidden_size));
  ln_input  = register_module("ln_input", LstmLayerNorm(4 * hidden_size));
  ln_cell   = register_module("ln_cell", LstmLayerNorm(hidden_size));
  reset_parameters();
}

void LayerNormLstmLayerImpl::reset_parameters() {
  // LSTMcell.reset_parameters: std = 1/sqrt(hidden_size) for i2h and h2h (weights and biases);
  // the LayerNorms keep their own 1/sqrt(n) (they are created after that call in the official
  // __init__, and LNLSTM.reset_parameters is never called by fpt.py).
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  uniform_in_place(i2h->weight, bound);
  uniform_in_place(i2h->bias, bound);
  uniform_in_place(h2h->weight, bound);
  uniform_in_place(h2h->bias, bound);
  ln_hidden->reset_parameters();
  ln_input->reset_parameters();
  ln_cell->reset_parameters();
}

torch::Tensor LayerNormLstmLayerImpl::forward(const torch::Tensor& x, torch::Tensor h,
                                              torch::Tensor c) {
  const int64_t T = x.size(0), H = hidden_size;
  const bool    drop = is_training() && dropout > 0.0;
  // The input half of the pre-activation for all steps at once: (T, B, 4H).
  const torch::Tensor        input_preact = ln_input(i2h(x));
  const torch::Tensor        hidden_gain  = ln_hidden->fused_gain();
  const torch::Tensor        cell_gain    = ln_cell->fused_gain();
  std::vector<torch::Tensor> outputs;
  outputs.reserve(static_cast<size_t>(T));
  for (int64_t t = 0; t < T; ++t) {
    // (B, 4H), gate blocks in the order i, f, o, g
    const torch::Tensor preact =
        input_preact.select(0, t) + ln_hidden->normalize(h2h(h), hidden_gain);
    const torch::Tensor gates       = preact.narrow(1, 0, 3 * H).sigmoid();  // i, f, o
    const torch::Tensor input_gate  = gates.narrow(1, 0, H);
    const torch::Tensor forget_gate = gates.narrow(1, H, H);
    const torch::Tensor output_gate = gates.narrow(1, 2 * H, H);
    const torch::Tensor candidate   = preact.narrow(1, 3 * H, H).tanh();  // g
    c = ln_cell->normalize(torch::addcmul(c * forget_gate, input_gate, candidate), cell_gain);
    h = output_gate * c.tanh();
    if (drop) h = torch::dropout(h, dropout, /*train=*/true);
    outputs.push_back(h);
  }
  return torch::stack(outputs, 0);  // (T, B, H)
}

// --- body -------------------------------------------------------------------------------------

LstmBodyImpl::LstmBodyImpl(LstmConfig config, int64_t keep_layers) : config_(config) {
  check_lstm_config(config_, "LSTM body");
  if (keep_layers < 0 || keep_layers > config_.n_layer)
    fail(
        "LSTM body: cannot keep {} layers of a {}-layer body (n_layer must be 0 for all, or "
        "between 1 and {})",
        keep_layers, config_.n_layer, config_.n_layer);
  // Layers are drawn first to last and nothing is drawn after them, so building only the kept
  // ones gives the first layers of the full body under the same seed.
  if (keep_layers > 0) config_.n_layer = keep_layers;
  const int64_t C = config_.width;
  if (config_.layer_norm) {
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t layer = 0; layer < config_.n_layer; ++layer)
      layers->push_back(LayerNormLstmLayer(C, C, config_.dropout));
  } else {
    lstm           = register_module("lstm",
                                     torch::nn::LSTM(torch::nn::LSTMOptions(C, C)
                                                         .num_layers(config_.n_layer)
                                                         .dropout(config_.n_layer > 1 ? config_.dropout : 0.0)
                                                         .batch_first(true)));
    output_dropout = register_module("output_dropout", torch::nn::Dropout(config_.dropout));
  }
}

void LstmBodyImpl::reset_parameters() {
  if (config_.layer_norm) {
    for (size_t layer = 0; layer < layers->size(); ++layer)
      layers->ptr<LayerNormLstmLayerImpl>(layer)->reset_parameters();
  } else {
    lstm->reset_parameters();  // every weight and bias U(-1/sqrt(H), 1/sqrt(H))
  }
}

std::pair<torch::Tensor, torch::Tensor> LstmBodyImpl::initial_state(
    int64_t batch, const torch::TensorOptions& options) const {
  // LNLSTM.init_hidden: std = sqrt(2 / (input_size + hidden_size)); per layer
  // Tensor(1, B, H).normal_(0, std) for h, then for c, on the CPU, then .cuda().
  const int64_t              C   = config_.width;
  const double               std = std::sqrt(2.0 / static_cast<double>(C + C));
  std::vector<torch::Tensor> hs, cs;
  for (int64_t layer = 0; layer < config_.n_layer; ++layer) {
    hs.push_back(torch::empty({1, batch, C}).normal_(0.0, std));
    cs.push_back(torch::empty({1, batch, C}).normal_(0.0, std));
  }
  return {torch::cat(hs, 0).to(options), torch::cat(cs, 0).to(options)};
}

void LstmBodyImpl::check_embeddings(const torch::Tensor& embeddings) const {
  if (embeddings.dim() != 3 || embeddings.size(2) != config_.width)
    fail("LSTM body: expected embeddings of shape (batch, tokens, {}), got {}", config_.width,
         shape_of(embeddings));
  if (embeddings.size(1) < 1)
    fail("LSTM body: the sequence is empty (shape {})", shape_of(embeddings));
}

torch::Tensor LstmBodyImpl::forward(const torch::Tensor& embeddings) {
  check_embeddings(embeddings);
  const auto [initial_h, initial_c] = initial_state(embeddings.size(0), embeddings.options());
  return forward(embeddings, initial_h, initial_c);
}

torch::Tensor LstmBodyImpl::forward(const torch::Tensor& embeddings, const torch::Tensor& initial_h,
                                    const torch::Tensor& initial_c) {
  check_embeddings(embeddings);
  const std::vector<int64_t> state_shape = {config_.n_layer, embeddings.size(0), config_.width};
  if (initial_h.sizes().vec() != state_shape || initial_c.sizes().vec() != state_shape)
    fail("LSTM body: initial h and c must have shape [{}] (layers, batch, width), got {} and {}",
         fmt::join(state_shape, ", "), shape_of(initial_h), shape_of(initial_c));
  if (!config_.layer_norm) {
    // (B, T, C) in and out (batch_first); the final (h, c) is not used, as in fpt.py
    auto output = std::get<0>(lstm->forward(embeddings, std::make_tuple(initial_h, initial_c)));
    return output_dropout(output);
  }
  // Layers run time-major (T, B, C) so that each step's slice is contiguous.
  torch::Tensor x = embeddings.transpose(0, 1);
  for (size_t layer = 0; layer < layers->size(); ++layer) {
    const auto index = static_cast<int64_t>(layer);
    x = layers->ptr<LayerNormLstmLayerImpl>(layer)->forward(x, initial_h.select(0, index),
                                                            initial_c.select(0, index));
  }
  return x.transpose(0, 1).contiguous();  // (B, T, C)
}

std::vector<std::string> LstmBodyImpl::load_checkpoint(CheckpointReader& reader) {
  std::vector<std::string> loaded;
  for (auto& item : named_parameters(/*recurse=*/true)) {
    if (reader.copy_into(item.value(), item.key())) loaded.push_back(item.key());
  }
  reader.finish();
  return loaded;
}

}  // namespace fpt::models
