// The GPT-2 body (pre-LayerNorm, causal) as Hugging Face transformers 4.1.1 defines it, run from
// embeddings: Conv1D, Gpt2Attention, Gpt2Mlp, Gpt2Block and Gpt2Body. Every module is registered
// under its Hugging Face checkpoint name (wte, wpe, h.N.ln_1, h.N.attn.c_attn, ..., ln_f), so the
// body's named_parameters() are exactly the names in a GPT-2 model.safetensors file and loading
// real weights is a name lookup.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "fpt/models/body.h"
#include "fpt/models/gpt2_config.h"

namespace fpt::models {

// Hugging Face's Conv1D: a Linear whose weight is stored [in, out] (y = x·W + b), the layout of
// GPT-2 checkpoints. Loading such a weight into a Linear ([out, in]) would silently transpose it.
struct Conv1DImpl : torch::nn::Module {
  Conv1DImpl(int64_t in_features, int64_t out_features);
  torch::Tensor forward(const torch::Tensor& x);  // (..., in) -> (..., out)

  torch::Tensor weight;  // (in, out)
  torch::Tensor bias;    // (out)
};
TORCH_MODULE(Conv1D);

// Causal multi-head self-attention: q, k, v packed along c_attn's output dim, scale
// 1/sqrt(head_dim), dropout on the attention probabilities and on the projected output.
struct Gpt2AttentionImpl : torch::nn::Module {
  explicit Gpt2AttentionImpl(const Gpt2Config& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)

  int64_t            n_head;
  double             attention_dropout;  // probability, applied only in training mode
  Conv1D             c_attn{nullptr};    // C -> 3C
  Conv1D             c_proj{nullptr};    // C -> C
  torch::nn::Dropout resid_dropout{nullptr};
  // Attention maps (attention_probe.h): when set, forward computes softmax(q kᵀ/sqrt(d) + causal
  // mask) explicitly instead of the fused kernel (the same result to float rounding) and keeps
  // the probabilities, before dropout, in `probabilities` (B, n_head, T, T), detached.
  bool          keep_probabilities = false;
  torch::Tensor probabilities;
};
TORCH_MODULE(Gpt2Attention);

// Feed-forward: c_fc (C -> 4C), tanh-approximated GELU ("gelu_new"), c_proj (4C -> C), dropout.
struct Gpt2MlpImpl : torch::nn::Module {
  explicit Gpt2MlpImpl(const Gpt2Config& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)

  Conv1D             c_fc{nullptr};
  Conv1D             c_proj{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(Gpt2Mlp);

// One pre-LN block: x += attn(ln_1(x)); x += mlp(ln_2(x)).
struct Gpt2BlockImpl : torch::nn::Module {
  explicit Gpt2BlockImpl(const Gpt2Config& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)

  torch::nn::LayerNorm ln_1{nullptr};
  Gpt2Attention        attn{nullptr};
  torch::nn::LayerNorm ln_2{nullptr};
  Gpt2Mlp              mlp{nullptr};
};
TORCH_MODULE(Gpt2Block);

// The body: forward(embeddings) = ln_f(blocks(dropout(embeddings + wpe[0..T-1]))). The token
// table wte exists only so that checkpoints load by name; it is never used (FPT brings its own
// input layer). Initialised as transformers 4.1.1 does: every Conv1D/Embedding weight
// ~ N(0, 0.02), biases 0, LayerNorm weight 1 and bias 0, no depth-scaled init.
struct Gpt2BodyImpl : BodyImpl {
  // keep_layers > 0 keeps only the first keep_layers of config.n_layer blocks (all blocks are
  // still built and initialised, so the kept ones are those a full body would have); 0 keeps all.
  explicit Gpt2BodyImpl(Gpt2Config config, int64_t keep_layers = 0);
  torch::Tensor forward(
      const torch::Tensor& embeddings) override;  // (B, T, C) -> (B, T, C), T <= n_positions

  int64_t     width() const override { return config_.n_embd; }
  int64_t     max_positions() const override { return config_.n_positions; }
  std::string family() const override { return "gpt2"; }
  // Re-draws every parameter with the transformers 4.1.1 random initialisation.
  void reset_parameters() override;
  // A Hugging Face GPT-2 model.safetensors (with or without the "transformer." prefix; the
  // attn.bias / attn.masked_bias buffers and a tied lm_head are ignored; blocks beyond the kept
  // ones are ignored) or a body saved by fpt: the same names.
  std::vector<std::string> load_checkpoint(CheckpointReader& reader) override;
  // The config of this body; n_layer is the number of blocks actually kept.
  const Gpt2Config& config() const { return config_; }

  torch::nn::Embedding  wte{nullptr};  // (vocab_size, C), unused by forward
  torch::nn::Embedding  wpe{nullptr};  // (n_positions, C)
  torch::nn::Dropout    drop{nullptr};
  torch::nn::ModuleList h{nullptr};  // Gpt2Block x n_layer
  torch::nn::LayerNorm  ln_f{nullptr};

 private:
  Gpt2Config config_;
};
TORCH_MODULE(Gpt2Body);

}  // namespace fpt::models
