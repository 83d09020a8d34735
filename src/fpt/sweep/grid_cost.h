// The relative cost model the sweep uses to hand out the longest experiments first (so the last
// experiment to finish is a short one) and that --dry-run prints. It counts
//   sequence tokens × body size (n_layer × d_model²) × steps × batch size,
// i.e. proportional to the multiply-adds of the body's weight matrices; attention's T² term,
// evaluation and data loading are left out. Only the ordering and the ratios mean anything.
#pragma once

#include <cstdint>

#include "fpt/core/experiment_spec.h"

namespace fpt::sweep {

// Tokens in one example of spec.task with the spec's task settings (0 = the task default):
//   bit-memory (patterns + 1 query) × bits_n / bits_patch = 6 × 1000 / 50 = 120
//   bit-xor    patterns × bits_n / bits_patch             = 2 × 5 / 1     = 10
//   listops    listops_max_tokens, or 512 when 0
//   mnist 64, cifar10 64 (4×4 patches), cifar10-gray 1024 (pixels), remote-homology 1024
// Throws fpt::Error for a task it does not know.
int64_t sequence_tokens(const core::ExperimentSpec& spec);

// n_layer × d_model² of spec.body (n_layer > 0 in the spec replaces the body's depth):
//   gpt2 12×768², gpt2-medium 24×1024², gpt2-large 36×1280², gpt2-xl 48×1600²,
//   gpt2-mini 6×256², gpt2-tiny 3×128². Throws fpt::Error for a body it does not know.
double body_size(const core::ExperimentSpec& spec);

// sequence_tokens × body_size × steps × batch_size.
double estimated_cost(const core::ExperimentSpec& spec);

}  // namespace fpt::sweep
