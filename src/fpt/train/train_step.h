// One optimizer step exactly as the trainer takes it — the paper's Adam (betas 0.9/0.999, eps
// 1e-8, no weight decay, no schedule) over the trainable parameters only, the task's loss
// (tasks::score), global gradient-norm clipping — so that tests compare the trainer's own step
// with the reference implementation (tests/unit/train/parity_adam_test.cpp).
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

// forward, loss, backward, clip (grad_clip > 0), Adam step. Batch already on the model's device.
StepOutcome train_step(models::FptModel& model, torch::optim::Adam& optimizer,
                       const std::vector<torch::Tensor>& trainable, const tasks::Batch& batch,
                       int64_t num_classes, double grad_clip);

}  // namespace fpt::train
