#include "fpt/models/vit_body.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"
#include "fpt/models/checkpoint_reader.h"

namespace fpt::models {
namespace {

constexpr double kInitStd = 0.02;  // timm's trunc_normal_ std for ViT Linear weights

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// timm's trunc_normal_(tensor, std, a=-2, b=2): N(0, std) restricted to [a, b], drawn by the
// inverse CDF of a uniform draw between the bounds' CDF values (as PyTorch's trunc_normal_).
void trunc_normal_(torch::Tensor& tensor, double std, double low = -2.0, double high = 2.0) {
  auto         normal_cdf = [](double x) { return 0.5 * (1.0 + std::erf(x / std::sqrt(2.0))); };
  const double low_cdf = normal_cdf(low / std), high_cdf = normal_cdf(high / std);
  tensor.uniform_(2.0 * low_cdf - 1.0, 2.0 * high_cdf - 1.0);
  tensor.erfinv_().mul_(std * std::sqrt(2.0)).clamp_(low, high);
}

torch::nn::LayerNorm make_layer_norm(const VitConfig& config) {
  return torch::nn::LayerNorm(
      torch::nn::LayerNormOptions({config.width}).eps(config.layer_norm_epsilon));
}

std::string describe(const VitConfig& config) {
  return fmt::format("ViT body ({} layers, width {}, {} heads)", config.n_layer, config.width,
                     config.n_head);
}

// The Hugging Face ViTModel name of a body parameter other than attn.qkv.* and fpt_pos_embed:
// blocks.N.norm1.weight -> encoder.layer.N.layernorm_before.weight, ..., norm.* -> layernorm.*.
std::string hugging_face_name(const std::string& name) {
  if (starts_with(name, "norm.")) return "layernorm." + name.substr(5);
  // "blocks.N.<rest>"
  const size_t      layer_end = name.find('.', 7);
  const std::string layer     = name.substr(7, layer_end - 7);
  const std::string rest      = name.substr(layer_end + 1);
  static const std::vector<std::pair<std::string, std::string>> kRenames = {
      {"norm1.", "layernorm_before."},
      {"attn.proj.", "attention.output.dense."},
      {"norm2.", "layernorm_after."},
      {"mlp.fc1.", "intermediate.dense."},
      {"mlp.fc2.", "output.dense."}};
  for (const auto& [timm_part, hf_part] : kRenames)
    if (starts_with(rest, timm_part))
      return "encoder.layer." + layer + "." + hf_part + rest.substr(timm_part.size());
  fail("ViT body: no Hugging Face name for parameter {} (internal error)", name);
}

}  // namespace

VitConfig vit_config(const std::string& body) {
  VitConfig config;
  if (body == "vit-base") return config;
  if (body == "vit-tiny") {
    config.n_layer   = 3;
    config.width     = 128;
    config.n_head    = 4;
    config.mlp_width = 512;
    return config;
  }
  fail("unknown ViT body '{}'; valid: vit-base (timm vit_base_patch16_224), vit-tiny (tests)",
       body);
}

void check_vit_config(const VitConfig& config, const std::string& context) {
  if (config.n_layer <= 0 || config.width <= 0 || config.n_head <= 0 || config.mlp_width <= 0 ||
      config.n_positions <= 0)
    fail(
        "{}: ViT sizes must be positive (n_layer {}, width {}, n_head {}, mlp_width {}, "
        "n_positions {})",
        context, config.n_layer, config.width, config.n_head, config.mlp_width, config.n_positions);
  if (config.width % config.n_head != 0)
    fail("{}: ViT width {} is not divisible by n_head {}", context, config.width, config.n_head);
  if (config.dropout < 0.0 || config.dropout >= 1.0 || config.layer_norm_epsilon <= 0.0)
    fail("{}: ViT dropout must be in [0, 1) and layer_norm_epsilon positive (got {} and {})",
         context, config.dropout, config.layer_norm_epsilon);
}

// --- attention --------------------------------------------------------------------------------

VitAttentionImpl::VitAttentionImpl(const VitConfig& config)
    : n_head(config.n_head), attention_dropout(config.dropout) {
  qkv       = register_module("qkv", torch::nn::Linear(config.width, 3 * config.width));
  proj      = register_module("proj", torch::nn::Linear(config.width, config.width));
  proj_drop = register_module("proj_drop", torch::nn::Dropout(config.dropout));
}

torch::Tensor VitAttentionImpl::forward(const torch::Tensor& x) {
  const int64_t B = x.size(0), T = x.size(1), C = x.size(2);
  const int64_t head_dim = C / n_head;
  // (B, T, 3C) -> q, k, v each (B, n_head, T, head_dim)
  std::vector<torch::Tensor> qkv_parts = qkv(x).split(C, /*dim=*/2);
  auto                       heads     = [&](const torch::Tensor& t) {
    return t.view({B, T, n_head, head_dim}).transpose(1, 2);
  };
  const torch::Tensor q = heads(qkv_parts[0]), k = heads(qkv_parts[1]), v = heads(qkv_parts[2]);
  // softmax(q kᵀ / sqrt(head_dim)) v over every position (no mask: ViT is bidirectional)
  const torch::Tensor y = at::scaled_dot_product_attention(
      q, k, v, /*attn_mask=*/{}, /*dropout_p=*/is_training() ? attention_dropout : 0.0,
      /*is_causal=*/false, /*scale=*/1.0 / std::sqrt(static_cast<double>(head_dim)));
  // (B, n_head, T, head_dim) -> (B, T, C)
  return proj_drop(proj(y.transpose(1, 2).contiguous().view({B, T, C})));
}

// --- MLP --------------------------------------------------------------------------------------

VitMlpImpl::VitMlpImpl(const VitConfig& config) {
  fc1  = register_module("fc1", torch::nn::Linear(config.width, config.mlp_width));
  fc2  = register_module("fc2", torch::nn::Linear(config.mlp_width, config.width));
  drop = register_module("drop", torch::nn::Dropout(config.dropout));
}

torch::Tensor VitMlpImpl::forward(const torch::Tensor& x) {
  // nn.GELU(): the exact 0.5 x (1 + erf(x / sqrt 2)); timm's Mlp drops after both layers
  return drop(fc2(drop(torch::gelu(fc1(x)))));
}

// --- block ------------------------------------------------------------------------------------

VitBlockImpl::VitBlockImpl(const VitConfig& config) {
  norm1 = register_module("norm1", make_layer_norm(config));
  attn  = register_module("attn", VitAttention(config));
  norm2 = register_module("norm2", make_layer_norm(config));
  mlp   = register_module("mlp", VitMlp(config));
}

torch::Tensor VitBlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x + attn(norm1(x));
  return h + mlp(norm2(h));
}

