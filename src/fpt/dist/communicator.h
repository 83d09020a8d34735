// Communicator: what the trainer sees of a worker group — the ranks that train one experiment
// together. It moves tensors, nothing else: an in-place average over the group and a broadcast from
// one member. Two implementations: MPI (CPU tensors, MPI_Allreduce) and NCCL (CUDA tensors,
// ncclAllReduce with ncclAvg); make_communicator (communicator_factory.h) picks one for a device.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>

namespace fpt::dist {

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;  // this member's index in the group, 0 = the group leader
  virtual int size() const = 0;  // members in the group

  // Replaces `tensor` (contiguous, float32 or float64, on this communicator's device) by its
  // element-wise mean over the group. Every member calls it with a tensor of the same shape.
  virtual void allreduce_average(torch::Tensor& tensor) = 0;
  // Replaces `tensor` on every member by member `root`'s (same shape and dtype everywhere).
  virtual void broadcast(torch::Tensor& tensor, int root) = 0;

  virtual std::string backend() const = 0;  // "mpi" | "nccl"
  // Payload bytes this member has sent into allreduce/broadcast calls so far (the tensor sizes,
  // not the algorithm's wire traffic): what the data-parallel step costs in messages.
  int64_t bytes_communicated() const { return bytes_communicated_; }

 protected:
  int64_t bytes_communicated_ = 0;
};

}  // namespace fpt::dist
