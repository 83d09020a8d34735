// Trainer: runs one experiment start to finish on this process (or, with a Communicator, on every
// member of its worker group: each member computes a disjoint slice of every global batch and
// GradSync averages the trainable gradients once per step) — task and model from the spec,
// Adam (no weight decay, no schedule) on the trainable parameters only, global gradient-norm clip,
// periodic evaluation (the official running estimate), a final full pass over the task's fixed
// evaluation split where it has one — and returns the RunResult. A NaN/Inf loss stops training
// and marks the experiment failed; any other error propagates to the caller (the sweep worker
// records it as the experiment's failure).
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>
#include <string>

#include "fpt/core/experiment_spec.h"
#include "fpt/core/run_result.h"
#include "fpt/dist/communicator.h"

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
  // Data parallelism: the experiment's worker group (nullptr: this process alone). batch_size is
  // the global batch; member r trains on rows [r·B/n, (r+1)·B/n) of every batch, so batch_size
  // must divide by the group size. Only the group leader (rank 0) evaluates and writes
  // checkpoints; every member returns the same parameters.
  dist::Communicator* communicator = nullptr;
  // Each member's slice split further into this many micro-batches whose gradients add up before
  // the one allreduce of the step (less memory, same step).
  int64_t micro_batches = 1;
  // Trainable-state checkpoint (train/trainable_checkpoint.h): when the file exists training
  // continues from it; it is written every checkpoint_every steps (0: never periodically) and when
  // stop_requested says so. "" = no checkpoints.
  std::string checkpoint_file;
  int64_t     checkpoint_every = 0;
  // Polled once per step (a signal arrived, ...): true saves the checkpoint after this step and
  // returns status "interrupted". In a group, any member's request stops every member at the same
  // step (the flag travels in the step's allreduce).
  std::function<bool()> stop_requested;
  // Called when training continues from a checkpoint (the step it was taken at).
  std::function<void(int64_t)> on_resume;
  // Called after a checkpoint was written (step reached).
  std::function<void(int64_t)> on_checkpoint;
  // Called with the trained model once training is over (before the final evaluation passes), on
  // every group member: tests compare parameters; tools read attention maps.
  std::function<void(torch::nn::Module&)> on_trained;
  // Called after every periodic evaluation (progress output, logging).
  std::function<void(const core::CurvePoint&)> on_evaluation;
};

// Trains the experiment `spec` and returns its result (status "completed", "failed" with the
// reason when the loss diverged, or "interrupted" when stopped with its checkpoint written).
// Identity fields (id, tag) are filled from the spec; where/when fields (host, rank, versions) are
// the caller's.
core::RunResult train_experiment(const core::ExperimentSpec& spec, const TrainerOptions& options);

}  // namespace fpt::train
