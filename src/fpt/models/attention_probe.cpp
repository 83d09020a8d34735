#include "fpt/models/attention_probe.h"

#include <memory>

#include "fpt/core/error.h"
#include "fpt/models/gpt2.h"

namespace fpt::models {
namespace {

// For one forward pass: the attention keeps its probabilities and the model runs in evaluation
// mode; both are undone however the pass ends.
struct ProbeScope {
  ProbeScope(Gpt2AttentionImpl& attention, FptModelImpl& model)
      : attention(attention), model(model), was_training(model.is_training()) {
    attention.keep_probabilities = true;
    model.eval();  // no dropout: the probabilities the trained model computes
  }
  ~ProbeScope() {
    attention.keep_probabilities = false;
    attention.probabilities      = torch::Tensor();
    model.train(was_training);
  }
  Gpt2AttentionImpl& attention;
  FptModelImpl&      model;
  bool               was_training;
};

}  // namespace

torch::Tensor attention_probabilities(FptModelImpl& model, const torch::Tensor& inputs,
                                      int64_t layer) {
  const auto gpt2 = std::dynamic_pointer_cast<Gpt2BodyImpl>(model.body);
  if (!gpt2)
    fail("attention map: implemented for GPT-2 bodies; this model's body is {}",
         model.body->family());
  const int64_t layers = static_cast<int64_t>(gpt2->h->size());
  if (layer < 0 || layer >= layers)
    fail("attention map: layer {} does not exist; the body has layers 0..{}", layer, layers - 1);

  torch::NoGradGuard no_grad;
  ProbeScope         scope(*gpt2->h[static_cast<size_t>(layer)]->as<Gpt2Block>()->attn, model);
  model.forward(inputs);
  torch::Tensor probabilities = scope.attention.probabilities;  // (B, n_head, T, T)
  return probabilities;
}

}  // namespace fpt::models
