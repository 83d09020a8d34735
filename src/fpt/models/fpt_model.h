// FptModel: the frozen-pretrained-transformer wrapper of the paper — a trainable input layer
// (Linear for continuous tokens, Embedding for discrete ones), a body (GPT-2, ViT, BERT-family or
// LSTM: body.h), and a trainable Linear output head that reads the last `output_tokens` positions
// of the body's output.
// Which parameters train is set afterwards by parameter_groups.h (apply_trainable_groups).
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "fpt/models/body.h"
#include "fpt/models/gpt2.h"
#include "fpt/models/gpt2_config.h"

namespace fpt::models {

struct FptModelOptions {
  bool    token_input   = false;  // true: inputs are token ids (B, T) into an Embedding
  int64_t input_dim     = 1;      // features per token, or the vocabulary size for token input
  int64_t output_tokens = 1;      // positions read at the end of the sequence (bit-memory 20)
  int64_t output_dim    = 2;      // logits per read position
  double  dropout       = 0.1;    // after the continuous input Linear (the body has its own)
  double  orth_gain     = 1.41;   // gain of the input Linear's orthogonal init
};

struct FptModelImpl : torch::nn::Module {
  // `body` is registered as "body" (parameter names body.h.0.ln_1.weight, ...).
  FptModelImpl(Body body, const FptModelOptions& options);
  // A freshly initialised GPT-2 body of `config`.
  FptModelImpl(const Gpt2Config& config, const FptModelOptions& options);

  // inputs: (B, T, input_dim) floating point, or (B, T) int64 token ids < input_dim when
  // token_input. Returns logits (B, output_tokens, output_dim) from the last output_tokens
  // positions (the causal body has seen the whole sequence only there).
  torch::Tensor forward(const torch::Tensor& inputs);

  const FptModelOptions& options() const { return options_; }

  // Exactly one of the two input layers exists, registered as "input_layer".
  torch::nn::Linear    input_linear{nullptr};     // input_dim -> C, orthogonal(gain), bias 0
  torch::nn::Embedding input_embedding{nullptr};  // (input_dim, C), N(0, 1)
  torch::nn::Dropout   input_dropout{nullptr};    // continuous input only
  Body                 body;
  torch::nn::Linear    output_layer{nullptr};  // C -> output_dim, PyTorch default init

 private:
  FptModelOptions options_;
};
TORCH_MODULE(FptModel);

}  // namespace fpt::models
