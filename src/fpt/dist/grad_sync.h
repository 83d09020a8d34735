// GradSync: data-parallel gradient averaging for one experiment's worker group. Only the trainable
// parameters take part: their gradients are packed into one flat buffer (plus a few scalars every
// member contributes — loss sums, counts, a stop flag) and averaged with ONE allreduce per
// optimizer step; frozen parameters are never read or sent. At start the trainable parameters are
// broadcast from the group leader so every member starts from the same values.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "fpt/dist/communicator.h"

namespace fpt::dist {

class GradSync {
 public:
  // `trainable`: the parameters that train, in a fixed order (the same on every member).
  GradSync(std::vector<torch::Tensor> trainable, Communicator& communicator);

  // Every member's trainable parameters := the group leader's.
  void broadcast_parameters();

  // Averages the trainable gradients over the group in place (a parameter without a gradient
  // counts as zeros, and gets a zero gradient) together with `scalars` (the same count on every
  // member), in one allreduce. Returns the group mean of each scalar.
  std::vector<double> average(const std::vector<double>& scalars);

  // Payload bytes one average() call sends: (trainable elements + scalars) × element size.
  int64_t bytes_per_step(size_t scalars) const;
  int64_t trainable_elements() const { return trainable_elements_; }

 private:
  std::vector<torch::Tensor> trainable_;
  Communicator&              communicator_;
  int64_t                    trainable_elements_ = 0;
  torch::Tensor              flat_;  // (trainable_elements + scalars,) on the parameters' device
};

}  // namespace fpt::dist