// --- body -------------------------------------------------------------------------------------

VitBodyImpl::VitBodyImpl(VitConfig config) : config_(config) {
  check_vit_config(config_, describe(config_));
  fpt_pos_embed =
      register_parameter("fpt_pos_embed", torch::zeros({config_.n_positions, config_.width}));
  pos_drop = register_module("pos_drop", torch::nn::Dropout(config_.dropout));
  blocks   = register_module("blocks", torch::nn::ModuleList());
  for (int64_t layer = 0; layer < config_.n_layer; ++layer) blocks->push_back(VitBlock(config_));
  norm = register_module("norm", make_layer_norm(config_));
  reset_parameters();
}

void VitBodyImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  for (auto& item : named_parameters(/*recurse=*/true)) {
    const std::string& name      = item.key();
    torch::Tensor&     parameter = item.value();
    if (name == "fpt_pos_embed" || ends_with(name, ".bias")) {
      parameter.zero_();  // the official table starts at zero; timm zeroes every bias
    } else if (parameter.dim() >= 2) {
      trunc_normal_(parameter, kInitStd);  // Linear weights
    } else {
      parameter.fill_(1.0);  // LayerNorm weights, the only 1-D weights
    }
  }
}

torch::Tensor VitBodyImpl::forward(const torch::Tensor& embeddings) {
  if (embeddings.dim() != 3 || embeddings.size(2) != config_.width)
    fail("{}: expected embeddings of shape (batch, tokens, {}), got [{}]", describe(config_),
         config_.width, fmt::join(embeddings.sizes().vec(), ", "));
  const int64_t T = embeddings.size(1);
  if (T > config_.n_positions)
    fail(
        "{}: sequence of {} tokens is longer than the {} rows of fpt_pos_embed; shorten the "
        "task's sequences (fewer tokens, or more features per token)",
        describe(config_), T, config_.n_positions);
  // (B, T, C) + (T, C): rows 0..T-1 of the FPT table (ViT's own pos_embed is not used)
  torch::Tensor x = pos_drop(embeddings + fpt_pos_embed.narrow(0, 0, T));
  for (const auto& block : *blocks) x = block->as<VitBlock>()->forward(x);
  return norm(x);
}

