// The numerical-parity fixtures of tests/data/parity/ (written by the real reference
// implementations — transformers, timm — through tests/tools/make_parity_fixtures.py): loading a
// case (its JSON config and expected tensors), building the FptModel it describes with its body
// loaded from the reference's own checkpoint file by the real loader, and comparing tensors with
// a stated tolerance while reporting max abs / max rel error. Header-only: shared by
// tests/unit/models/parity_test.cpp (forward, loss, gradients) and
// tests/unit/train/parity_adam_test.cpp (training steps).
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fpt/core/error.h"
#include "fpt/io/safetensors.h"
#include "fpt/models/bert_body.h"
#include "fpt/models/checkpoint_reader.h"
#include "fpt/models/fpt_model.h"
#include "fpt/models/gpt2.h"
#include "fpt/models/parameter_groups.h"
#include "fpt/models/vit_body.h"

namespace fpt::parity {

// Every case the generator writes.
inline const std::vector<std::string>& case_names() {
  static const std::vector<std::string> names = {"gpt2_small", "gpt2_wide", "vit_timm", "vit_hf",
                                                 "bert_small"};
  return names;
}

inline std::string fixture_path(const std::string& file_name) {
  return std::string(FPT_SOURCE_DIR) + "/tests/data/parity/" + file_name;
}

struct ParityCase {
  std::string                          name;
  nlohmann::json                       config;    // CASE.json
  std::map<std::string, torch::Tensor> expected;  // CASE.expected.safetensors

