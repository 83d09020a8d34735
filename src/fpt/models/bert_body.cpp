#include "fpt/models/bert_body.h"

#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"
#include "fpt/models/checkpoint_reader.h"

namespace fpt::models {
namespace {

constexpr double kInitStd = 0.02;  // BertConfig.initializer_range

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

torch::nn::LayerNorm make_layer_norm(const BertConfig& config) {
  return torch::nn::LayerNorm(
      torch::nn::LayerNormOptions({config.width}).eps(config.layer_norm_epsilon));
}

std::string describe(const BertConfig& config) {
  return fmt::format("BERT body ({} layers, width {}, {} heads)", config.n_layer, config.width,
                     config.n_head);
}

}  // namespace

BertConfig bert_config(const std::string& body) {
  BertConfig config;
  if (body == "bert-base") return config;
  if (body == "minilm") {  // sentence-transformers/all-MiniLM-L6-v2's config.json
    config.n_layer      = 6;
    config.width        = 384;
    config.n_head       = 12;
    config.intermediate = 1536;
    return config;
  }
  if (body == "bert-tiny") {
    config.n_layer      = 2;
    config.width        = 64;
    config.n_head       = 4;
    config.intermediate = 256;
    return config;
  }
  fail(
      "unknown BERT body '{}'; valid: bert-base, minilm (sentence-transformers/all-MiniLM-L6-v2), "
      "bert-tiny (tests)",
      body);
}

void check_bert_config(const BertConfig& config, const std::string& context) {
  if (config.n_layer <= 0 || config.width <= 0 || config.n_head <= 0 || config.intermediate <= 0 ||
      config.max_positions <= 0 || config.type_vocab_size <= 0 || config.vocab_size <= 0)
    fail(
        "{}: BERT sizes must be positive (n_layer {}, width {}, n_head {}, intermediate {}, "
        "max_positions {}, type_vocab_size {}, vocab_size {})",
        context, config.n_layer, config.width, config.n_head, config.intermediate,
        config.max_positions, config.type_vocab_size, config.vocab_size);
  if (config.width % config.n_head != 0)
    fail("{}: BERT width {} is not divisible by n_head {}", context, config.width, config.n_head);
  if (config.dropout < 0.0 || config.dropout >= 1.0 || config.layer_norm_epsilon <= 0.0)
    fail("{}: BERT dropout must be in [0, 1) and layer_norm_epsilon positive (got {} and {})",
         context, config.dropout, config.layer_norm_epsilon);
}

// --- embeddings -------------------------------------------------------------------------------

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertConfig& config) {
  word_embeddings =
      register_module("word_embeddings", torch::nn::Embedding(config.vocab_size, config.width));
  position_embeddings   = register_module("position_embeddings",
                                          torch::nn::Embedding(config.max_positions, config.width));
  token_type_embeddings = register_module(
      "token_type_embeddings", torch::nn::Embedding(config.type_vocab_size, config.width));
  layer_norm = register_module("LayerNorm", make_layer_norm(config));
  dropout    = register_module("dropout", torch::nn::Dropout(config.dropout));
}

torch::Tensor BertEmbeddingsImpl::forward(const torch::Tensor& x) {
  const int64_t T = x.size(1);
  // HF's order: (inputs_embeds + token_type_embeddings(0)) + position_embeddings(0..T-1)
  const torch::Tensor summed = x + token_type_embeddings->weight[0] +
                               position_embeddings->weight.narrow(0, 0, T);  // (B, T, C)
  return dropout(layer_norm(summed));
}

// --- attention --------------------------------------------------------------------------------

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertConfig& config)
    : n_head(config.n_head), attention_dropout(config.dropout) {
  query = register_module("query", torch::nn::Linear(config.width, config.width));
  key   = register_module("key", torch::nn::Linear(config.width, config.width));
  value = register_module("value", torch::nn::Linear(config.width, config.width));
}

torch::Tensor BertSelfAttentionImpl::forward(const torch::Tensor& x) {
  const int64_t B = x.size(0), T = x.size(1), C = x.size(2);
  const int64_t head_dim = C / n_head;
  // (B, T, C) -> (B, n_head, T, head_dim)
  auto heads = [&](const torch::Tensor& t) {
    return t.view({B, T, n_head, head_dim}).transpose(1, 2);
  };
  // softmax(q kᵀ / sqrt(head_dim)) v over every position: no mask, FPT sequences have no padding
  // mask (as GPT-2's, the body sees pad tokens like any other)
  const torch::Tensor y = at::scaled_dot_product_attention(
      heads(query(x)), heads(key(x)), heads(value(x)), /*attn_mask=*/{},
      /*dropout_p=*/is_training() ? attention_dropout : 0.0, /*is_causal=*/false,
      /*scale=*/1.0 / std::sqrt(static_cast<double>(head_dim)));
  // (B, n_head, T, head_dim) -> (B, T, C)
  return y.transpose(1, 2).contiguous().view({B, T, C});
}

