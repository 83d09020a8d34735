// Tests of the ViT body: configs, timm parameter names and shapes, the zero FPT positional table,
// timm's random init, bidirectional attention, dropout only in training, the forward against a
// hand-written pre-LN block (explicit softmax, erf GELU, LayerNorm from its formula), parameter
// groups of its names, and checkpoint loading: a timm file, the same weights under Hugging Face
// ViTModel names (q, k, v packed into qkv), a body saved by fpt, a mis-sized file and a GPT-2 file.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/io/safetensors.h"
#include "fpt/models/checkpoint_reader.h"
#include "fpt/models/parameter_groups.h"
#include "fpt/models/vit_body.h"

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

// Writes `tensors` (any float tensors) as an F32 safetensors file and returns its path.
std::string write_file(const std::string&                          file_name,
                       const std::map<std::string, torch::Tensor>& tensors) {
  const std::string              path = ::testing::TempDir() + "/vit_body_test_" + file_name;
  std::vector<torch::Tensor>     keep_alive;
  std::vector<io::TensorToWrite> entries;
  for (const auto& [name, tensor] : tensors) {
    keep_alive.push_back(tensor.detach().to(torch::kFloat32).contiguous().clone());
    const torch::Tensor& data = keep_alive.back();
    entries.push_back({name, io::TensorDtype::F32, data.sizes().vec(), data.data_ptr(),
                       static_cast<size_t>(data.numel()) * sizeof(float)});
  }
  io::write_safetensors(path, entries);
  return path;
}

std::vector<std::string> load(VitBody& body, const std::string& path) {
  const io::SafetensorsFile file = io::SafetensorsFile::open(path);
  CheckpointReader          reader(file, "test ViT body");
  return body->load_checkpoint(reader);
}

// A body with every parameter (LayerNorms and the positional table included) drawn at random,
// so that a test sees any parameter that is ignored, swapped or mis-laid-out.
VitBody random_body(const VitConfig& config, double std = 0.3) {
  VitBody            body(config);
  torch::NoGradGuard no_grad;
  for (auto& parameter : body->parameters()) parameter.normal_(0.0, std);
  body->eval();
  return body;
}

// timm names of `body`'s blocks and final norm (not the FPT table) plus the parts of timm's
// vit_base_patch16_224 that the body ignores.
std::map<std::string, torch::Tensor> timm_tensors(VitBody body) {
  std::map<std::string, torch::Tensor> tensors = parameter_map(*body);
  tensors.erase("fpt_pos_embed");
  const int64_t C                    = body->width();
  tensors["patch_embed.proj.weight"] = torch::randn({C, 3, 16, 16});
  tensors["patch_embed.proj.bias"]   = torch::randn({C});
  tensors["cls_token"]               = torch::randn({1, 1, C});
  tensors["pos_embed"]               = torch::randn({1, 197, C});
  tensors["head.weight"]             = torch::randn({10, C});
  tensors["head.bias"]               = torch::randn({10});
  return tensors;
}

