#include "fpt/tasks/metrics.h"

#include <fmt/ranges.h>

#include "fpt/core/error.h"

namespace fpt::tasks {

LossAndAccuracy score(const torch::Tensor& logits, const torch::Tensor& targets,
                      int64_t num_classes) {
  const int64_t batch       = logits.size(0);
  const int64_t predictions = targets.size(1);
  if (logits.numel() != batch * predictions * num_classes)
    fail("score: logits {} do not hold {} predictions of {} classes per example",
         fmt::join(logits.sizes(), "x"), predictions, num_classes);
  auto flat_logits  = logits.reshape({batch * predictions, num_classes});  // (B*K, C)
  auto flat_targets = targets.reshape({batch * predictions});              // (B*K)
  auto loss         = torch::nn::functional::cross_entropy(flat_logits, flat_targets);
  auto correct      = flat_logits.argmax(-1).eq(flat_targets).sum().item<int64_t>();
  return {loss, static_cast<double>(correct) / static_cast<double>(batch * predictions),
          batch * predictions};
}

}  // namespace fpt::tasks
