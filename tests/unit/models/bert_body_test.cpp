// Tests of the BERT-family body: configs (bert-base, minilm, bert-tiny), Hugging Face BertModel
// parameter names and shapes, the BERT random init, bidirectional attention, dropout only in
// training, the forward against a hand-written post-LN layer (explicit softmax, erf GELU,
// LayerNorm from its formula), parameter groups of its names, and checkpoint loading: an HF file
// with a "bert." prefix and heads to ignore, old gamma/beta LayerNorm names, a body saved by fpt,
// and a GPT-2 file.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/io/safetensors.h"
#include "fpt/models/bert_body.h"
#include "fpt/models/checkpoint_reader.h"
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

// Writes `tensors` as a safetensors file (int64 tensors as I64, all others as F32).
std::string write_file(const std::string&                          file_name,
                       const std::map<std::string, torch::Tensor>& tensors) {
  const std::string              path = ::testing::TempDir() + "/bert_body_test_" + file_name;
  std::vector<torch::Tensor>     keep_alive;
  std::vector<io::TensorToWrite> entries;
  for (const auto& [name, tensor] : tensors) {
    const bool integer = tensor.scalar_type() == torch::kInt64;
    keep_alive.push_back(
        tensor.detach().to(integer ? torch::kInt64 : torch::kFloat32).contiguous().clone());
    const torch::Tensor& data = keep_alive.back();
    entries.push_back({name, integer ? io::TensorDtype::I64 : io::TensorDtype::F32,
                       data.sizes().vec(), data.data_ptr(),
                       static_cast<size_t>(data.numel()) * data.element_size()});
  }
  io::write_safetensors(path, entries);
  return path;
}

std::vector<std::string> load(BertBody& body, const std::string& path) {
  const io::SafetensorsFile file = io::SafetensorsFile::open(path);
  CheckpointReader          reader(file, "test BERT body");
  return body->load_checkpoint(reader);
}

// bert-tiny with a small vocabulary (the unused word table need not be 30522 rows in tests).
BertConfig small_config() {
  BertConfig config = bert_config("bert-tiny");
  config.vocab_size = 100;
  return config;
}

// A body with every parameter (LayerNorms and tables included) drawn at random.
BertBody random_body(const BertConfig& config, double std = 0.3) {
  BertBody           body(config);
  torch::NoGradGuard no_grad;
  for (auto& parameter : body->parameters()) parameter.normal_(0.0, std);
  body->eval();
  return body;
}

TEST(BertConfig, NamedSizes) {
  const BertConfig base = bert_config("bert-base");
  EXPECT_EQ(base.n_layer, 12);
  EXPECT_EQ(base.width, 768);
  EXPECT_EQ(base.n_head, 12);
  EXPECT_EQ(base.intermediate, 3072);
  EXPECT_EQ(base.max_positions, 512);
  EXPECT_EQ(base.type_vocab_size, 2);
  EXPECT_EQ(base.vocab_size, 30522);
  EXPECT_DOUBLE_EQ(base.layer_norm_epsilon, 1e-12);
  EXPECT_DOUBLE_EQ(base.dropout, 0.1);
  const BertConfig minilm = bert_config("minilm");
  EXPECT_EQ(minilm.n_layer, 6);
  EXPECT_EQ(minilm.width, 384);
  EXPECT_EQ(minilm.n_head, 12);
  EXPECT_EQ(minilm.intermediate, 1536);
  EXPECT_EQ(minilm.max_positions, 512);
  EXPECT_DOUBLE_EQ(minilm.layer_norm_epsilon, 1e-12);
  const BertConfig tiny = bert_config("bert-tiny");
  EXPECT_EQ(tiny.n_layer, 2);
  EXPECT_EQ(tiny.width, 64);
  EXPECT_EQ(tiny.n_head, 4);
  EXPECT_EQ(tiny.intermediate, 256);
  try {
    bert_config("roberta");
    FAIL() << "roberta accepted";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("roberta"), std::string::npos) << message;
    EXPECT_NE(message.find("minilm"), std::string::npos) << message;
  }
  BertConfig bad = tiny;
  bad.n_head     = 5;  // 64 % 5 != 0
  EXPECT_THROW(BertBody{bad}, Error);
}

