// Loss and accuracy shared by every task: logits (B, R, O) are viewed as (B, K, C) predictions of
// C classes (per-bit for the bit tasks, one per example for classification) and scored against
// targets (B, K) with mean cross-entropy and mean accuracy over all B*K predictions.
#pragma once

#include <torch/torch.h>

namespace fpt::tasks {

struct LossAndAccuracy {
  torch::Tensor loss;      // scalar, differentiable
  double        accuracy;  // fraction of correct predictions in [0, 1]
  int64_t       count;     // predictions scored (B*K)
};

// logits (B, R, O), targets (B, K) with R*O == K*num_classes.
LossAndAccuracy score(const torch::Tensor& logits, const torch::Tensor& targets,
                      int64_t num_classes);

}  // namespace fpt::tasks
