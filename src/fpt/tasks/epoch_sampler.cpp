#include "fpt/tasks/epoch_sampler.h"

#include "fpt/core/error.h"

namespace fpt::tasks {

EpochSampler::EpochSampler(int64_t size, std::string what) : size_(size), what_(std::move(what)) {
  if (size_ < 1) fail("{}: cannot sample batches from an empty split", what_);
}

torch::Tensor EpochSampler::next(int64_t batch_size, torch::Generator& generator) {
  if (batch_size < 1 || batch_size > size_)
    fail("{}: batch size {} must be in 1..{} (the split's size)", what_, batch_size, size_);
  if (!order_.defined() || position_ + batch_size > size_) {
    order_    = torch::randperm(size_, generator, torch::kLong);
    position_ = 0;
    ++epochs_started_;
  }
  torch::Tensor indices = order_.slice(0, position_, position_ + batch_size);
  position_ += batch_size;
  return indices;
}

}  // namespace fpt::tasks
