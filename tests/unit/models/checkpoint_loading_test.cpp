// Loading checkpoints into bodies: GPT-2 files in the Hugging Face layout (prefix, buffers,
// Conv1D [in, out]), bodies saved by fpt, the pretrained/stats/bit initialisations through
// make_model, and every way a checkpoint can fail to fit, each with a message that says so.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fpt/core/error.h"
#include "fpt/core/experiment_spec.h"
#include "fpt/io/safetensors.h"
#include "fpt/models/body_init.h"
#include "fpt/models/checkpoint_reader.h"
#include "fpt/models/gpt2.h"
#include "fpt/models/make_model.h"

namespace {

using fpt::models::Gpt2Body;
using fpt::models::Gpt2Config;

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("fpt_checkpoint_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Gpt2Config tiny_config(int64_t layers = 2) {
  Gpt2Config config;
  config.n_layer     = layers;
  config.n_embd      = 32;
  config.n_head      = 4;
  config.n_positions = 16;
  config.vocab_size  = 11;
  config.dropout     = 0.0;
  return config;
}

// Writes `tensors` (name -> float tensor) as a safetensors file.
void write_file(const fs::path&                                           path,
                const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
  std::vector<torch::Tensor>          keep;
  std::vector<fpt::io::TensorToWrite> out;
  for (const auto& [name, tensor] : tensors) {
    torch::Tensor values = tensor.detach().to(torch::kFloat32).contiguous();
    keep.push_back(values);
    out.push_back({name, fpt::io::TensorDtype::F32, values.sizes().vec(), values.data_ptr(),
                   static_cast<size_t>(values.nbytes())});
  }
  fpt::io::write_safetensors(path.string(), out);
}

// The parameters of a body under Hugging Face GPT2LMHeadModel names: "transformer." prefix, the
// causal-mask buffers, and the tied lm_head.
std::vector<std::pair<std::string, torch::Tensor>> hf_style_tensors(Gpt2Body& body) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : body->named_parameters())
    tensors.emplace_back("transformer." + item.key(), item.value());
  for (int64_t layer = 0; layer < body->config().n_layer; ++layer)
    tensors.emplace_back("transformer.h." + std::to_string(layer) + ".attn.bias",
                         torch::ones({1, 1, 16, 16}).tril());
  tensors.emplace_back("transformer.h.0.attn.masked_bias", torch::tensor({-1e4f}));  // old files
  tensors.emplace_back("lm_head.weight", body->wte->weight);
  return tensors;
}

std::string load_error(fpt::models::BodyImpl& body, const fs::path& file) {
  try {
    fpt::models::load_body_weights(body, file.string(), false, "test");
  } catch (const fpt::Error& error) {
    return error.what();
  }
  return "";
}

torch::Tensor run(Gpt2Body& body, const torch::Tensor& x) {
  body->eval();
  torch::NoGradGuard no_grad;
  return body->forward(x);
}

TEST(CheckpointLoading, HuggingFaceLayoutLoadsAndGivesTheSameForward) {
  torch::manual_seed(1);
  Gpt2Body       source(tiny_config());
  const fs::path file = temp_dir("hf") / "model.safetensors";
  write_file(file, hf_style_tensors(source));

  torch::manual_seed(2);
  Gpt2Body            target(tiny_config());
  const torch::Tensor x = torch::randn({2, 5, 32});
  EXPECT_FALSE(torch::allclose(run(source, x), run(target, x)));
  fpt::models::load_body_weights(*target, file.string(), false, "test");
  EXPECT_TRUE(torch::equal(run(source, x), run(target, x)));
}

TEST(CheckpointLoading, SavedBodyRoundTrips) {
  torch::manual_seed(3);
  Gpt2Body       source(tiny_config());
  const fs::path file = temp_dir("saved") / "bodies" / "body.safetensors";
  fpt::models::save_body(*source, file.string(), {{"experiment_id", "abc"}});
  const auto opened = fpt::io::SafetensorsFile::open(file.string());
  EXPECT_EQ(opened.header().metadata.at("fpt_body"), "gpt2");
  EXPECT_EQ(opened.header().metadata.at("experiment_id"), "abc");

  torch::manual_seed(4);
  Gpt2Body target(tiny_config());
  fpt::models::load_body_weights(*target, file.string(), false, "test");
  const torch::Tensor x = torch::randn({1, 7, 32});
  EXPECT_TRUE(torch::equal(run(source, x), run(target, x)));
}

TEST(CheckpointLoading, ShallowerBodyTakesTheFirstBlocksOfADeeperCheckpoint) {
  torch::manual_seed(5);
  Gpt2Body       deep(tiny_config(3));
  const fs::path file = temp_dir("deep") / "model.safetensors";
  write_file(file, hf_style_tensors(deep));
  Gpt2Body shallow(tiny_config(1));
  fpt::models::load_body_weights(*shallow, file.string(), false, "test");
  EXPECT_TRUE(torch::equal(shallow->named_parameters()["h.0.attn.c_attn.weight"],
                           deep->named_parameters()["h.0.attn.c_attn.weight"]));
  EXPECT_TRUE(torch::equal(shallow->ln_f->weight, deep->ln_f->weight));
}

