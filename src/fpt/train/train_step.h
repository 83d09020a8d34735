// One optimizer step exactly as the trainer takes it — the paper's Adam (betas 0.9/0.999, eps
// 1e-8, no weight decay, no schedule) over the trainable parameters only, the task's loss
// (tasks::score), global gradient-norm clipping — so that tests compare the trainer's own step
// with the reference implementation (tests/unit/train/parity_adam_test.cpp).
//
// The step comes in two halves so that data parallelism and gradient accumulation fit between
// them: accumulate_gradients (forward + backward of one micro-batch, gradients added up) on each
// micro-batch, then — after the worker group averaged the gradients — apply_update (clip, Adam).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "fpt/models/fpt_model.h"
#include "fpt/tasks/task.h"

namespace fpt::train {

// The parameters of `model` that require grad, in registration order.
std::vector<torch::Tensor> trainable_parameters(torch::nn::Module& model);

// Adam as the paper's code uses it, over `trainable`.
std::unique_ptr<torch::optim::Adam> make_optimizer(const std::vector<torch::Tensor>& trainable,
                                                   double                            lr);

struct StepOutcome {
  double  loss     = 0.0;   // before the update
  double  accuracy = 0.0;   // of the batch's predictions, before the update
  int64_t count    = 0;     // predictions in the batch
  bool    finite   = true;  // false: the loss was NaN/Inf and no update was made
};

// Forward and backward of one micro-batch: its loss (mean over its predictions) times
// `loss_weight` is back-propagated and ADDED to the trainable parameters' gradients. A NaN/Inf
// loss is not back-propagated (outcome.finite false). Clear the gradients before the first.
StepOutcome accumulate_gradients(models::FptModel& model, const tasks::Batch& batch,
                                 int64_t num_classes, double loss_weight = 1.0);

// Clip the gradients' global norm (grad_clip > 0) and take the Adam step.
void apply_update(torch::optim::Adam& optimizer, const std::vector<torch::Tensor>& trainable,
                  double grad_clip);

// A whole single-process step: clear gradients, accumulate_gradients, apply_update (skipped when
// the loss is not finite). Batch already on the model's device.
StepOutcome train_step(models::FptModel& model, torch::optim::Adam& optimizer,
                       const std::vector<torch::Tensor>& trainable, const tasks::Batch& batch,
                       int64_t num_classes, double grad_clip);

}  // namespace fpt::train
