// The BERT-family body of FPT (paper §3.14's backbone swap): a post-LayerNorm, bidirectional
// encoder as Hugging Face transformers' BertModel defines it, run from embeddings. BertConfig and
// bert_config() name the sizes (bert-base, minilm = sentence-transformers/all-MiniLM-L6-v2,
// bert-tiny); BertEmbeddings, BertSelfAttention, BertResidualOutput, BertAttention,
// BertIntermediate, BertLayer, BertEncoder and BertBody are the modules, registered under
// BertModel's names (embeddings.position_embeddings, encoder.layer.N.attention.self.query, ...)
// so a BERT model.safetensors loads by name.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fpt/models/body.h"

namespace fpt::models {

struct BertConfig {
  int64_t n_layer            = 12;     // encoder layers
  int64_t width              = 768;    // hidden size C; head dim = width / n_head
  int64_t n_head             = 12;     // attention heads
  int64_t intermediate       = 3072;   // hidden width of each layer's feed-forward
  int64_t max_positions      = 512;    // rows of embeddings.position_embeddings
  int64_t type_vocab_size    = 2;      // rows of embeddings.token_type_embeddings
  int64_t vocab_size         = 30522;  // rows of embeddings.word_embeddings (checkpoints only)
  double  layer_norm_epsilon = 1e-12;  // eps of every LayerNorm (BertConfig.layer_norm_eps)
  double  dropout = 0.1;  // hidden_dropout_prob and attention_probs_dropout_prob (both 0.1)
};

// "bert-base" (12 layers, 768, 12 heads, 3072), "minilm" (all-MiniLM-L6-v2: 6, 384, 12, 1536)
// and "bert-tiny" (2, 64, 4, 256; tests). An unknown name throws fpt::Error listing the valid
// ones.
BertConfig bert_config(const std::string& body);

// Throws fpt::Error (naming `context`) unless the sizes are positive and width % n_head == 0.
void check_bert_config(const BertConfig& config, const std::string& context);

// Token-free embeddings: LayerNorm(x + position_embeddings[0..T-1] + token_type_embeddings[0]),
// then dropout. word_embeddings exists only so that checkpoints load by name (FPT brings its own
// input layer); every token has type 0, as BertModel's default token_type_ids.
struct BertEmbeddingsImpl : torch::nn::Module {
  explicit BertEmbeddingsImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C), T <= max_positions

  torch::nn::Embedding word_embeddings{nullptr};        // (vocab_size, C), unused by forward
  torch::nn::Embedding position_embeddings{nullptr};    // (max_positions, C)
  torch::nn::Embedding token_type_embeddings{nullptr};  // (type_vocab_size, C)
  torch::nn::LayerNorm layer_norm{nullptr};             // registered as HF's "LayerNorm"
  torch::nn::Dropout   dropout{nullptr};
};
TORCH_MODULE(BertEmbeddings);

// Bidirectional multi-head self-attention: separate query/key/value Linears, scale
// 1/sqrt(head_dim), no mask, dropout on the probabilities. Returns the context before the output
// projection (which lives in BertResidualOutput, as in HF).
struct BertSelfAttentionImpl : torch::nn::Module {
  explicit BertSelfAttentionImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)

  int64_t           n_head;
  double            attention_dropout;  // probability, applied only in training mode
  torch::nn::Linear query{nullptr};
  torch::nn::Linear key{nullptr};
  torch::nn::Linear value{nullptr};
};
TORCH_MODULE(BertSelfAttention);

// HF's BertSelfOutput and BertOutput, which are the same computation:
// LayerNorm(residual + dropout(dense(hidden))).
struct BertResidualOutputImpl : torch::nn::Module {
  BertResidualOutputImpl(int64_t in_features, const BertConfig& config);
  // hidden (B, T, in_features), residual (B, T, C) -> (B, T, C)
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& residual);

  torch::nn::Linear    dense{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};  // registered as HF's "LayerNorm"
  torch::nn::Dropout   dropout{nullptr};
};
TORCH_MODULE(BertResidualOutput);

// attention.self then attention.output: LayerNorm(x + dropout(dense(self_attention(x)))).
struct BertAttentionImpl : torch::nn::Module {
  explicit BertAttentionImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)

  BertSelfAttention  self_attention{nullptr};  // registered as "self"
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

// intermediate.dense (C -> intermediate) followed by the exact (erf) GELU.
struct BertIntermediateImpl : torch::nn::Module {
  explicit BertIntermediateImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, intermediate)

  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertIntermediate);

// One post-LN layer: a = attention(h); h = LayerNorm(a + dropout(output.dense(intermediate(a)))).
struct BertLayerImpl : torch::nn::Module {
  explicit BertLayerImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)

  BertAttention      attention{nullptr};
  BertIntermediate   intermediate{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertLayer);

// The "encoder" of BertModel: its layers in order.
struct BertEncoderImpl : torch::nn::Module {
  explicit BertEncoderImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)

  torch::nn::ModuleList layer{nullptr};  // BertLayer x n_layer
};
TORCH_MODULE(BertEncoder);

// forward(embeddings) = encoder(embeddings_module(embeddings)); no final LayerNorm (each layer
// ends in one) and no pooler. Random initialisation as HF BertPreTrainedModel._init_weights:
// Linear and Embedding weights ~ N(0, 0.02), biases 0, LayerNorm 1 and 0.
struct BertBodyImpl : BodyImpl {
  explicit BertBodyImpl(BertConfig config);

  torch::Tensor forward(const torch::Tensor& inputs) override;  // (B, T, C) -> (B, T, C)
  int64_t       width() const override { return config_.width; }
  int64_t       max_positions() const override { return config_.max_positions; }
  std::string   family() const override { return "bert"; }
  void          reset_parameters() override;
  // Accepts a Hugging Face BertModel checkpoint (optional "bert." prefix, as BertFor* files have;
  // embeddings.position_ids, pooler.* and cls.* ignored; old LayerNorm.gamma/beta names accepted)
  // or a body saved by fpt (the same names). Returns every parameter it loaded.
  std::vector<std::string> load_checkpoint(CheckpointReader& reader) override;

  const BertConfig& config() const { return config_; }

  BertEmbeddings embeddings{nullptr};
  BertEncoder    encoder{nullptr};

 private:
  BertConfig config_;
};
TORCH_MODULE(BertBody);

}  // namespace fpt::models