std::vector<std::string> VitBodyImpl::load_checkpoint(CheckpointReader& reader) {
  const bool looks_like_gpt2 =
      reader.has("h.0.attn.c_attn.weight") || reader.has("transformer.h.0.attn.c_attn.weight");
  reader.strip_prefix("vit.");  // ViTForImageClassification files prefix the body with "vit."
  const bool hugging_face = reader.has("encoder.layer.0.layernorm_before.weight");

  // Not part of the body: ViT's own input (patch embedding, cls token, pos_embed) and its heads.
  reader.ignore([](const std::string& name) {
    for (const char* prefix : {"patch_embed.", "head.", "pre_logits.", "fc_norm.", "embeddings.",
                               "pooler.", "classifier."})
      if (starts_with(name, prefix)) return true;
    return name == "cls_token" || name == "pos_embed" || name == "dist_token";
  });
  // Blocks beyond this body's depth (an n_layer override of a deeper checkpoint).
  const int64_t kept = config_.n_layer;
  reader.ignore([kept](const std::string& name) {
    return layer_index(name, "blocks.") >= kept || layer_index(name, "encoder.layer.") >= kept;
  });

  std::vector<std::string> loaded;
  for (auto& item : named_parameters(/*recurse=*/true)) {
    const std::string& name      = item.key();
    torch::Tensor&     parameter = item.value();
    if (name == "fpt_pos_embed") {
      // Only a body saved by fpt has it; timm and HF files leave the new table at zero.
      if (reader.has(name) && reader.copy_into(parameter, name)) loaded.push_back(name);
      continue;
    }
    if (!hugging_face) {
      if (reader.copy_into(parameter, name)) loaded.push_back(name);
      continue;
    }
    const size_t qkv_at = name.find(".attn.qkv.");
    if (qkv_at == std::string::npos) {
      if (reader.copy_into(parameter, hugging_face_name(name))) loaded.push_back(name);
      continue;
    }
    // HF keeps q, k, v as three [C, C] Linears; timm's qkv packs them along the output dim.
    const std::string    layer      = name.substr(7, qkv_at - 7);  // "blocks.N.attn.qkv.<kind>"
    const std::string    kind       = name.substr(qkv_at + 10);    // "weight" or "bias"
    std::vector<int64_t> part_shape = parameter.sizes().vec();
    part_shape[0] /= 3;
    std::vector<torch::Tensor> parts;
    for (const char* projection : {"query", "key", "value"})
      parts.push_back(reader.take(
          fmt::format("encoder.layer.{}.attention.attention.{}.{}", layer, projection, kind),
          part_shape));
    if (parts[0].defined() && parts[1].defined() && parts[2].defined()) {
      torch::NoGradGuard no_grad;
      parameter.copy_(torch::cat(parts, /*dim=*/0));
      loaded.push_back(name);
    }
  }

  try {
    reader.finish();
  } catch (const Error& error) {
    if (looks_like_gpt2)
      fail(
          "{}\nThis looks like a GPT-2 checkpoint (it has h.0.attn.c_attn.weight), not a ViT: "
          "load it with a gpt2 body, or give the ViT body a timm vit_base_patch16_224 or Hugging "
          "Face google/vit-base-patch16-224-in21k file",
          error.what());
    throw;
  }
  return loaded;
}

}  // namespace fpt::models
