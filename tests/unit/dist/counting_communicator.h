// CountingCommunicator: wraps a real Communicator and counts its calls, so tests can check how many
// collectives (and bytes) a piece of code issues, e.g. exactly one allreduce per GradSync::average.
#pragma once

#include <string>

#include "fpt/dist/communicator.h"

namespace fpt::test {

class CountingCommunicator : public dist::Communicator {
 public:
  explicit CountingCommunicator(dist::Communicator& inner) : inner_(inner) {}

  int         rank() const override { return inner_.rank(); }
  int         size() const override { return inner_.size(); }
  std::string backend() const override { return inner_.backend(); }

  void allreduce_average(torch::Tensor& tensor) override {
    ++allreduce_calls;
    const int64_t before = inner_.bytes_communicated();
    inner_.allreduce_average(tensor);
    bytes_communicated_ += inner_.bytes_communicated() - before;
  }
  void broadcast(torch::Tensor& tensor, int root) override {
    ++broadcast_calls;
    const int64_t before = inner_.bytes_communicated();
    inner_.broadcast(tensor, root);
    bytes_communicated_ += inner_.bytes_communicated() - before;
  }

  int allreduce_calls = 0;
  int broadcast_calls = 0;

 private:
  dist::Communicator& inner_;
};

}  // namespace fpt::test
