#include "fpt/models/gpt2.h"

#include "fpt/models/checkpoint_reader.h"

#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"

namespace fpt::models {
namespace {

constexpr double kInitStd = 0.02;  // transformers' initializer_range

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// transformers 4.1.1 GPT2PreTrainedModel._init_weights, applied to every parameter of `module`:
// matrices (Conv1D, Embedding) ~ N(0, 0.02), biases 0, LayerNorm weights (the only 1-D weights) 1.
void init_gpt2_parameters(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& item : module.named_parameters(/*recurse=*/true)) {
    const std::string& name      = item.key();
    torch::Tensor&     parameter = item.value();
    const bool         is_bias   = name == "bias" || ends_with(name, ".bias");
    if (is_bias) {
      parameter.zero_();
    } else if (parameter.dim() >= 2) {
      parameter.normal_(0.0, kInitStd);
    } else {
      parameter.fill_(1.0);
    }
  }
}

torch::nn::LayerNorm make_layer_norm(const Gpt2Config& config) {
  return torch::nn::LayerNorm(
      torch::nn::LayerNormOptions({config.n_embd}).eps(config.layer_norm_epsilon));
}

}  // namespace

// --- Conv1D -----------------------------------------------------------------------------------

Conv1DImpl::Conv1DImpl(int64_t in_features, int64_t out_features) {
  weight = register_parameter("weight", torch::empty({in_features, out_features}));
  bias   = register_parameter("bias", torch::zeros({out_features}));
  torch::NoGradGuard no_grad;
  weight.normal_(0.0, kInitStd);
}

torch::Tensor Conv1DImpl::forward(const torch::Tensor& x) {
  std::vector<int64_t> out_shape = x.sizes().vec();  // (..., in)
  out_shape.back()               = weight.size(1);   // (..., out)
  const torch::Tensor rows       = x.reshape({-1, x.size(-1)});
  return torch::addmm(bias, rows, weight).view(out_shape);
}

// --- attention --------------------------------------------------------------------------------

Gpt2AttentionImpl::Gpt2AttentionImpl(const Gpt2Config& config)
    : n_head(config.n_head), attention_dropout(config.dropout) {
  c_attn        = register_module("c_attn", Conv1D(config.n_embd, 3 * config.n_embd));
  c_proj        = register_module("c_proj", Conv1D(config.n_embd, config.n_embd));
  resid_dropout = register_module("resid_dropout", torch::nn::Dropout(config.dropout));
}

torch::Tensor Gpt2AttentionImpl::forward(const torch::Tensor& x) {
  const int64_t B = x.size(0), T = x.size(1), C = x.size(2);
  const int64_t head_dim = C / n_head;
  // (B, T, 3C) -> q, k, v each (B, n_head, T, head_dim)
  std::vector<torch::Tensor> qkv   = c_attn(x).split(C, /*dim=*/2);
  auto                       heads = [&](const torch::Tensor& t) {
    return t.view({B, T, n_head, head_dim}).transpose(1, 2);
  };
  const torch::Tensor q = heads(qkv[0]), k = heads(qkv[1]), v = heads(qkv[2]);
  const double        scale     = 1.0 / std::sqrt(static_cast<double>(head_dim));
  const double        dropout_p = is_training() ? attention_dropout : 0.0;
  // softmax(q kᵀ / sqrt(head_dim) + causal mask) v, with dropout on the probabilities when training
  torch::Tensor y;
  if (keep_probabilities) {  // the same computation spelled out, to keep the probabilities
    const torch::Tensor future =
        torch::ones({T, T}, torch::dtype(torch::kBool).device(x.device())).triu(1);  // (T, T)
    const torch::Tensor scores =
        torch::matmul(q, k.transpose(-2, -1)).mul(scale).masked_fill(future, -INFINITY);
    const torch::Tensor weights = torch::softmax(scores, -1);  // (B, n_head, T, T)
    probabilities               = weights.detach();
    y = torch::matmul(torch::dropout(weights, dropout_p, is_training()), v);
  } else {
    y = at::scaled_dot_product_attention(q, k, v, /*attn_mask=*/{}, dropout_p,
                                         /*is_causal=*/true, scale);
  }
  // (B, n_head, T, head_dim) -> (B, T, C)
  return resid_dropout(c_proj(y.transpose(1, 2).contiguous().view({B, T, C})));
}

// --- feed-forward -----------------------------------------------------------------------------

