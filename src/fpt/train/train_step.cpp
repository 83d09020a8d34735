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

StepOutcome train_step(models::FptModel& model, torch::optim::Adam& optimizer,
                       const std::vector<torch::Tensor>& trainable, const tasks::Batch& batch,
                       int64_t num_classes, double grad_clip) {
  auto        scored = tasks::score(model->forward(batch.inputs), batch.targets, num_classes);
  StepOutcome outcome;
  outcome.loss     = scored.loss.item<double>();
  outcome.accuracy = scored.accuracy;
  outcome.count    = scored.count;
  if (!std::isfinite(outcome.loss)) {
    outcome.finite = false;
    return outcome;
  }
  optimizer.zero_grad();
  scored.loss.backward();
  if (grad_clip > 0) torch::nn::utils::clip_grad_norm_(trainable, grad_clip);
  optimizer.step();
  return outcome;
}

}  // namespace fpt::train