// The same weights under Hugging Face ViTModel names, with `prefix` ("" or "vit.").
std::map<std::string, torch::Tensor> hugging_face_tensors(VitBody body, const std::string& prefix) {
  const int64_t                        C = body->width();
  std::map<std::string, torch::Tensor> tensors;
  for (int64_t layer = 0; layer < body->config().n_layer; ++layer) {
    const auto        block = body->blocks[layer]->as<VitBlock>();
    const std::string hf    = prefix + "encoder.layer." + std::to_string(layer) + ".";
    tensors[hf + "layernorm_before.weight"] = block->norm1->weight;
    tensors[hf + "layernorm_before.bias"]   = block->norm1->bias;
    const char* projections[3]              = {"query", "key", "value"};
    for (int64_t part = 0; part < 3; ++part) {
      const std::string name    = hf + "attention.attention." + projections[part];
      tensors[name + ".weight"] = block->attn->qkv->weight.narrow(0, part * C, C);
      tensors[name + ".bias"]   = block->attn->qkv->bias.narrow(0, part * C, C);
    }
    tensors[hf + "attention.output.dense.weight"] = block->attn->proj->weight;
    tensors[hf + "attention.output.dense.bias"]   = block->attn->proj->bias;
    tensors[hf + "layernorm_after.weight"]        = block->norm2->weight;
    tensors[hf + "layernorm_after.bias"]          = block->norm2->bias;
    tensors[hf + "intermediate.dense.weight"]     = block->mlp->fc1->weight;
    tensors[hf + "intermediate.dense.bias"]       = block->mlp->fc1->bias;
    tensors[hf + "output.dense.weight"]           = block->mlp->fc2->weight;
    tensors[hf + "output.dense.bias"]             = block->mlp->fc2->bias;
  }
  tensors[prefix + "layernorm.weight"]                              = body->norm->weight;
  tensors[prefix + "layernorm.bias"]                                = body->norm->bias;
  tensors[prefix + "embeddings.cls_token"]                          = torch::randn({1, 1, C});
  tensors[prefix + "embeddings.position_embeddings"]                = torch::randn({1, 197, C});
  tensors[prefix + "embeddings.patch_embeddings.projection.weight"] = torch::randn({C, 3, 16, 16});
  tensors[prefix + "embeddings.patch_embeddings.projection.bias"]   = torch::randn({C});
  tensors[prefix + "pooler.dense.weight"]                           = torch::randn({C, C});
  tensors[prefix + "pooler.dense.bias"]                             = torch::randn({C});
  return tensors;
}

TEST(VitConfig, NamedSizes) {
  const VitConfig base = vit_config("vit-base");
  EXPECT_EQ(base.n_layer, 12);
  EXPECT_EQ(base.width, 768);
  EXPECT_EQ(base.n_head, 12);
  EXPECT_EQ(base.mlp_width, 3072);
  EXPECT_EQ(base.n_positions, 1024);
  EXPECT_DOUBLE_EQ(base.layer_norm_epsilon, 1e-6);
  EXPECT_DOUBLE_EQ(base.dropout, 0.1);
  const VitConfig tiny = vit_config("vit-tiny");
  EXPECT_EQ(tiny.n_layer, 3);
  EXPECT_EQ(tiny.width, 128);
  EXPECT_EQ(tiny.n_head, 4);
  EXPECT_EQ(tiny.mlp_width, 512);
  try {
    vit_config("vit-huge");
    FAIL() << "vit-huge accepted";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("vit-huge"), std::string::npos) << message;
    EXPECT_NE(message.find("vit-base"), std::string::npos) << message;
  }
  VitConfig bad = tiny;
  bad.n_head    = 3;  // 128 % 3 != 0
  EXPECT_THROW(VitBody{bad}, Error);
}

TEST(VitBody, TimmNamesAndShapes) {
  VitBody    body(vit_config("vit-tiny"));
  const auto parameters = parameter_map(*body);
  const auto shape      = [&](const std::string& name) {
    EXPECT_TRUE(parameters.count(name)) << name;
    return parameters.count(name) ? parameters.at(name).sizes().vec() : std::vector<int64_t>{};
  };
  using Shape = std::vector<int64_t>;
  EXPECT_EQ(shape("fpt_pos_embed"), (Shape{1024, 128}));
  EXPECT_EQ(shape("blocks.0.norm1.weight"), (Shape{128}));
  EXPECT_EQ(shape("blocks.0.attn.qkv.weight"), (Shape{384, 128}));  // [out, in]
  EXPECT_EQ(shape("blocks.0.attn.qkv.bias"), (Shape{384}));
  EXPECT_EQ(shape("blocks.1.attn.proj.weight"), (Shape{128, 128}));
  EXPECT_EQ(shape("blocks.2.norm2.bias"), (Shape{128}));
  EXPECT_EQ(shape("blocks.2.mlp.fc1.weight"), (Shape{512, 128}));
  EXPECT_EQ(shape("blocks.2.mlp.fc2.weight"), (Shape{128, 512}));
  EXPECT_EQ(shape("norm.weight"), (Shape{128}));
  // 1 table + 3 blocks x 12 tensors + final norm weight and bias; nothing of ViT's input or head
  EXPECT_EQ(parameters.size(), 1u + 3u * 12u + 2u);
  EXPECT_EQ(body->width(), 128);
  EXPECT_EQ(body->max_positions(), 1024);
  EXPECT_EQ(body->family(), "vit");
}