TEST(BertBody, HuggingFaceNamesAndShapes) {
  BertBody   body(bert_config("bert-tiny"));
  const auto parameters = parameter_map(*body);
  const auto shape      = [&](const std::string& name) {
    EXPECT_TRUE(parameters.count(name)) << name;
    return parameters.count(name) ? parameters.at(name).sizes().vec() : std::vector<int64_t>{};
  };
  using Shape = std::vector<int64_t>;
  EXPECT_EQ(shape("embeddings.word_embeddings.weight"), (Shape{30522, 64}));
  EXPECT_EQ(shape("embeddings.position_embeddings.weight"), (Shape{512, 64}));
  EXPECT_EQ(shape("embeddings.token_type_embeddings.weight"), (Shape{2, 64}));
  EXPECT_EQ(shape("embeddings.LayerNorm.weight"), (Shape{64}));
  EXPECT_EQ(shape("encoder.layer.0.attention.self.query.weight"), (Shape{64, 64}));
  EXPECT_EQ(shape("encoder.layer.0.attention.self.key.bias"), (Shape{64}));
  EXPECT_EQ(shape("encoder.layer.1.attention.self.value.weight"), (Shape{64, 64}));
  EXPECT_EQ(shape("encoder.layer.1.attention.output.dense.weight"), (Shape{64, 64}));
  EXPECT_EQ(shape("encoder.layer.1.attention.output.LayerNorm.bias"), (Shape{64}));
  EXPECT_EQ(shape("encoder.layer.1.intermediate.dense.weight"), (Shape{256, 64}));
  EXPECT_EQ(shape("encoder.layer.1.output.dense.weight"), (Shape{64, 256}));
  EXPECT_EQ(shape("encoder.layer.1.output.LayerNorm.weight"), (Shape{64}));
  // 3 tables + embedding LayerNorm (2) + 2 layers x 16 tensors; no pooler
  EXPECT_EQ(parameters.size(), 5u + 2u * 16u);
  EXPECT_EQ(body->width(), 64);
  EXPECT_EQ(body->max_positions(), 512);
  EXPECT_EQ(body->family(), "bert");
}

TEST(BertBody, RandomInitIsHuggingFaces) {
  torch::manual_seed(0);
  BertBody body(small_config());
  for (int round = 0; round < 2; ++round) {
    for (const auto& [name, parameter] : parameter_map(*body)) {
      if (name.find("bias") != std::string::npos) {
        EXPECT_EQ(parameter.abs().max().item<double>(), 0.0) << name;
      } else if (parameter.dim() == 1) {
        EXPECT_TRUE(torch::equal(parameter, torch::ones_like(parameter))) << name;
      } else if (name != "embeddings.token_type_embeddings.weight") {  // too few values
        EXPECT_NEAR(parameter.std().item<double>(), 0.02, 0.003) << name;
        EXPECT_NEAR(parameter.mean().item<double>(), 0.0, 0.003) << name;
      }
    }
    // padding_idx 0 of the word table is zero, as HF initialises it
    EXPECT_EQ(body->embeddings->word_embeddings->weight[0].abs().max().item<double>(), 0.0);
    torch::NoGradGuard no_grad;
    for (auto& parameter : body->parameters()) parameter.fill_(0.7);
    body->reset_parameters();
  }
}

TEST(BertBody, ShapesAndInputChecks) {
  BertBody body(small_config());
  body->eval();
  EXPECT_EQ(body->forward(torch::randn({3, 11, 64})).sizes().vec(),
            (std::vector<int64_t>{3, 11, 64}));
  EXPECT_EQ(body->forward(torch::randn({1, 512, 64})).sizes().vec(),
            (std::vector<int64_t>{1, 512, 64}));
  try {
    body->forward(torch::randn({1, 513, 64}));
    FAIL() << "513 tokens accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("513"), std::string::npos) << error.what();
  }
  EXPECT_THROW(body->forward(torch::randn({2, 10, 32})), Error);
}

TEST(BertBody, AttentionIsBidirectional) {
  torch::manual_seed(1);
  BertBody            body = random_body(small_config(), 0.1);
  const torch::Tensor x    = torch::randn({1, 8, 64});
  torch::Tensor       y    = x.clone();
  y.index_put_({0, 7}, torch::randn({64}));  // change only the last token
  const torch::Tensor out_x = body->forward(x), out_y = body->forward(y);
  for (int64_t t = 0; t < 7; ++t)
    EXPECT_GT(max_abs_difference(out_x[0][t], out_y[0][t]), 1e-4) << "position " << t;
}