  const torch::Tensor& tensor(const std::string& key) const {
    auto found = expected.find(key);
    if (found == expected.end())
      fail(
          "parity case {}: {} has no tensor '{}'; regenerate the fixtures "
          "(tests/tools/make_parity_fixtures.py)",
          name, fixture_path(name + ".expected.safetensors"), key);
    return found->second;
  }
  int64_t output_dim() const { return config.at("output_dim").get<int64_t>(); }
};

inline ParityCase load_case(const std::string& name) {
  ParityCase    parity_case{name, {}, {}};
  std::ifstream json_file(fixture_path(name + ".json"));
  if (!json_file) fail("parity case {}: cannot open {}", name, fixture_path(name + ".json"));
  parity_case.config = nlohmann::json::parse(json_file);
  const io::SafetensorsFile file =
      io::SafetensorsFile::open(fixture_path(name + ".expected.safetensors"));
  for (const io::TensorEntry& entry : file.header().tensors)
    parity_case.expected[entry.name] = models::tensor_from_view(file.tensor(entry.name));
  return parity_case;
}

// The body the case's JSON describes, dropout 0 (the reference ran with every dropout 0).
inline models::Body make_case_body(const nlohmann::json& config) {
  const nlohmann::json& body   = config.at("body");
  const std::string     family = config.at("family").get<std::string>();
  if (family == "gpt2") {
    models::Gpt2Config gpt2;
    gpt2.n_layer            = body.at("n_layer").get<int64_t>();
    gpt2.n_embd             = body.at("width").get<int64_t>();
    gpt2.n_head             = body.at("n_head").get<int64_t>();
    gpt2.n_positions        = body.at("n_positions").get<int64_t>();
    gpt2.vocab_size         = body.at("vocab_size").get<int64_t>();
    gpt2.layer_norm_epsilon = body.at("layer_norm_epsilon").get<double>();
    gpt2.dropout            = 0.0;
    return models::Gpt2Body(gpt2).ptr();
  }
  if (family == "vit") {
    models::VitConfig vit;
    vit.n_layer            = body.at("n_layer").get<int64_t>();
    vit.width              = body.at("width").get<int64_t>();
    vit.n_head             = body.at("n_head").get<int64_t>();
    vit.mlp_width          = body.at("mlp_width").get<int64_t>();
    vit.n_positions        = body.at("n_positions").get<int64_t>();
    vit.layer_norm_epsilon = body.at("layer_norm_epsilon").get<double>();
    vit.dropout            = 0.0;
    return models::VitBody(vit).ptr();
  }
  if (family == "bert") {
    models::BertConfig bert;
    bert.n_layer            = body.at("n_layer").get<int64_t>();
    bert.width              = body.at("width").get<int64_t>();
    bert.n_head             = body.at("n_head").get<int64_t>();
    bert.intermediate       = body.at("intermediate").get<int64_t>();
    bert.max_positions      = body.at("max_positions").get<int64_t>();
    bert.type_vocab_size    = body.at("type_vocab_size").get<int64_t>();
    bert.vocab_size         = body.at("vocab_size").get<int64_t>();
    bert.layer_norm_epsilon = body.at("layer_norm_epsilon").get<double>();
    bert.dropout            = 0.0;
    return models::BertBody(bert).ptr();
  }
  fail("parity fixture: unknown family '{}'", family);
}

// The case's FptModel: body loaded from CASE.body.safetensors through CheckpointReader and the
// body's load_checkpoint (prefix stripping, ignored tensors, Conv1D layout, q/k/v packing, dtype
// conversion all exercised); input and output layers copied from the expected file; trainable
// groups "fpt"; eval mode. `loaded` receives the names load_checkpoint reports.
inline models::FptModel make_case_model(const ParityCase&         parity_case,
                                        std::vector<std::string>* loaded = nullptr) {
  const nlohmann::json&   config = parity_case.config;
  models::FptModelOptions options;
  options.token_input   = config.at("input").get<std::string>() == "tokens";
  options.input_dim     = config.at("input_dim").get<int64_t>();
  options.output_tokens = config.at("output_tokens").get<int64_t>();
  options.output_dim    = config.at("output_dim").get<int64_t>();
  options.dropout       = 0.0;
  options.orth_gain     = config.at("orth_gain").get<double>();

  models::Body body = make_case_body(config);
  {
    const io::SafetensorsFile file =
        io::SafetensorsFile::open(fixture_path(parity_case.name + ".body.safetensors"));
    models::CheckpointReader reader(file, "parity case " + parity_case.name);
    std::vector<std::string> names = body->load_checkpoint(reader);
    if (loaded) *loaded = names;
  }
  models::FptModel model(body, options);
  {
    torch::NoGradGuard no_grad;
    for (auto& item : model->named_parameters()) {
      const std::string& name = item.key();
      if (name.rfind("input_layer.", 0) == 0 || name.rfind("output_layer.", 0) == 0)
        item.value().copy_(parity_case.tensor(name));
    }
  }
  models::apply_trainable_groups(*model, models::parse_trains("fpt"));
  model->eval();
  return model;
}

// The input layer's output for the case's inputs: the embeddings (B, T, C) the body receives.
inline torch::Tensor case_embeddings(models::FptModel& model, const torch::Tensor& inputs) {
  return model->options().token_input ? model->input_embedding(inputs)
                                      : model->input_linear(inputs);
}

// The tolerance of one comparison: |actual - expected| <= abs + rel * |expected| elementwise
// (numpy.allclose's rule).
struct Tolerance {
  double abs = 1e-5;
  double rel = 1e-4;
};

struct Discrepancy {
  double max_abs = 0;  // max |actual - expected|
  // max |actual - expected| / |expected| over the elements with |expected| >= 1e-3 max|expected|
  // (relative error of entries that are zero up to rounding says nothing)
  double max_rel = 0;
  bool   within  = false;  // every element within the tolerance
};

inline Discrepancy compare(const torch::Tensor& actual, const torch::Tensor& expected,
                           const Tolerance& tolerance) {
  const torch::Tensor a = actual.detach().to(torch::kFloat64).cpu();
  const torch::Tensor e = expected.detach().to(torch::kFloat64).cpu();
  Discrepancy         result;
  if (a.sizes() != e.sizes()) return result;  // within = false
  if (a.numel() == 0) {
    result.within = true;
    return result;
  }
  const torch::Tensor difference  = (a - e).abs();
  const torch::Tensor magnitude   = e.abs();
  result.max_abs                  = difference.max().item<double>();
  const torch::Tensor significant = magnitude >= 1e-3 * magnitude.max().item<double>();
  if (significant.any().item<bool>())
    result.max_rel = (difference / magnitude).masked_select(significant).max().item<double>();
  result.within = (difference <= tolerance.abs + tolerance.rel * magnitude).all().item<bool>();
  return result;
}

// Compares, prints "[parity] case quantity: max abs .., max rel .. (tolerance ..)", records the
// numbers as test properties and fails the test (naming the case and quantity) if out of bounds.
inline Discrepancy expect_close(const std::string& case_name, const std::string& quantity,
                                const torch::Tensor& actual, const torch::Tensor& expected,
                                const Tolerance& tolerance) {
  const Discrepancy d    = compare(actual, expected, tolerance);
  const std::string line = fmt::format(
      "[parity] {:<10} {:<58} max abs {:9.3e}  max rel {:9.3e}  (abs {:.0e} + rel {:.0e})",
      case_name, quantity, d.max_abs, d.max_rel, tolerance.abs, tolerance.rel);
  std::cout << line << "\n";
  ::testing::Test::RecordProperty(case_name + "." + quantity + ".max_abs",
                                  fmt::format("{:.3e}", d.max_abs));
  ::testing::Test::RecordProperty(case_name + "." + quantity + ".max_rel",
                                  fmt::format("{:.3e}", d.max_rel));
  EXPECT_EQ(actual.sizes().vec(), expected.sizes().vec()) << case_name << " " << quantity;
  EXPECT_TRUE(d.within) << line;
  return d;
}

}  // namespace fpt::parity
