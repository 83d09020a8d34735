// Parameter groups of an FptModel (input, output, pos, ln, attn, ff, recurrent, and the
// always-frozen rest), the `trains` spec key that selects which groups train, and per-group
// parameter counts. The grouping follows the official universal-computation code, which lower-cases
// each body parameter name: a name containing "ln" or "norm" is a LayerNorm, "wpe" the positions,
// "mlp" the feed-forward, "attn" the attention, and anything else (the token table wte) never
// trains. The same words in ViT/BERT spellings and the LSTM's recurrent weights are added.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fpt/core/run_result.h"

namespace fpt::models {

enum class ParameterGroup { input, output, pos, ln, attn, ff, recurrent, frozen };

// "input", "output", "pos", "ln", "attn", "ff", "recurrent", "frozen".
std::string group_name(ParameterGroup group);

// The group of one FptModel parameter name: input_layer.* -> input, output_layer.* -> output;
// any other name is a body name (with or without the "body." prefix), lower-cased and classified
// in the official order: ln ("ln", "norm"), pos ("wpe", "position_embeddings", "pos_embed"),
// ff ("mlp"), attn ("attention": BERT / HF ViT, checked before their "output.dense"), ff
// ("intermediate", "output.dense"), attn ("attn"), recurrent (LSTM "i2h", "h2h", "weight_ih",
// "weight_hh", "bias_ih", "bias_hh"), else frozen.
ParameterGroup group_of(const std::string& parameter_name);

// The groups a `trains` value selects: "fpt" = input,output,pos,ln; "full" = every group but
// frozen (the LSTM's recurrent weights included); otherwise a comma list of group names, e.g.
// "output,ln". Anything else throws fpt::Error listing the valid words.
std::vector<ParameterGroup> parse_trains(const std::string& trains);

// Sets requires_grad on every parameter of `model`: true exactly for the parameters whose group is
// in `trainable` (frozen never trains).
void apply_trainable_groups(torch::nn::Module& model, const std::vector<ParameterGroup>& trainable);

// One row per group in enum order (input .. frozen) and a final row "all" with the sums:
// total = elements, trainable = elements with requires_grad, effective = elements that training
// can change: for pos only the first sequence_length rows of wpe receive gradients, frozen
// parameters never change, and every other trainable parameter counts whole.
std::vector<core::ParameterGroupCount> count_parameters(const torch::nn::Module& model,
                                                        int64_t                  sequence_length);

}  // namespace fpt::models
