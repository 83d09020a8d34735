#include "fpt/train/train_step.h"

#include <cmath>

#include "fpt/tasks/metrics.h"

namespace fpt::train {

std::vector<torch::Tensor> trainable_parameters(torch::nn::Module& model) {
  std::vector<torch::Tensor> trainable;
  for (auto& parameter : model.parameters())
    if (parameter.requires_grad()) trainable.push_back(parameter);
  return trainable;
}

std::unique_ptr<torch::optim::Adam> make_optimizer(const std::vector<torch::Tensor>& trainable,
                                                   double                            lr) {
  return std::make_unique<torch::optim::Adam>(
      trainable, torch::optim::AdamOptions(lr).betas({0.9, 0.999}).eps(1e-8).weight_decay(0));
}

StepOutcome accumulate_gradients(models::FptModel& model, const tasks::Batch& batch,
                                 int64_t num_classes, double loss_weight) {
  auto        scored = tasks::score(model->forward(batch.inputs), batch.targets, num_classes);
  StepOutcome outcome;
  outcome.loss     = scored.loss.item<double>();
  outcome.accuracy = scored.accuracy;
  outcome.count    = scored.count;
  if (!std::isfinite(outcome.loss)) {
    outcome.finite = false;
    return outcome;
  }
  // Weight 1 back-propagates the loss itself, so a lone step is the reference step bit for bit.
  if (loss_weight == 1.0)
    scored.loss.backward();
  else
    (scored.loss * loss_weight).backward();
  return outcome;
}

void apply_update(torch::optim::Adam& optimizer, const std::vector<torch::Tensor>& trainable,
                  double grad_clip) {
  if (grad_clip > 0) torch::nn::utils::clip_grad_norm_(trainable, grad_clip);
  optimizer.step();
}

StepOutcome train_step(models::FptModel& model, torch::optim::Adam& optimizer,
                       const std::vector<torch::Tensor>& trainable, const tasks::Batch& batch,
                       int64_t num_classes, double grad_clip) {
  optimizer.zero_grad();
  const StepOutcome outcome = accumulate_gradients(model, batch, num_classes);
  if (outcome.finite) apply_update(optimizer, trainable, grad_clip);
  return outcome;
}

}  // namespace fpt::train