TEST(CheckpointLoading, MissingUnexpectedAndMisShapedTensorsAreListed) {
  torch::manual_seed(6);
  Gpt2Body source(tiny_config());
  auto     tensors = hf_style_tensors(source);
  tensors.erase(
      std::remove_if(tensors.begin(), tensors.end(),
                     [](const auto& item) { return item.first == "transformer.ln_f.bias"; }),
      tensors.end());
  tensors.emplace_back("transformer.extra.weight", torch::zeros({2}));
  const fs::path file = temp_dir("bad") / "model.safetensors";
  write_file(file, tensors);
  Gpt2Body          target(tiny_config());
  const std::string message = load_error(*target, file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("missing (1): ln_f.bias [32]"), std::string::npos) << message;
  EXPECT_NE(message.find("unexpected (1): extra.weight"), std::string::npos) << message;

  // A checkpoint of another width: every shape is named with expected and found.
  Gpt2Config wide = tiny_config();
  wide.n_embd     = 64;
  Gpt2Body       wider(wide);
  const fs::path wide_file = temp_dir("wide") / "model.safetensors";
  write_file(wide_file, hf_style_tensors(wider));
  const std::string wrong_size = load_error(*target, wide_file);
  EXPECT_NE(wrong_size.find("wrong shape"), std::string::npos) << wrong_size;
  EXPECT_NE(wrong_size.find("h.0.ln_1.weight: expected [32], found [64]"), std::string::npos)
      << wrong_size;
  EXPECT_NE(wrong_size.find("is the body size right?"), std::string::npos) << wrong_size;
}

TEST(CheckpointLoading, AnotherFamilysFileSaysWhatItLooksLike) {
  const fs::path file = temp_dir("vit") / "model.safetensors";
  write_file(file, {{"blocks.0.attn.qkv.weight", torch::zeros({96, 32})},
                    {"blocks.0.norm1.weight", torch::ones({32})}});
  Gpt2Body          target(tiny_config());
  const std::string message = load_error(*target, file);
  EXPECT_NE(message.find("looks like a timm ViT checkpoint"), std::string::npos) << message;
  EXPECT_NE(message.find("missing"), std::string::npos) << message;
}

TEST(CheckpointLoading, IntegerTensorWhereWeightsBelongIsRefused) {
  torch::manual_seed(7);
  Gpt2Body       source(tiny_config());
  auto           tensors = hf_style_tensors(source);
  const fs::path file    = temp_dir("int") / "model.safetensors";
  // Same tensors, but ln_f.weight written as I64: a wrong dtype for a weight.
  std::vector<torch::Tensor>          keep;
  std::vector<fpt::io::TensorToWrite> out;
  for (const auto& [name, tensor] : tensors) {
    const bool    as_int = name == "transformer.ln_f.weight";
    torch::Tensor values = as_int ? tensor.detach().to(torch::kInt64).contiguous()
                                  : tensor.detach().to(torch::kFloat32).contiguous();
    keep.push_back(values);
    out.push_back({name, as_int ? fpt::io::TensorDtype::I64 : fpt::io::TensorDtype::F32,
                   values.sizes().vec(), values.data_ptr(), static_cast<size_t>(values.nbytes())});
  }
  fpt::io::write_safetensors(file.string(), out);
  Gpt2Body          target(tiny_config());
  const std::string message = load_error(*target, file);
  EXPECT_NE(message.find("ln_f.weight: expected floating point, found I64"), std::string::npos)
      << message;
}

TEST(CheckpointLoading, HalfAndBfloat16CheckpointsConvertToFloat32) {
  const fs::path      file   = temp_dir("half") / "model.safetensors";
  const torch::Tensor values = torch::tensor({1.5f, -2.25f, 0.125f});
  torch::Tensor       half   = values.to(torch::kFloat16).contiguous();
  torch::Tensor       bf16   = values.to(torch::kBFloat16).contiguous();
  fpt::io::write_safetensors(file.string(),
                             {{"a", fpt::io::TensorDtype::F16, {3}, half.data_ptr(), 6},
                              {"b", fpt::io::TensorDtype::BF16, {3}, bf16.data_ptr(), 6}});
  const auto opened = fpt::io::SafetensorsFile::open(file.string());
  EXPECT_TRUE(torch::equal(fpt::models::tensor_from_view(opened.tensor("a")), values));
  EXPECT_TRUE(torch::equal(fpt::models::tensor_from_view(opened.tensor("b")), values));
}