BertResidualOutputImpl::BertResidualOutputImpl(int64_t in_features, const BertConfig& config) {
  dense      = register_module("dense", torch::nn::Linear(in_features, config.width));
  layer_norm = register_module("LayerNorm", make_layer_norm(config));
  dropout    = register_module("dropout", torch::nn::Dropout(config.dropout));
}

torch::Tensor BertResidualOutputImpl::forward(const torch::Tensor& hidden,
                                              const torch::Tensor& residual) {
  return layer_norm(dropout(dense(hidden)) + residual);
}

BertAttentionImpl::BertAttentionImpl(const BertConfig& config) {
  self_attention = register_module("self", BertSelfAttention(config));
  output         = register_module("output", BertResidualOutput(config.width, config));
}

torch::Tensor BertAttentionImpl::forward(const torch::Tensor& x) {
  return output(self_attention(x), x);
}

// --- feed-forward and layer -------------------------------------------------------------------

BertIntermediateImpl::BertIntermediateImpl(const BertConfig& config) {
  dense = register_module("dense", torch::nn::Linear(config.width, config.intermediate));
}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& x) {
  return torch::gelu(dense(x));  // hidden_act "gelu": the exact 0.5 x (1 + erf(x / sqrt 2))
}

BertLayerImpl::BertLayerImpl(const BertConfig& config) {
  attention    = register_module("attention", BertAttention(config));
  intermediate = register_module("intermediate", BertIntermediate(config));
  output       = register_module("output", BertResidualOutput(config.intermediate, config));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& x) {
  const torch::Tensor attended = attention(x);
  return output(intermediate(attended), attended);
}

BertEncoderImpl::BertEncoderImpl(const BertConfig& config) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int64_t index = 0; index < config.n_layer; ++index) layer->push_back(BertLayer(config));
}

torch::Tensor BertEncoderImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x;
  for (const auto& module : *layer) h = module->as<BertLayer>()->forward(h);
  return h;
}

// --- body -------------------------------------------------------------------------------------

BertBodyImpl::BertBodyImpl(BertConfig config) : config_(config) {
  check_bert_config(config_, describe(config_));
  embeddings = register_module("embeddings", BertEmbeddings(config_));
  encoder    = register_module("encoder", BertEncoder(config_));
  reset_parameters();
}

void BertBodyImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  for (auto& item : named_parameters(/*recurse=*/true)) {
    const std::string& name      = item.key();
    torch::Tensor&     parameter = item.value();
    if (ends_with(name, ".bias")) {
      parameter.zero_();
    } else if (parameter.dim() >= 2) {
      parameter.normal_(0.0, kInitStd);  // Linear and Embedding weights
    } else {
      parameter.fill_(1.0);  // LayerNorm weights, the only 1-D weights
    }
  }
  // word_embeddings has padding_idx = pad_token_id = 0, whose row HF's init zeroes.
  embeddings->word_embeddings->weight[0].zero_();
}

torch::Tensor BertBodyImpl::forward(const torch::Tensor& inputs) {
  if (inputs.dim() != 3 || inputs.size(2) != config_.width)
    fail("{}: expected embeddings of shape (batch, tokens, {}), got [{}]", describe(config_),
         config_.width, fmt::join(inputs.sizes().vec(), ", "));
  const int64_t T = inputs.size(1);
  if (T > config_.max_positions)
    fail(
        "{}: sequence of {} tokens is longer than the {} rows of position_embeddings; shorten "
        "the task's sequences (fewer tokens, or more features per token) or use a gpt2/vit body",
        describe(config_), T, config_.max_positions);
  return encoder(embeddings(inputs));
}

std::vector<std::string> BertBodyImpl::load_checkpoint(CheckpointReader& reader) {
  reader.strip_prefix("bert.");  // BertForMaskedLM / BertForPreTraining files prefix the body
  // Buffers and heads that are not part of the body.
  reader.ignore([](const std::string& name) {
    return name == "embeddings.position_ids" || starts_with(name, "pooler.") ||
           starts_with(name, "cls.");
  });
  // Layers beyond this body's depth (an n_layer override of a deeper checkpoint).
  const int64_t kept = config_.n_layer;
  reader.ignore(
      [kept](const std::string& name) { return layer_index(name, "encoder.layer.") >= kept; });

  std::vector<std::string> loaded;
  for (auto& item : named_parameters(/*recurse=*/true)) {
    const std::string& name      = item.key();
    std::string        file_name = name;
    // Checkpoints converted from TensorFlow by old transformers call LayerNorm's weight and bias
    // gamma and beta.
    if (!reader.has(name) && ends_with(name, "LayerNorm.weight")) {
      const std::string gamma = name.substr(0, name.size() - 6) + "gamma";
      if (reader.has(gamma)) file_name = gamma;
    } else if (!reader.has(name) && ends_with(name, "LayerNorm.bias")) {
      const std::string beta = name.substr(0, name.size() - 4) + "beta";
      if (reader.has(beta)) file_name = beta;
    }
    if (reader.copy_into(item.value(), file_name)) loaded.push_back(name);
  }
  reader.finish();
  return loaded;
}

}  // namespace fpt::models
