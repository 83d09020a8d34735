// The MPI Communicator: CPU tensors, averaged with MPI_Allreduce (MPI_SUM in place, then divided by
// the group size) and broadcast with MPI_Bcast, over the communicator's own duplicate of the group.
#include <mpi.h>
#include <torch/torch.h>

#include <algorithm>
#include <memory>

#include "fpt/dist/communicator.h"
#include "fpt/dist/communicator_factory.h"
#include "fpt/dist/communicator_support.h"

namespace fpt::dist {
namespace {

constexpr const char* kBackend = "mpi";

// MPI counts are int: larger tensors go in pieces of at most this many elements (or bytes).
constexpr int64_t kMaxCount = int64_t{1} << 30;

class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(MPI_Comm group) : comm_(group, kBackend) {}

  int         rank() const override { return comm_.rank(); }
  int         size() const override { return comm_.size(); }
  std::string backend() const override { return kBackend; }

  void allreduce_average(torch::Tensor& tensor) override {
    check_collective_tensor(tensor, torch::kCPU, /*needs_floating=*/true, kBackend,
                            "allreduce_average");
    check_mpi_thread(kBackend, "allreduce_average");
    const MPI_Datatype type    = tensor.scalar_type() == torch::kFloat64 ? MPI_DOUBLE : MPI_FLOAT;
    const int64_t      element = tensor.element_size();
    char*              data    = static_cast<char*>(tensor.data_ptr());
    for (int64_t done = 0; done < tensor.numel();) {
      const int64_t count = std::min(kMaxCount, tensor.numel() - done);
      check_mpi(MPI_Allreduce(MPI_IN_PLACE, data + done * element, static_cast<int>(count), type,
                              MPI_SUM, comm_.get()),
                kBackend, "Allreduce");
      done += count;
    }
    if (size() > 1) tensor.div_(size());
    bytes_communicated_ += static_cast<int64_t>(tensor.nbytes());
  }

  void broadcast(torch::Tensor& tensor, int root) override {
    check_collective_tensor(tensor, torch::kCPU, /*needs_floating=*/false, kBackend, "broadcast");
    check_root(root, size(), kBackend);
    check_mpi_thread(kBackend, "broadcast");
    // Raw bytes: any dtype, the same on every member.
    char*         data  = static_cast<char*>(tensor.data_ptr());
    const int64_t bytes = static_cast<int64_t>(tensor.nbytes());
    for (int64_t done = 0; done < bytes;) {
      const int64_t count = std::min(kMaxCount, bytes - done);
      check_mpi(MPI_Bcast(data + done, static_cast<int>(count), MPI_BYTE, root, comm_.get()),
                kBackend, "Bcast");
      done += count;
    }
    bytes_communicated_ += bytes;
  }

 private:
  DuplicatedComm comm_;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(MPI_Comm group) {
  return std::make_unique<MpiCommunicator>(group);
}

}  // namespace fpt::dist