TEST(VitBody, PositionalTableStartsAtZeroAndInitIsTimms) {
  torch::manual_seed(0);
  VitBody body(vit_config("vit-tiny"));
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(body->fpt_pos_embed.abs().max().item<double>(), 0.0);
    EXPECT_TRUE(body->fpt_pos_embed.requires_grad());
    for (const auto& [name, parameter] : parameter_map(*body)) {
      if (name == "fpt_pos_embed") continue;
      if (name.find("bias") != std::string::npos) {
        EXPECT_EQ(parameter.abs().max().item<double>(), 0.0) << name;
      } else if (parameter.dim() == 1) {
        EXPECT_TRUE(torch::equal(parameter, torch::ones_like(parameter))) << name;
      } else {
        EXPECT_NEAR(parameter.std().item<double>(), 0.02, 0.002) << name;
        EXPECT_NEAR(parameter.mean().item<double>(), 0.0, 0.002) << name;
        EXPECT_LE(parameter.abs().max().item<double>(), 2.0) << name;  // trunc_normal bounds
      }
    }
    // reset_parameters redraws everything, the table back to zero
    torch::NoGradGuard no_grad;
    for (auto& parameter : body->parameters()) parameter.fill_(0.7);
    body->reset_parameters();
  }
}

TEST(VitBody, ShapesAndInputChecks) {
  VitBody body(vit_config("vit-tiny"));
  body->eval();
  EXPECT_EQ(body->forward(torch::randn({2, 10, 128})).sizes().vec(),
            (std::vector<int64_t>{2, 10, 128}));
  EXPECT_EQ(body->forward(torch::randn({1, 1024, 128})).sizes().vec(),
            (std::vector<int64_t>{1, 1024, 128}));
  try {
    body->forward(torch::randn({1, 1025, 128}));
    FAIL() << "1025 tokens accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("1025"), std::string::npos) << error.what();
  }
  EXPECT_THROW(body->forward(torch::randn({2, 10, 64})), Error);
  EXPECT_THROW(body->forward(torch::randn({10, 128})), Error);
}

TEST(VitBody, AttentionIsBidirectional) {
  torch::manual_seed(1);
  VitBody             body = random_body(vit_config("vit-tiny"), 0.05);
  const torch::Tensor x    = torch::randn({1, 8, 128});
  torch::Tensor       y    = x.clone();
  y.index_put_({0, 7}, torch::randn({128}));  // change only the last token
  const torch::Tensor out_x = body->forward(x), out_y = body->forward(y);
  // every earlier position sees the change (a causal body such as GPT-2 would not)
  for (int64_t t = 0; t < 7; ++t)
    EXPECT_GT(max_abs_difference(out_x[0][t], out_y[0][t]), 1e-4) << "position " << t;
}

TEST(VitBody, DropoutOnlyInTraining) {
  torch::manual_seed(2);
  VitBody             body = random_body(vit_config("vit-tiny"), 0.05);
  const torch::Tensor x    = torch::randn({2, 6, 128});
  EXPECT_TRUE(torch::equal(body->forward(x), body->forward(x)));
  body->train();
  EXPECT_GT(max_abs_difference(body->forward(x), body->forward(x)), 1e-3);
  // with dropout 0 the training forward is the evaluation forward
  VitConfig no_dropout         = vit_config("vit-tiny");
  no_dropout.dropout           = 0.0;
  VitBody             plain    = random_body(no_dropout, 0.05);
  const torch::Tensor expected = plain->forward(x);
  plain->train();
  EXPECT_LT(max_abs_difference(plain->forward(x), expected), 1e-6);
}

// A naive single-block ViT from the formulas: LayerNorm by mean and biased variance, q, k, v
// sliced out of the packed qkv, softmax by exp / sum, GELU by erf.
torch::Tensor naive_layer_norm(const torch::Tensor& x, const torch::nn::LayerNorm& norm,
                               double eps) {
  const torch::Tensor mean     = x.mean(-1, /*keepdim=*/true);
  const torch::Tensor variance = (x - mean).pow(2).mean(-1, /*keepdim=*/true);
  return (x - mean) / torch::sqrt(variance + eps) * norm->weight + norm->bias;
}

