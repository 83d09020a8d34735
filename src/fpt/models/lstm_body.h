// The LSTM baseline body of the paper (3 layers, width 768, dropout 0.1, no positional table) as
// the official universal-computation code builds it (universal_computation/models/lstm.py, LNLSTM
// with LayerNormLSTM cells, called from fpt.py): LstmLayerNorm (the official unbiased-variance
// LayerNorm), LayerNormLstmLayer (one layer of layer-normalised cells run over a sequence) and
// LstmBody, which stacks them, or — with config.layer_norm = false — runs a plain torch::nn::LSTM
// instead (a faster, non-official variant).
//
// Parameter names (what parameter_groups.h classifies; "ln" means the LayerNorm group):
//   layer-normalised: layers.N.i2h.{weight,bias}, layers.N.h2h.{weight,bias},
//                     layers.N.ln_hidden.{alpha,beta}, layers.N.ln_input.{alpha,beta},
//                     layers.N.ln_cell.{alpha,beta}
//   fast path:        lstm.{weight_ih,weight_hh,bias_ih,bias_hh}_lN
// The official names are params.N.ln_i2h / ln_h2h; fpt calls them ln_input / ln_hidden so that no
// LayerNorm name contains "i2h" or "h2h" (the recurrent weights' words) and no other name contains
// "ln" or "norm", whatever order the group rules are checked in.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fpt/models/body.h"
#include "fpt/models/lstm_config.h"

namespace fpt::models {

// The official LayerNorm (lstm.py class LayerNorm, Ba et al.): over the last dim of size n,
//   y = alpha * (x - mean) / sqrt(var_unbiased + eps) + beta,   eps = 1e-6,
// i.e. torch.var's unbiased (n - 1) variance, not nn.LayerNorm's biased one; alpha and beta are
// both drawn U(-1/sqrt(n), 1/sqrt(n)) (not 1 and 0). Computed with the fused at::layer_norm using
//   y = [alpha * sqrt((n-1)/n)] * LN_biased(x, eps * (n-1)/n) + beta,
// which is the same function: (x - mean) / sqrt(var_u + eps)
//   = sqrt((n-1)/n) (x - mean) / sqrt(var_b + eps (n-1)/n), because var_u = var_b n / (n-1).
struct LstmLayerNormImpl : torch::nn::Module {
  explicit LstmLayerNormImpl(int64_t size, double epsilon = 1e-6);
  torch::Tensor forward(const torch::Tensor& x);  // (..., n) -> (..., n)

  // The gain at::layer_norm must use, alpha * sqrt((n-1)/n); computed once per sequence so the
  // time loop does not recompute it at every step.
  torch::Tensor fused_gain() const;
  // forward() with a precomputed fused_gain().
  torch::Tensor normalize(const torch::Tensor& x, const torch::Tensor& gain) const;
  // Re-draws alpha and beta from U(-1/sqrt(n), 1/sqrt(n)) as the official reset_parameters does.
  void reset_parameters();

  int64_t       size;
  double        epsilon;
  torch::Tensor alpha;  // (n) gain; the official shape is (1, n), the same values broadcast
  torch::Tensor beta;   // (n) bias
};
TORCH_MODULE(LstmLayerNorm);

// One layer of the official LayerNormLSTM cell, run over a whole sequence. Per step t:
//   preact = ln_input(i2h(x_t)) + ln_hidden(h2h(h))                  (B, 4H)
//   i, f, o = sigmoid(preact[:, 0:3H]) split in three; g = tanh(preact[:, 3H:4H])
//   c = ln_cell(f * c + i * g)      -- the normalised cell is what the next step receives
//   h = dropout(o * tanh(c))        -- training only; the dropped h is both the output and the
//                                      next step's hidden state (the official in-place dropout)
// i2h(x_t) and its LayerNorm do not depend on h, so they are computed for all steps at once.
struct LayerNormLstmLayerImpl : torch::nn::Module {
  LayerNormLstmLayerImpl(int64_t input_size, int64_t hidden_size, double dropout);
  // x (T, B, input) time-major, h and c the initial state (B, H) -> hidden states (T, B, H).
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor h, torch::Tensor c);
  // i2h and h2h weights and biases U(-1/sqrt(H), 1/sqrt(H)) (LSTMcell.reset_parameters), then the
  // three LayerNorms U(-1/sqrt(n), 1/sqrt(n)) with n = 4H, 4H, H.
  void reset_parameters();

