// GradSync: packs the trainable gradients (and the caller's scalars) into one flat buffer, averages
// it with one allreduce, and unpacks the means into the gradients; broadcasts the trainable
// parameters from the group leader the same way. Frozen parameters are never passed in.
#include "fpt/dist/grad_sync.h"

#include <torch/torch.h>

#include "fpt/core/error.h"

namespace fpt::dist {

GradSync::GradSync(std::vector<torch::Tensor> trainable, Communicator& communicator)
    : trainable_(std::move(trainable)), communicator_(communicator) {
  if (trainable_.empty())
    fail("GradSync: no trainable parameters (an experiment trains at least its output layer)");
  const torch::Tensor& first = trainable_.front();
  for (size_t i = 0; i < trainable_.size(); ++i) {
    const torch::Tensor& parameter = trainable_[i];
    if (!parameter.defined()) fail("GradSync: trainable parameter {} is undefined", i);
    if (!parameter.requires_grad())
      fail(
          "GradSync: parameter {} of {} does not require grad; pass only trainable parameters "
          "(frozen ones are never communicated)",
          i, trainable_.size());
    if (parameter.scalar_type() != first.scalar_type() || parameter.device() != first.device())
      fail(
          "GradSync: trainable parameter {} is a {} {} tensor, parameter 0 a {} {} one; one flat "
          "buffer needs one dtype and device",
          i, c10::toString(parameter.scalar_type()), parameter.device().str(),
          c10::toString(first.scalar_type()), first.device().str());
    trainable_elements_ += parameter.numel();
  }
}

void GradSync::broadcast_parameters() {
  torch::NoGradGuard no_grad;
  if (!flat_.defined()) flat_ = torch::empty({trainable_elements_}, trainable_.front().options());
  torch::Tensor buffer = flat_.narrow(0, 0, trainable_elements_);  // (trainable_elements,)
  int64_t       offset = 0;
  for (const torch::Tensor& parameter : trainable_) {
    buffer.narrow(0, offset, parameter.numel()).view(parameter.sizes()).copy_(parameter);
    offset += parameter.numel();
  }
  communicator_.broadcast(buffer, /*root=*/0);
  offset = 0;
  for (torch::Tensor parameter : trainable_) {
    parameter.copy_(buffer.narrow(0, offset, parameter.numel()).view(parameter.sizes()));
    offset += parameter.numel();
  }
}

std::vector<double> GradSync::average(const std::vector<double>& scalars) {
  torch::NoGradGuard no_grad;
  const int64_t      scalar_count = static_cast<int64_t>(scalars.size());
  const int64_t      total        = trainable_elements_ + scalar_count;
  if (!flat_.defined() || flat_.numel() != total)
    flat_ = torch::empty({total}, trainable_.front().options());

  // Pack: gradients, then the scalars. (trainable_elements + scalars,)
  int64_t offset = 0;
  for (const torch::Tensor& parameter : trainable_) {
    torch::Tensor slot = flat_.narrow(0, offset, parameter.numel()).view(parameter.sizes());
    if (parameter.grad().defined())
      slot.copy_(parameter.grad());
    else
      slot.zero_();  // no gradient this step (unused in the forward): contributes zeros
    offset += parameter.numel();
  }
  if (scalar_count > 0) {
    const torch::Tensor values = torch::tensor(scalars, torch::kFloat64);
    flat_.narrow(0, trainable_elements_, scalar_count).copy_(values);
  }

  communicator_.allreduce_average(flat_);

  // Unpack the means.
  offset = 0;
  for (torch::Tensor parameter : trainable_) {
    const torch::Tensor mean = flat_.narrow(0, offset, parameter.numel()).view(parameter.sizes());
    if (parameter.grad().defined())
      parameter.mutable_grad().copy_(mean);
    else
      parameter.mutable_grad() = mean.clone();
    offset += parameter.numel();
  }
  std::vector<double> means(scalars.size());
  if (scalar_count > 0) {
    const torch::Tensor values =
        flat_.narrow(0, trainable_elements_, scalar_count).to(torch::kCPU, torch::kFloat64);
    std::copy(values.data_ptr<double>(), values.data_ptr<double>() + scalar_count, means.begin());
  }
  return means;
}

int64_t GradSync::bytes_per_step(size_t scalars) const {
  const int64_t element = static_cast<int64_t>(trainable_.front().element_size());
  return (trainable_elements_ + static_cast<int64_t>(scalars)) * element;
}

}  // namespace fpt::dist
