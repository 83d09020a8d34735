// Task: the interface every task of fpt implements — the synthetic bit tasks and ListOps here, the
// image and protein tasks later — unchanged. A task owns its data (generated or read from the
// release files), turns it into token tensors, and says how the model's output is scored.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fpt/core/experiment_spec.h"

namespace fpt::tasks {

enum class InputKind {
  continuous,  // inputs (B, T, input_dim) float: an input Linear embeds them
  tokens,      // inputs (B, T) int64 in [0, input_dim): an input Embedding embeds them
};

struct TaskShape {
  InputKind input_kind      = InputKind::continuous;
  int64_t   input_dim       = 1;  // features per token, or vocabulary size for tokens
  int64_t   sequence_length = 1;  // tokens per example (the longest, where lengths vary)
  int64_t   output_tokens   = 1;  // the head reads the last `output_tokens` positions (the "ratio")
  int64_t   output_dim      = 2;  // logits per output token
  int64_t   num_classes     = 2;  // classes of one prediction: logits (B, R, O) -> (B, R*O/C, C)
};

// A batch: inputs as in InputKind; targets (B, K) int64 class indices, K = R*O/C predictions per
// example (1000 bits for Bit Memory, 5 for Bit XOR, 1 for a classification task).
struct Batch {
  torch::Tensor inputs;
  torch::Tensor targets;
};

// One split of the final full evaluation pass.
struct EvalSplit {
  std::string name;           // e.g. "basic_val", "valid", "test_fold_holdout"
  int64_t     size      = 0;  // examples evaluated: [0, size)
  int64_t     excluded  = 0;  // examples of the split left out (e.g. longer than the model takes)
  bool        corrected = false;  // also report accuracy × size / (size + excluded): the excluded
                                  // examples counted wrong (remote homology's official protocol)
};

class Task {
 public:
  virtual ~Task() = default;

  virtual std::string name() const  = 0;  // the official name, e.g. "bit-xor"
  virtual TaskShape   shape() const = 0;

  // Random training batch; `generator` (CPU) makes the draw reproducible. The trainer calls it
  // on a background thread (train/batch_prefetcher.h) while eval_batch / the eval split run on
  // the training thread: it must not share mutable state with them.
  virtual Batch train_batch(int64_t batch_size, torch::Generator& generator) = 0;
  // Random held-out batch for the periodic running estimate (the official 25-batch "test").
  virtual Batch eval_batch(int64_t batch_size, torch::Generator& generator) = 0;

  // A fixed evaluation split for the final full pass, where the task has one ("" / 0 if not).
  virtual std::string eval_split_name() const { return ""; }
  virtual int64_t     eval_split_size() const { return 0; }
  // Examples [begin, end) of the fixed split, in order.
  virtual Batch eval_split_batch(int64_t begin, int64_t end);

  // Every split of the final full pass, the headline one first. The default is the one fixed split
  // above (none when its size is 0); a task with several (remote homology: valid and three test
  // holdouts) overrides this and eval_split_examples.
  virtual std::vector<EvalSplit> eval_splits() const;
  // Examples [begin, end) of eval_splits()[split], in the task's fixed order.
  virtual Batch eval_split_examples(int64_t split, int64_t begin, int64_t end);
};

// The task an experiment asks for, built from its spec. Unknown names get an error listing the
// valid ones.
std::unique_ptr<Task> make_task(const core::ExperimentSpec& spec);

}  // namespace fpt::tasks