  int64_t           hidden_size;
  double            dropout;
  torch::nn::Linear i2h{nullptr};        // input -> 4H, rows in gate order i, f, o, g
  torch::nn::Linear h2h{nullptr};        // H -> 4H, same order
  LstmLayerNorm     ln_hidden{nullptr};  // on h2h(h), n = 4H (official ln_h2h)
  LstmLayerNorm     ln_input{nullptr};   // on i2h(x), n = 4H (official ln_i2h)
  LstmLayerNorm     ln_cell{nullptr};    // on the cell state, n = H
};
TORCH_MODULE(LayerNormLstmLayer);

// The body: hidden states of the last layer for every step, (B, T, C) -> (B, T, C). No positional
// table (max_positions() = 0: any length). As in the official LNLSTM.forward with hiddens=None,
// every forward draws a fresh initial (h, c) for every layer, each N(0, sqrt(2 / (in + hidden)))
// from the CPU generator (then moved to the embeddings' device), also in eval mode — so the output
// is random even without dropout; forward(embeddings, initial_h, initial_c) takes a fixed one.
//
// config.layer_norm = false runs torch::nn::LSTM (cuDNN on GPU) instead. It differs from the
// official model in: no LayerNorms at all (the LayerNorm group is empty, so the "frozen random
// LSTM" setting has nothing to train in the body); torch's gate order i, f, g, o; the carried cell
// state is not normalised; dropout is applied to each layer's output sequence (between layers by
// torch, after the last layer by output_dropout) but not to the hidden state fed back into the
// recurrence. Initial weights (all U(-1/sqrt(H), 1/sqrt(H))) and the random initial state are the
// same as the official ones.
struct LstmBodyImpl : BodyImpl {
  // keep_layers > 0 keeps only the first keep_layers of config.n_layer layers (the kept ones are
  // those a full body would have under the same seed: layers are drawn first to last); 0 keeps all.
  explicit LstmBodyImpl(LstmConfig config, int64_t keep_layers = 0);

  // (B, T, C) -> (B, T, C) with a freshly drawn initial state (initial_state()).
  torch::Tensor forward(const torch::Tensor& embeddings) override;
  // (B, T, C) -> (B, T, C) from a given initial state: initial_h, initial_c (n_layer, B, C).
  torch::Tensor forward(const torch::Tensor& embeddings, const torch::Tensor& initial_h,
                        const torch::Tensor& initial_c);
  // The official init_hidden: for each layer, h then c, each (B, C) ~ N(0, sqrt(2 / (C + C)))
  // drawn on the CPU; returned stacked as (n_layer, B, C) each, converted to `options`.
  std::pair<torch::Tensor, torch::Tensor> initial_state(int64_t                     batch,
                                                        const torch::TensorOptions& options) const;

  int64_t     width() const override { return config_.width; }
  int64_t     max_positions() const override { return 0; }
  std::string family() const override { return "lstm"; }
  void        reset_parameters() override;
  // Accepts a body saved by fpt itself (its own parameter names, see the top of this file); the
  // official code publishes no LSTM checkpoint.
  std::vector<std::string> load_checkpoint(CheckpointReader& reader) override;

  // The config of this body; n_layer is the number of layers actually kept.
  const LstmConfig& config() const { return config_; }

  torch::nn::ModuleList layers{nullptr};  // LayerNormLstmLayer x n_layer (layer_norm = true)
  torch::nn::LSTM       lstm{nullptr};    // fast path (layer_norm = false)
  torch::nn::Dropout    output_dropout{nullptr};  // fast path: dropout on the last layer's output

 private:
  void check_embeddings(const torch::Tensor& embeddings) const;

  LstmConfig config_;
};
TORCH_MODULE(LstmBody);

}  // namespace fpt::models
