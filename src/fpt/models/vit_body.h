// The ViT body of FPT: the transformer blocks of timm's vit_base_patch16_224 (ImageNet-21k), run
// from embeddings with a new positional table. VitConfig and vit_config() name the sizes;
// VitAttention, VitMlp, VitBlock and VitBody are the modules, registered under timm's names
// (blocks.N.norm1, blocks.N.attn.qkv, blocks.N.attn.proj, blocks.N.norm2, blocks.N.mlp.fc1/fc2,
// norm) so a timm checkpoint loads by name. ViT's patch embedding, cls token, own pos_embed and
// head are not part of the body (FPT brings its own input and output layers); in their place
// the body owns `fpt_pos_embed`, the (1024, C) trainable table the official code adds, which
// starts at zero.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fpt/models/body.h"

namespace fpt::models {

struct VitConfig {
  int64_t n_layer     = 12;    // transformer blocks
  int64_t width       = 768;   // model width C; head dim = width / n_head
  int64_t n_head      = 12;    // attention heads
  int64_t mlp_width   = 3072;  // hidden width of each block's MLP
  int64_t n_positions = 1024;  // rows of fpt_pos_embed, the new FPT positional table
  // timm's ViT LayerNorm eps, right for timm files (the paper's reference, vit-base's default).
  // The Hugging Face google/vit-base-patch16-224-in21k config.json says layer_norm_eps 1e-12
  // instead. A safetensors file does not carry its eps and the loader never sees config.json, so
  // the caller sets this field: 1e-12 to match HF's ViTModel exactly on an HF file.
  double layer_norm_epsilon = 1e-6;
  // The official FPT code builds timm's ViT with drop_rate = attn_drop_rate = 0.1: in the timm of
  // its time (0.4.x; newer timm routes drop_rate to the head only) drop_rate is the dropout after
  // the positional add (pos_drop), after attn.proj and after each of the MLP's two layers;
  // attn_drop_rate is on the attention probabilities.
  double dropout = 0.1;
};

// "vit-base" (12 layers, 768, 12 heads, MLP 3072) and "vit-tiny" (3, 128, 4, 512; tests). An
// unknown name throws fpt::Error listing the valid ones.
VitConfig vit_config(const std::string& body);

// Throws fpt::Error (naming `context`) unless the sizes are positive and width % n_head == 0.
void check_vit_config(const VitConfig& config, const std::string& context);

// Bidirectional multi-head self-attention: qkv (C -> 3C, [out, in], q, k, v packed in that order
// along the output dim), scale 1/sqrt(head_dim), dropout on the probabilities, proj, dropout.
struct VitAttentionImpl : torch::nn::Module {
  explicit VitAttentionImpl(const VitConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)

  int64_t            n_head;
  double             attention_dropout;  // probability, applied only in training mode
  torch::nn::Linear  qkv{nullptr};       // C -> 3C
  torch::nn::Linear  proj{nullptr};      // C -> C
  torch::nn::Dropout proj_drop{nullptr};
};
TORCH_MODULE(VitAttention);

// timm's Mlp: fc1 (C -> mlp_width), exact (erf) GELU, dropout, fc2 (mlp_width -> C), dropout.
struct VitMlpImpl : torch::nn::Module {
  explicit VitMlpImpl(const VitConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)

  torch::nn::Linear  fc1{nullptr};
  torch::nn::Linear  fc2{nullptr};
  torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(VitMlp);

// One pre-LN block: x += attn(norm1(x)); x += mlp(norm2(x)). (timm's drop_path is 0 here.)
struct VitBlockImpl : torch::nn::Module {
  explicit VitBlockImpl(const VitConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)

  torch::nn::LayerNorm norm1{nullptr};
  VitAttention         attn{nullptr};
  torch::nn::LayerNorm norm2{nullptr};
  VitMlp               mlp{nullptr};
};
TORCH_MODULE(VitBlock);

// forward(embeddings) = norm(blocks(pos_drop(embeddings + fpt_pos_embed[0..T-1]))), as the
// official FPT forward runs timm's ViT. Random initialisation as timm's: every Linear weight
// ~ trunc_normal(0, 0.02), biases 0, LayerNorm 1 and 0; fpt_pos_embed zeros.
struct VitBodyImpl : BodyImpl {
  explicit VitBodyImpl(VitConfig config);

  torch::Tensor forward(const torch::Tensor& embeddings) override;  // (B, T, C) -> (B, T, C)
  int64_t       width() const override { return config_.width; }
  int64_t       max_positions() const override { return config_.n_positions; }
  std::string   family() const override { return "vit"; }
  void          reset_parameters() override;
  // Accepts (a) a timm checkpoint (blocks.N.*, norm.*; patch_embed.*, cls_token, pos_embed,
  // head.*, pre_logits.* and fc_norm.* ignored), (b) a Hugging Face ViTModel checkpoint
  // (optional "vit." prefix; encoder.layer.N.*, layernorm.*; q, k, v packed into attn.qkv;
  // embeddings.*, pooler.* and classifier.* ignored), (c) a body saved by fpt (its own names,
  // including fpt_pos_embed). For (a) and (b) fpt_pos_embed stays zero and is not in the returned
  // names. A GPT-2 file is rejected with a message saying so.
  std::vector<std::string> load_checkpoint(CheckpointReader& reader) override;

  const VitConfig& config() const { return config_; }

  torch::Tensor         fpt_pos_embed;  // (n_positions, C), trainable, starts at zero
  torch::nn::Dropout    pos_drop{nullptr};
  torch::nn::ModuleList blocks{nullptr};  // VitBlock x n_layer
  torch::nn::LayerNorm  norm{nullptr};

 private:
  VitConfig config_;
};
TORCH_MODULE(VitBody);

}  // namespace fpt::models