TEST(VitBody, ForwardMatchesHandComputation) {
  torch::manual_seed(3);
  VitConfig config;
  config.n_layer           = 1;
  config.width             = 8;
  config.n_head            = 2;
  config.mlp_width         = 16;
  config.n_positions       = 16;
  VitBody             body = random_body(config, 0.5);
  const int64_t       B = 2, T = 5, C = 8, H = 2, D = 4;
  const torch::Tensor input = torch::randn({B, T, C});
  const double        eps   = config.layer_norm_epsilon;
  const auto          block = body->blocks[0]->as<VitBlock>();

  torch::Tensor x = input + body->fpt_pos_embed.narrow(0, 0, T);
  // attention
  const torch::Tensor a = naive_layer_norm(x, block->norm1, eps);
  const torch::Tensor W = block->attn->qkv->weight, bias = block->attn->qkv->bias;  // (3C, C)
  torch::Tensor       att = torch::zeros({B, T, C});
  for (int64_t h = 0; h < H; ++h) {
    auto project = [&](int64_t part) {  // rows of q (0), k (1) or v (2) for head h
      const int64_t row = part * C + h * D;
      return torch::matmul(a, W.narrow(0, row, D).t()) + bias.narrow(0, row, D);  // (B, T, D)
    };
    const torch::Tensor q = project(0), k = project(1), v = project(2);
    const torch::Tensor scores = torch::matmul(q, k.transpose(1, 2)) / std::sqrt(double(D));
    const torch::Tensor e      = torch::exp(scores - std::get<0>(scores.max(-1, true)));
    att.narrow(2, h * D, D).copy_(torch::matmul(e / e.sum(-1, true), v));
  }
  x = x + torch::matmul(att, block->attn->proj->weight.t()) + block->attn->proj->bias;
  // MLP
  const torch::Tensor m = naive_layer_norm(x, block->norm2, eps);
  const torch::Tensor hidden =
      torch::matmul(m, block->mlp->fc1->weight.t()) + block->mlp->fc1->bias;
  const torch::Tensor gelu = 0.5 * hidden * (1.0 + torch::erf(hidden / std::sqrt(2.0)));
  x = x + torch::matmul(gelu, block->mlp->fc2->weight.t()) + block->mlp->fc2->bias;
  const torch::Tensor expected = naive_layer_norm(x, body->norm, eps);

  torch::NoGradGuard no_grad;
  EXPECT_LT(max_abs_difference(body->forward(input), expected.detach()), 1e-5);
}

TEST(VitBody, ParameterGroupsOfItsNames) {
  VitBody body(vit_config("vit-tiny"));
  for (const auto& [name, parameter] : parameter_map(*body)) {
    ParameterGroup expected = ParameterGroup::frozen;
    if (name == "fpt_pos_embed")
      expected = ParameterGroup::pos;
    else if (name.find("norm") != std::string::npos)
      expected = ParameterGroup::ln;
    else if (name.find(".attn.") != std::string::npos)
      expected = ParameterGroup::attn;
    else if (name.find(".mlp.") != std::string::npos)
      expected = ParameterGroup::ff;
    EXPECT_NE(expected, ParameterGroup::frozen) << name;  // every ViT body parameter has a group
    EXPECT_EQ(group_name(group_of("body." + name)), group_name(expected)) << name;
  }
}