Gpt2MlpImpl::Gpt2MlpImpl(const Gpt2Config& config) {
  c_fc    = register_module("c_fc", Conv1D(config.n_embd, 4 * config.n_embd));
  c_proj  = register_module("c_proj", Conv1D(4 * config.n_embd, config.n_embd));
  dropout = register_module("dropout", torch::nn::Dropout(config.dropout));
}

torch::Tensor Gpt2MlpImpl::forward(const torch::Tensor& x) {
  // gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x³)))
  return dropout(c_proj(torch::gelu(c_fc(x), "tanh")));
}

// --- block ------------------------------------------------------------------------------------

Gpt2BlockImpl::Gpt2BlockImpl(const Gpt2Config& config) {
  ln_1 = register_module("ln_1", make_layer_norm(config));
  attn = register_module("attn", Gpt2Attention(config));
  ln_2 = register_module("ln_2", make_layer_norm(config));
  mlp  = register_module("mlp", Gpt2Mlp(config));
}

torch::Tensor Gpt2BlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x + attn(ln_1(x));
  return h + mlp(ln_2(h));
}

// --- body -------------------------------------------------------------------------------------

Gpt2BodyImpl::Gpt2BodyImpl(Gpt2Config config, int64_t keep_layers) : config_(config) {
  check_gpt2_config(config_, "GPT-2 body");
  if (keep_layers < 0 || keep_layers > config_.n_layer)
    fail(
        "GPT-2 body: cannot keep {} blocks of a {}-block body (n_layer must be 0 for all, or "
        "between 1 and {})",
        keep_layers, config_.n_layer, config_.n_layer);
  wte  = register_module("wte", torch::nn::Embedding(config_.vocab_size, config_.n_embd));
  wpe  = register_module("wpe", torch::nn::Embedding(config_.n_positions, config_.n_embd));
  drop = register_module("drop", torch::nn::Dropout(config_.dropout));
  init_gpt2_parameters(*wte);
  init_gpt2_parameters(*wpe);
  // Every block is built and initialised, in order, before the unkept ones are dropped: the kept
  // blocks are then exactly the first blocks of the full body under the same seed.
  const int64_t kept = keep_layers == 0 ? config_.n_layer : keep_layers;
  h                  = register_module("h", torch::nn::ModuleList());
  for (int64_t layer = 0; layer < config_.n_layer; ++layer) {
    Gpt2Block block(config_);
    init_gpt2_parameters(*block);
    if (layer < kept) h->push_back(block);
  }
  config_.n_layer = kept;
  ln_f            = register_module("ln_f", make_layer_norm(config_));
  init_gpt2_parameters(*ln_f);
}

void Gpt2BodyImpl::reset_parameters() {
  init_gpt2_parameters(*this);
}

std::vector<std::string> Gpt2BodyImpl::load_checkpoint(CheckpointReader& reader) {
  reader.strip_prefix("transformer.");
  const int64_t kept = config_.n_layer;
  reader.ignore([kept](const std::string& name) {
    if (ends_with(name, ".attn.bias") || ends_with(name, ".attn.masked_bias")) return true;
    if (name == "lm_head.weight") return true;  // tied to wte in GPT2LMHeadModel files
    // h.N.* of blocks this body does not keep (an n_layer override of a deeper checkpoint)
    return layer_index(name, "h.") >= kept;
  });
  std::vector<std::string> loaded;
  for (auto& item : named_parameters(/*recurse=*/true))
    if (reader.copy_into(item.value(), item.key())) loaded.push_back(item.key());
  reader.finish();
  return loaded;
}

torch::Tensor Gpt2BodyImpl::forward(const torch::Tensor& embeddings) {
  if (embeddings.dim() != 3 || embeddings.size(2) != config_.n_embd)
    fail("GPT-2 body: expected embeddings of shape (batch, tokens, {}), got {}", config_.n_embd,
         fmt::format("[{}]", fmt::join(embeddings.sizes().vec(), ", ")));
  const int64_t T = embeddings.size(1);
  if (T > config_.n_positions)
    fail(
        "GPT-2 body: sequence of {} tokens is longer than the {} positions of wpe; shorten the "
        "task's sequences (fewer tokens, or more features per token)",
        T, config_.n_positions);
  // (B, T, C) + (T, C): positions 0..T-1 of the table
  torch::Tensor x = drop(embeddings + wpe->weight.narrow(0, 0, T));
  for (const auto& block : *h) x = block->as<Gpt2Block>()->forward(x);
  return ln_f(x);
}

}  // namespace fpt::models
