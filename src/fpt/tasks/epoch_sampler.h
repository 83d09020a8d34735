// EpochSampler: batches of example indices drawn without replacement — a fresh random permutation
// of the split per epoch, consumed batch by batch, the remainder that does not fill a batch
// dropped — as a PyTorch DataLoader with shuffle=True, drop_last=True (the official code's
// loaders). Deterministic given the generator and the sequence of batch sizes.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace fpt::tasks {

class EpochSampler {
 public:
  // `size` examples; `what` names the split in error messages.
  EpochSampler(int64_t size, std::string what);

  // The next (batch_size) int64 indices; starts a new epoch when fewer remain than batch_size.
  torch::Tensor next(int64_t batch_size, torch::Generator& generator);

  int64_t epochs_started() const { return epochs_started_; }

 private:
  int64_t       size_;
  std::string   what_;
  torch::Tensor order_;               // (size) permutation of the current epoch
  int64_t       position_       = 0;  // next unused entry of order_
  int64_t       epochs_started_ = 0;
};

}  // namespace fpt::tasks