TEST(VitBodyCheckpoint, TimmAndHuggingFaceNamesLoadTheSameWeights) {
  torch::manual_seed(4);
  const VitConfig     config = vit_config("vit-tiny");
  VitBody             source = random_body(config);
  const torch::Tensor x      = torch::randn({2, 7, 128});

  const std::string timm_path = write_file("timm.safetensors", timm_tensors(source));
  const std::string hf_path   = write_file("hf.safetensors", hugging_face_tensors(source, ""));
  std::map<std::string, torch::Tensor> classifier_file = hugging_face_tensors(source, "vit.");
  classifier_file["classifier.weight"]                 = torch::randn({10, 128});
  classifier_file["classifier.bias"]                   = torch::randn({10});
  const std::string hf_prefixed_path = write_file("hf_vit_prefix.safetensors", classifier_file);

  const auto                 source_parameters = parameter_map(*source);
  std::vector<torch::Tensor> outputs;
  for (const std::string& path : {timm_path, hf_path, hf_prefixed_path}) {
    VitBody                        body(config);
    const std::vector<std::string> loaded = load(body, path);
    body->eval();
    // every parameter but the new table came from the file; the table stays zero
    EXPECT_EQ(loaded.size(), source_parameters.size() - 1) << path;
    for (const std::string& name : loaded) EXPECT_NE(name, "fpt_pos_embed") << path;
    for (const auto& [name, parameter] : parameter_map(*body)) {
      if (name == "fpt_pos_embed")
        EXPECT_EQ(parameter.abs().max().item<double>(), 0.0) << path;
      else
        EXPECT_TRUE(torch::equal(parameter, source_parameters.at(name))) << name << " " << path;
    }
    outputs.push_back(body->forward(x));
  }
  EXPECT_TRUE(torch::equal(outputs[0], outputs[1]));
  EXPECT_TRUE(torch::equal(outputs[0], outputs[2]));
  // the loaded bodies differ from the source only by its (random) positional table
  torch::NoGradGuard no_grad;
  source->fpt_pos_embed.zero_();
  EXPECT_TRUE(torch::equal(outputs[0], source->forward(x)));
}

TEST(VitBodyCheckpoint, BodySavedByFptRestoresItsPositionalTable) {
  torch::manual_seed(5);
  VitBody           source = random_body(vit_config("vit-tiny"));
  const std::string path   = write_file("fpt.safetensors", parameter_map(*source));
  VitBody           body(vit_config("vit-tiny"));
  const auto        loaded = load(body, path);
  EXPECT_EQ(loaded.size(), parameter_map(*source).size());
  EXPECT_TRUE(torch::equal(body->fpt_pos_embed, source->fpt_pos_embed));
  body->eval();
  const torch::Tensor x = torch::randn({1, 9, 128});
  EXPECT_TRUE(torch::equal(body->forward(x), source->forward(x)));
}

TEST(VitBodyCheckpoint, WrongSizeIsListed) {
  VitConfig small = vit_config("vit-tiny");
  small.n_layer   = 2;
  VitBody           source(small);
  const std::string path = write_file("two_layers.safetensors", timm_tensors(source));
  VitBody           body(vit_config("vit-tiny"));  // 3 layers
  try {
    load(body, path);
    FAIL() << "a 2-layer file loaded into a 3-layer body";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("blocks.2.attn.qkv.weight"), std::string::npos) << message;
    EXPECT_NE(message.find("missing"), std::string::npos) << message;
  }
}

TEST(VitBodyCheckpoint, Gpt2FileGivesAClearError) {
  const int64_t                        C = 128;
  std::map<std::string, torch::Tensor> gpt2;
  gpt2["wte.weight"] = torch::randn({50, C});
  gpt2["wpe.weight"] = torch::randn({1024, C});
  for (int layer = 0; layer < 3; ++layer) {
    const std::string h            = "h." + std::to_string(layer) + ".";
    gpt2[h + "ln_1.weight"]        = torch::ones({C});
    gpt2[h + "attn.c_attn.weight"] = torch::randn({C, 3 * C});  // Conv1D [in, out]
    gpt2[h + "attn.c_proj.weight"] = torch::randn({C, C});
    gpt2[h + "mlp.c_fc.weight"]    = torch::randn({C, 4 * C});
  }
  gpt2["ln_f.weight"]    = torch::ones({C});
  const std::string path = write_file("gpt2.safetensors", gpt2);
  VitBody           body(vit_config("vit-tiny"));
  try {
    load(body, path);
    FAIL() << "a GPT-2 file loaded as a ViT";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("looks like a GPT-2 checkpoint"), std::string::npos) << message;
    EXPECT_NE(message.find("blocks.0.norm1.weight"), std::string::npos) << message;  // missing
    EXPECT_NE(message.find("h.0."), std::string::npos) << message;                   // unexpected
    EXPECT_NE(message.find(path), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace fpt::models
