// Trainer: runs one experiment start to finish on this process — task and model from the spec,
// Adam (no weight decay, no schedule) on the trainable parameters only, global gradient-norm clip,
// periodic evaluation (the official running estimate), a final full pass over the task's fixed
// evaluation split where it has one — and returns the RunResult. A NaN/Inf loss stops training
// and marks the experiment failed; any other error propagates to the caller (the sweep worker
// records it as the experiment's failure).
#pragma once

#include <torch/types.h>

#include <functional>
#include <string>

#include "fpt/core/experiment_spec.h"
#include "fpt/core/run_result.h"

namespace fpt::train {

struct TrainerOptions {
  int threads = 0;  // intra-op threads for this experiment (0: leave LibTorch's setting)
  // Where the model trains. Batches are drawn on the CPU (reproducible generators) and moved.
  torch::Device device = torch::kCPU;
  // Where pretrained weights live (init pretrained/stats with an empty `weights` key); "" = the
  // default weights cache (io/weights_catalog.h: $FPT_WEIGHTS_DIR or ~/.cache/fpt/weights).
  std::string weights_dir;
  // init: bit — the body saved by this experiment's Bit Memory pretraining (required).
  std::string init_body_file;
  // Non-empty: after training, the trained body is saved there (safetensors, atomically).
  std::string save_body_file;
  // Training batches prepared this many ahead on a background thread (train/batch_prefetcher.h);
  // 0 = drawn inline. Same batches, same results either way.
  int64_t prefetch_batches = 2;
  // Called after every periodic evaluation (progress output, logging).
  std::function<void(const core::CurvePoint&)> on_evaluation;
};

// Trains the experiment `spec` and returns its result (status "completed", or "failed" with the
// reason when the loss diverged). Identity fields (id, tag) are filled from the spec; where/when
// fields (host, rank, versions) are the caller's.
core::RunResult train_experiment(const core::ExperimentSpec& spec, const TrainerOptions& options);

}  // namespace fpt::train