TEST(BertBody, DropoutOnlyInTraining) {
  torch::manual_seed(2);
  BertBody            body = random_body(small_config(), 0.1);
  const torch::Tensor x    = torch::randn({2, 6, 64});
  EXPECT_TRUE(torch::equal(body->forward(x), body->forward(x)));
  body->train();
  EXPECT_GT(max_abs_difference(body->forward(x), body->forward(x)), 1e-3);
  BertConfig no_dropout        = small_config();
  no_dropout.dropout           = 0.0;
  BertBody            plain    = random_body(no_dropout, 0.1);
  const torch::Tensor expected = plain->forward(x);
  plain->train();
  EXPECT_LT(max_abs_difference(plain->forward(x), expected), 1e-6);
}

torch::Tensor naive_layer_norm(const torch::Tensor& x, const torch::nn::LayerNorm& norm,
                               double eps) {
  const torch::Tensor mean     = x.mean(-1, /*keepdim=*/true);
  const torch::Tensor variance = (x - mean).pow(2).mean(-1, /*keepdim=*/true);
  return (x - mean) / torch::sqrt(variance + eps) * norm->weight + norm->bias;
}

torch::Tensor naive_linear(const torch::Tensor& x, const torch::nn::Linear& linear) {
  return torch::matmul(x, linear->weight.t()) + linear->bias;
}

TEST(BertBody, ForwardMatchesHandComputation) {
  torch::manual_seed(3);
  BertConfig config;
  config.n_layer       = 1;
  config.width         = 8;
  config.n_head        = 2;
  config.intermediate  = 16;
  config.max_positions = 16;
  config.vocab_size    = 10;
  // a larger eps than BERT's, so that a LayerNorm that ignored it would fail the comparison
  config.layer_norm_epsilon = 1e-2;
  BertBody            body  = random_body(config, 0.5);
  const int64_t       B = 2, T = 5, H = 2, D = 4;
  const torch::Tensor input = torch::randn({B, T, 8});
  const double        eps   = config.layer_norm_epsilon;
  const auto&         emb   = body->embeddings;
  const auto          layer = body->encoder->layer[0]->as<BertLayer>();

  const torch::Tensor h    = naive_layer_norm(input + emb->token_type_embeddings->weight[0] +
                                                  emb->position_embeddings->weight.narrow(0, 0, T),
                                              emb->layer_norm, eps);
  const auto&         self = layer->attention->self_attention;
  const torch::Tensor q = naive_linear(h, self->query), k = naive_linear(h, self->key),
                      v = naive_linear(h, self->value);  // (B, T, C)
  torch::Tensor context = torch::zeros({B, T, 8});
  for (int64_t head = 0; head < H; ++head) {
    const torch::Tensor qh = q.narrow(2, head * D, D), kh = k.narrow(2, head * D, D);
    const torch::Tensor scores = torch::matmul(qh, kh.transpose(1, 2)) / std::sqrt(double(D));
    const torch::Tensor e      = torch::exp(scores - std::get<0>(scores.max(-1, true)));
    context.narrow(2, head * D, D)
        .copy_(torch::matmul(e / e.sum(-1, true), v.narrow(2, head * D, D)));
  }
  // post-LN: the LayerNorm comes after each residual sum
  const torch::Tensor a =
      naive_layer_norm(h + naive_linear(context, layer->attention->output->dense),
                       layer->attention->output->layer_norm, eps);
  const torch::Tensor hidden   = naive_linear(a, layer->intermediate->dense);
  const torch::Tensor gelu     = 0.5 * hidden * (1.0 + torch::erf(hidden / std::sqrt(2.0)));
  const torch::Tensor expected = naive_layer_norm(a + naive_linear(gelu, layer->output->dense),
                                                  layer->output->layer_norm, eps);

  torch::NoGradGuard no_grad;
  EXPECT_LT(max_abs_difference(body->forward(input), expected.detach()), 1e-5);
}

