#include "fpt/models/fpt_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"

namespace fpt::models {
namespace {

std::string shape_text(const torch::Tensor& tensor) {
  return fmt::format("[{}]", fmt::join(tensor.sizes().vec(), ", "));
}

}  // namespace

FptModelImpl::FptModelImpl(const Gpt2Config& config, const FptModelOptions& options)
    : FptModelImpl(Gpt2Body(config).ptr(), options) {}

FptModelImpl::FptModelImpl(Body built_body, const FptModelOptions& options) : options_(options) {
  if (!built_body) fail("FPT model: no body given");
  if (options_.input_dim < 1 || options_.output_tokens < 1 || options_.output_dim < 1)
    fail("FPT model: input_dim ({}), output_tokens ({}) and output_dim ({}) must be at least 1",
         options_.input_dim, options_.output_tokens, options_.output_dim);
  if (options_.dropout < 0.0 || options_.dropout >= 1.0)
    fail("FPT model: dropout {} is outside [0, 1)", options_.dropout);
  // Built in the official code's order (body first — the caller built it —, then input layer,
  // output layer) so that one seed draws the same kinds of numbers in the same sequence.
  const int64_t      width = built_body->width();
  torch::NoGradGuard no_grad;
  if (options_.token_input) {
    input_embedding = torch::nn::Embedding(options_.input_dim, width);
    input_embedding->weight.normal_(0.0, 1.0);
    register_module("input_layer", input_embedding);
  } else {
    input_linear = torch::nn::Linear(options_.input_dim, width);
    torch::nn::init::orthogonal_(input_linear->weight, options_.orth_gain);
    input_linear->bias.zero_();
    register_module("input_layer", input_linear);
    input_dropout = register_module("input_dropout", torch::nn::Dropout(options_.dropout));
  }
  body         = register_module("body", built_body);
  output_layer = register_module("output_layer", torch::nn::Linear(width, options_.output_dim));
}

torch::Tensor FptModelImpl::forward(const torch::Tensor& inputs) {
  torch::Tensor embeddings;  // (B, T, C)
  if (options_.token_input) {
    if (inputs.dim() != 2 || inputs.is_floating_point())
      fail("FPT model: token input expects integer ids of shape (batch, tokens), got {} {}",
           std::string(c10::toString(inputs.scalar_type())), shape_text(inputs));
    embeddings = input_embedding(inputs);
  } else {
    if (inputs.dim() != 3 || inputs.size(2) != options_.input_dim || !inputs.is_floating_point())
      fail("FPT model: continuous input expects floats of shape (batch, tokens, {}), got {} {}",
           options_.input_dim, std::string(c10::toString(inputs.scalar_type())),
           shape_text(inputs));
    embeddings = input_dropout(input_linear(inputs));
  }
  const int64_t T = embeddings.size(1);
  if (options_.output_tokens > T)
    fail("FPT model: output_tokens {} exceeds the sequence length {}", options_.output_tokens, T);
  const torch::Tensor hidden = body->forward(embeddings);  // (B, T, C)
  const torch::Tensor last   = hidden.narrow(1, T - options_.output_tokens, options_.output_tokens);
  return output_layer(last);  // (B, output_tokens, output_dim)
}

}  // namespace fpt::models
