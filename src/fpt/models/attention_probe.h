// Attention probe: the attention probabilities of one GPT-2 block of a (trained) FptModel on
// given inputs — what the paper's Bit XOR attention-map figure shows. The block's attention keeps
// its probabilities for one forward pass (Gpt2AttentionImpl::keep_probabilities) in evaluation
// mode, without gradients; the model's training mode is restored afterwards.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "fpt/models/fpt_model.h"

namespace fpt::models {

// inputs as FptModelImpl::forward takes them, (B, T, input_dim) or (B, T) token ids.
// Returns the softmax probabilities of block `layer` (0-based), (B, n_head, T, T): row i is how
// query position i distributes its attention over key positions 0..i (causal: zeros beyond i).
// Throws fpt::Error for a body that is not GPT-2 or a layer outside 0..n_layer-1.
torch::Tensor attention_probabilities(FptModelImpl& model, const torch::Tensor& inputs,
                                      int64_t layer);

}  // namespace fpt::models
