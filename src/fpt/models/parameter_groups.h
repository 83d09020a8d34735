// Parameter groups of an FptModel (input, output, pos, ln, attn, ff, recurrent, and the
// always-frozen rest), the `trains` spec key that selects which groups train, and per-group
// parameter counts. The grouping follows the official universal-computation code, which lower-cases
// each body parameter name: a name containing "ln" or "norm" is a LayerNorm, "wpe" the positions,
// "mlp" the feed-forward, "attn" the attention, and anything else (the token table wte) never
// trains. The same words in ViT/BERT spellings and the LSTM's recurrent weights are added.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <optional>
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

// Blocks of the body in Python slice notation, counted from 0; negative numbers count from the
// end: "11" one block, "-1" the last, "10:12" blocks 10 and 11, "-2:" the last two, ":6" the
// first six.
struct BlockRange {
  std::optional<int64_t> start;  // slice start (none: 0); the block itself when `single`
  std::optional<int64_t> stop;   // slice stop, exclusive (none: the block count)
  bool                   single = false;

  // Whether block `index` of a body with `block_count` blocks is in the range.
  bool contains(int64_t index, int64_t block_count) const;
  bool operator==(const BlockRange& other) const {
    return start == other.start && stop == other.stop && single == other.single;
  }
};

// One word of a `trains` value: a whole group ("attn"), or a group within some blocks
// ("attn@-1": the attention of the last block only; the paper's CIFAR-10 run that unfreezes every
// feed-forward layer and the last attention layer is "input,output,pos,ln,ff,attn@-1"). Parameters
// outside the blocks (GPT-2's final ln_f, the input layer, ...) are not selected by a word with
// blocks.
struct TrainedGroup {
  ParameterGroup            group = ParameterGroup::frozen;
  std::optional<BlockRange> blocks;  // none: every parameter of the group
  bool                      operator==(const TrainedGroup& other) const {
                         return group == other.group && blocks == other.blocks;
  }
};

// The groups a `trains` value selects: "fpt" = input,output,pos,ln; "full" = every group but
// frozen (the LSTM's recurrent weights included); otherwise a comma list of group names, e.g.
// "output,ln", each optionally restricted to blocks with "@RANGE" ("ln,output,attn@-1"). Only the
// groups that live in blocks (ln, attn, ff, recurrent) take a range. Anything else throws
// fpt::Error listing the valid words.
std::vector<TrainedGroup> parse_trains(const std::string& trains);

// The block a body parameter belongs to: the first all-digit component of its dotted name
// ("body.h.11.attn.c_attn.weight" -> 11, BERT "encoder.layer.5...", ViT "blocks.3..."); none for
// parameters outside the blocks (ln_f, wpe, the input and output layers).
std::optional<int64_t> block_index(const std::string& parameter_name);

// Sets requires_grad on every parameter of `model`: true exactly for the parameters that one of
// `trainable` selects (frozen never trains). A word with blocks must select at least one
// parameter of a block that exists, else fpt::Error names the word and the body's block count.
void apply_trainable_groups(torch::nn::Module& model, const std::vector<TrainedGroup>& trainable);

// One row per group in enum order (input .. frozen) and a final row "all" with the sums:
// total = elements, trainable = elements with requires_grad, effective = elements that training
// can change: for pos only the first sequence_length rows of wpe receive gradients, frozen
// parameters never change, and every other trainable parameter counts whole.
std::vector<core::ParameterGroupCount> count_parameters(const torch::nn::Module& model,
                                                        int64_t                  sequence_length);

}  // namespace fpt::models