TEST(CheckpointLoading, LayerIndexParsesOnlyWellFormedNames) {
  EXPECT_EQ(fpt::models::layer_index("h.12.ln_1.weight", "h."), 12);
  EXPECT_EQ(fpt::models::layer_index("encoder.layer.3.output.dense.weight", "encoder.layer."), 3);
  EXPECT_EQ(fpt::models::layer_index("h.x.ln_1.weight", "h."), -1);
  EXPECT_EQ(fpt::models::layer_index("h.99999999999999999999.w", "h."), -1);
  EXPECT_EQ(fpt::models::layer_index("ln_f.weight", "h."), -1);
  EXPECT_EQ(fpt::models::layer_index("h.3", "h."), -1);
}

// --- initialisations through make_model ---------------------------------------------------------

fpt::core::ExperimentSpec tiny_spec(const std::string& init, const std::string& weights) {
  fpt::core::ExperimentSpec spec;
  spec.body    = "gpt2-tiny";
  spec.init    = init;
  spec.weights = weights;
  spec.dropout = 0.0;
  return spec;
}

fpt::models::FptModelOptions continuous_options() {
  fpt::models::FptModelOptions options;
  options.input_dim = 3;
  return options;
}

TEST(Initialisation, PretrainedLoadsTheFileAndStatsKeepsOnlyMoments) {
  torch::manual_seed(8);
  Gpt2Body source(fpt::models::gpt2_config("gpt2-tiny"));
  // Distinctive values so that the moments are far from the random init's.
  {
    torch::NoGradGuard no_grad;
    for (auto& parameter : source->parameters()) parameter.mul_(3.0).add_(0.5);
  }
  const fs::path file = temp_dir("init") / "model.safetensors";
  fpt::models::save_body(*source, file.string());

  torch::manual_seed(9);
  auto pretrained =
      fpt::models::make_model(tiny_spec("pretrained", file.string()), continuous_options());
  const auto source_parameters = source->named_parameters();
  for (const auto& item : pretrained->body->named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), source_parameters[item.key()])) << item.key();

  torch::manual_seed(10);
  auto stats = fpt::models::make_model(tiny_spec("stats", file.string()), continuous_options());
  for (const auto& item : stats->body->named_parameters()) {
    const torch::Tensor& original = source_parameters[item.key()];
    if (original.numel() < 1000) continue;  // moments of small tensors are too noisy to compare
    EXPECT_FALSE(torch::allclose(item.value(), original)) << item.key();
    EXPECT_NEAR(item.value().mean().item<double>(), original.mean().item<double>(),
                0.05 * original.std().item<double>() + 1e-6)
        << item.key();
    EXPECT_NEAR(item.value().std().item<double>(), original.std().item<double>(),
                0.05 * original.std().item<double>())
        << item.key();
  }
}

TEST(Initialisation, MissingWeightsSayHowToGetThem) {
  auto expect_message = [](const fpt::core::ExperimentSpec& spec, const std::string& weights_dir,
                           const std::string& part) {
    try {
      fpt::models::make_model(spec, continuous_options(), {weights_dir, ""});
      ADD_FAILURE() << "no error for " << spec.body << " " << spec.init;
    } catch (const fpt::Error& error) {
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
    }
  };
  const fs::path            empty = temp_dir("empty_cache");
  fpt::core::ExperimentSpec gpt2  = tiny_spec("pretrained", "");
  gpt2.body                       = "gpt2";
  expect_message(gpt2, empty.string(), "build/fpt_fetch gpt2");
  expect_message(tiny_spec("stats", ""), empty.string(), "has no published ones");
  expect_message(tiny_spec("pretrained", "/nonexistent/model.safetensors"), empty.string(),
                 "does not exist");
  expect_message(tiny_spec("bit", ""), empty.string(), "Bit Memory pretraining");
}

TEST(Initialisation, ConfigJsonBesideTheCheckpointSetsTheLayerNormEpsilon) {
  const fs::path dir = temp_dir("config");
  { std::ofstream(dir / "config.json") << R"({"layer_norm_eps": 1e-12, "hidden_size": 384})"; }
  EXPECT_EQ(fpt::models::checkpoint_layer_norm_epsilon((dir / "model.safetensors").string()),
            1e-12);
  EXPECT_EQ(fpt::models::checkpoint_layer_norm_epsilon((temp_dir("noconfig") / "m").string()), 0);
  { std::ofstream(dir / "config.json") << R"({"layer_norm_epsilon": 1e-05, "n_embd": 768})"; }
  EXPECT_EQ(fpt::models::checkpoint_layer_norm_epsilon((dir / "model.safetensors").string()), 1e-5);
  { std::ofstream(dir / "config.json") << "{not json"; }
  EXPECT_THROW(fpt::models::checkpoint_layer_norm_epsilon((dir / "model.safetensors").string()),
               fpt::Error);
}

}  // namespace
