// The two synthetic bit tasks of the paper, generated on the fly exactly as the official code:
//
//   bit-memory: 5 strings of 1000 bits in {-1, +1}, then one of them again with each bit masked to
//   0
//               with probability 0.5; predict the unmasked query. 6 × 1000 bits cut into tokens of
//               50 -> (B, 120, 50); the head reads the last 20 tokens × 100 logits = 1000 bits × 2.
//   bit-xor:    2 strings of 5 bits in {0, 1}; predict their elementwise XOR. (B, 10, 1); the head
//               reads the last 5 tokens × 2 logits.
//
// Loss is cross-entropy per bit and accuracy is per-bit accuracy (tasks/metrics.h). Train and eval
// batches come from independent generators, so there is no fixed evaluation split.
#pragma once

#include "fpt/tasks/task.h"

namespace fpt::tasks {

struct BitsOptions {
  bool    xor_task       = false;  // false: bit-memory, true: bit-xor
  int64_t bits           = 1000;   // bits per string (memory 1000, xor 5)
  int64_t patterns       = 5;      // strings shown before the query (memory 5, xor 2)
  int64_t bits_per_token = 50;     // patch size (memory 50, xor 1)
};

// Options for `spec.task` with 0-valued bits_* keys replaced by the task's defaults; errors when
// bits is not a multiple of bits_per_token.
BitsOptions bits_options_from_spec(const core::ExperimentSpec& spec);

class BitsTask : public Task {
 public:
  explicit BitsTask(BitsOptions options);

  std::string name() const override { return options_.xor_task ? "bit-xor" : "bit-memory"; }
  TaskShape   shape() const override;
  Batch       train_batch(int64_t batch_size, torch::Generator& generator) override;
  Batch       eval_batch(int64_t batch_size, torch::Generator& generator) override;

  const BitsOptions& options() const { return options_; }

 private:
  Batch sample(int64_t batch_size, torch::Generator& generator) const;
  Batch sample_memory(int64_t batch_size, torch::Generator& generator) const;
  Batch sample_xor(int64_t batch_size, torch::Generator& generator) const;

  BitsOptions options_;
};

}  // namespace fpt::tasks