TEST(BertBody, ParameterGroupsOfItsNames) {
  BertBody body(small_config());
  for (const auto& [name, parameter] : parameter_map(*body)) {
    ParameterGroup expected = ParameterGroup::frozen;  // word and token-type tables
    if (name.find("LayerNorm") != std::string::npos)
      expected = ParameterGroup::ln;
    else if (name.find("position_embeddings") != std::string::npos)
      expected = ParameterGroup::pos;
    else if (name.find(".attention.") != std::string::npos)
      expected = ParameterGroup::attn;
    else if (name.find(".intermediate.") != std::string::npos ||
             name.find(".output.dense.") != std::string::npos)
      expected = ParameterGroup::ff;
    EXPECT_EQ(group_name(group_of("body." + name)), group_name(expected)) << name;
  }
  EXPECT_EQ(group_of("body.embeddings.word_embeddings.weight"), ParameterGroup::frozen);
  EXPECT_EQ(group_of("body.embeddings.token_type_embeddings.weight"), ParameterGroup::frozen);
  EXPECT_EQ(group_of("body.encoder.layer.0.attention.output.dense.weight"), ParameterGroup::attn);
  EXPECT_EQ(group_of("body.encoder.layer.0.output.dense.weight"), ParameterGroup::ff);
}

TEST(BertBodyCheckpoint, HuggingFaceFileWithPrefixAndHeads) {
  torch::manual_seed(4);
  BertBody                             source            = random_body(small_config());
  const auto                           source_parameters = parameter_map(*source);
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& [name, tensor] : source_parameters) tensors["bert." + name] = tensor;
  tensors["bert.embeddings.position_ids"] = torch::arange(512, torch::kInt64).unsqueeze(0);
  tensors["bert.pooler.dense.weight"]     = torch::randn({64, 64});
  tensors["bert.pooler.dense.bias"]       = torch::randn({64});
  tensors["cls.predictions.bias"]         = torch::randn({100});
  const std::string path                  = write_file("hf_prefixed.safetensors", tensors);

  BertBody   body(small_config());
  const auto loaded = load(body, path);
  EXPECT_EQ(loaded.size(), source_parameters.size());
  for (const auto& [name, parameter] : parameter_map(*body))
    EXPECT_TRUE(torch::equal(parameter, source_parameters.at(name))) << name;
  body->eval();
  const torch::Tensor x = torch::randn({2, 9, 64});
  EXPECT_TRUE(torch::equal(body->forward(x), source->forward(x)));
}

TEST(BertBodyCheckpoint, OldGammaBetaNamesAndFptSavedBody) {
  torch::manual_seed(5);
  BertBody                             source            = random_body(small_config());
  const auto                           source_parameters = parameter_map(*source);
  std::map<std::string, torch::Tensor> old_names;
  for (const auto& [name, tensor] : source_parameters) {
    std::string renamed = name;
    if (renamed.size() > 17 && renamed.rfind("LayerNorm.weight") == renamed.size() - 16)
      renamed = renamed.substr(0, renamed.size() - 6) + "gamma";
    if (renamed.size() > 15 && renamed.rfind("LayerNorm.bias") == renamed.size() - 14)
      renamed = renamed.substr(0, renamed.size() - 4) + "beta";
    old_names[renamed] = tensor;
  }
  ASSERT_TRUE(old_names.count("embeddings.LayerNorm.gamma"));
  const std::string old_path = write_file("gamma_beta.safetensors", old_names);
  const std::string fpt_path = write_file("fpt.safetensors", source_parameters);
  for (const std::string& path : {old_path, fpt_path}) {
    BertBody body(small_config());
    EXPECT_EQ(load(body, path).size(), source_parameters.size()) << path;
    for (const auto& [name, parameter] : parameter_map(*body))
      EXPECT_TRUE(torch::equal(parameter, source_parameters.at(name))) << name << " " << path;
  }
}

TEST(BertBodyCheckpoint, Gpt2FileIsRejected) {
  std::map<std::string, torch::Tensor> gpt2;
  gpt2["wte.weight"]             = torch::randn({100, 64});
  gpt2["wpe.weight"]             = torch::randn({512, 64});
  gpt2["h.0.attn.c_attn.weight"] = torch::randn({64, 192});
  gpt2["h.0.ln_1.weight"]        = torch::ones({64});
  const std::string path         = write_file("gpt2.safetensors", gpt2);
  BertBody          body(small_config());
  try {
    load(body, path);
    FAIL() << "a GPT-2 file loaded as BERT";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("GPT-2"), std::string::npos) << message;
    EXPECT_NE(message.find("embeddings.word_embeddings.weight"), std::string::npos) << message;
    EXPECT_NE(message.find("h.0.attn.c_attn.weight"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace fpt::models
