// Trainable-state checkpoints: everything an interrupted experiment needs to continue exactly where
// it stopped, and nothing frozen — the trainable parameters (by name), Adam's moments and step
// counts, the global random generators (dropout masks), the step reached and the training curve so
// far. Small, since frozen bodies are rebuilt from the spec (seeded init or the checkpoint file).
// The data position is not stored: the trainer replays the experiment's seeded batch draws up to
// the step, which gives the same batches as an uninterrupted run (trainer.cpp).
//
// Format: a LibTorch archive (torch::serialize) written atomically (temporary name, then rename).
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "fpt/core/run_result.h"

namespace fpt::train {

inline constexpr int64_t kCheckpointFormatVersion = 1;

// The scalar part of a checkpoint.
struct TrainingProgress {
  std::string                   experiment_id;
  int64_t                       step             = 0;  // optimizer steps taken
  double                        train_seconds    = 0;  // time spent in steps so far
  double                        elapsed_seconds  = 0;  // wall time of the experiment so far
  double                        interval_loss    = 0;  // running sums since the last evaluation
  double                        interval_correct = 0;
  int64_t                       interval_count   = 0;
  std::vector<core::CurvePoint> curve;
};

// Writes `progress`, the trainable parameters of `model`, `optimizer`'s state and the default
// random generators (CPU, and `device`'s when it is a GPU) to `file`, atomically.
void save_checkpoint(const std::string& file, const TrainingProgress& progress,
                     torch::nn::Module& model, torch::optim::Adam& optimizer,
                     const torch::Device& device);

// Restores what save_checkpoint wrote into `model`, `optimizer` and the generators and returns the
// progress. Throws fpt::Error naming the file when it is damaged, belongs to another experiment
// (`experiment_id`), or its trainable parameters differ in names or shapes from the model's.
TrainingProgress load_checkpoint(const std::string& file, const std::string& experiment_id,
                                 torch::nn::Module& model, torch::optim::Adam& optimizer,
                                 const torch::Device& device);

}  // namespace fpt::train
