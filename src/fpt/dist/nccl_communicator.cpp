// The NCCL Communicator: CUDA tensors of one device per member, averaged with
// ncclAllReduce(ncclAvg) and broadcast with ncclBroadcast on LibTorch's current CUDA stream of that
// device, so they are ordered with the kernels that produce and consume the tensor without extra
// synchronisation. The group leader's ncclUniqueId reaches the members over the group's MPI
// communicator. Compiled only when LibTorch has CUDA and NCCL is found
// (src/fpt/dist/CMakeLists.txt); it links the same libnccl.so.2 that LibTorch loads.
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#include <mpi.h>
#include <nccl.h>
#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "fpt/dist/communicator.h"
#include "fpt/dist/communicator_factory.h"
#include "fpt/dist/communicator_support.h"

namespace fpt::dist {
namespace {

constexpr const char* kBackend = "nccl";

void check_nccl(ncclResult_t result, const char* what) {
  if (result == ncclSuccess) return;
  const char* detail = ncclGetLastError(nullptr);
  fail("nccl communicator: {} failed: {}{}{}", what, ncclGetErrorString(result),
       detail != nullptr && *detail != '\0' ? ": " : "", detail != nullptr ? detail : "");
}

// The CUDA device of `device` as an explicit index ("cuda" means the current device).
torch::Device resolve_cuda_device(const torch::Device& device) {
  if (!device.is_cuda())
    fail(
        "nccl communicator: NCCL moves CUDA tensors, but the device is {} (CPU training uses the "
        "MPI communicator)",
        device.str());
  const int visible = static_cast<int>(c10::cuda::device_count());
  if (visible == 0)
    fail(
        "nccl communicator: {} asked for, but no CUDA device is visible to this process (check "
        "the driver, CUDA_VISIBLE_DEVICES and the job's GPU allocation)",
        device.str());
  const int index = device.has_index() ? device.index() : c10::cuda::current_device();
  if (index >= visible)
    fail("nccl communicator: {} asked for, but this process sees {} CUDA device{}", device.str(),
         visible, visible == 1 ? "" : "s");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

// NCCL does not support two members of one communicator on the same GPU (it hangs or fails deep
// inside initialisation): compare the PCI bus ids of the members on each node first, and fail on
// every member of the group if any two share one (a member failing alone would leave the others
// waiting).
void check_distinct_gpus(const DuplicatedComm& group, const torch::Device& device) {
  struct Member {
    int  group_rank = 0;
    char bus_id[32] = {};
  };
  Member mine;
  mine.group_rank = group.rank();
  if (cudaDeviceGetPCIBusId(mine.bus_id, sizeof(mine.bus_id), device.index()) != cudaSuccess)
    std::snprintf(mine.bus_id, sizeof(mine.bus_id), "cuda:%d", static_cast<int>(device.index()));

  MPI_Comm node = MPI_COMM_NULL;
  check_mpi(
      MPI_Comm_split_type(group.get(), MPI_COMM_TYPE_SHARED, group.rank(), MPI_INFO_NULL, &node),
      kBackend, "Comm_split_type");
  int node_size = 1;
  MPI_Comm_size(node, &node_size);
  std::vector<Member> members(static_cast<size_t>(node_size));
  const int code = MPI_Allgather(&mine, sizeof(Member), MPI_BYTE, members.data(), sizeof(Member),
                                 MPI_BYTE, node);
  MPI_Comm_free(&node);
  check_mpi(code, kBackend, "Allgather of the GPUs' PCI bus ids");

  std::string shared;  // the first pair on this node that shares a GPU
  for (size_t i = 0; i < members.size() && shared.empty(); ++i)
    for (size_t j = i + 1; j < members.size() && shared.empty(); ++j)
      if (std::strncmp(members[i].bus_id, members[j].bus_id, sizeof(mine.bus_id)) == 0)
        shared = fmt::format("members {} and {} of the group both use the GPU at PCI {}",
                             members[i].group_rank, members[j].group_rank, members[i].bus_id);
  int shared_here = shared.empty() ? 0 : 1, shared_anywhere = 0;
  check_mpi(MPI_Allreduce(&shared_here, &shared_anywhere, 1, MPI_INT, MPI_MAX, group.get()),
            kBackend, "Allreduce of the GPU check");
  if (shared_anywhere)
    fail(
        "nccl communicator: {}; NCCL needs one GPU per member of a worker group: give the group's "
        "ranks distinct GPUs (fewer ranks per node, a smaller ranks_per_experiment, or more "
        "visible devices)",
        shared.empty() ? "two members of the group on another node share a GPU" : shared);
}

ncclDataType_t nccl_type(const torch::Tensor& tensor) {
  return tensor.scalar_type() == torch::kFloat64 ? ncclFloat64 : ncclFloat32;
}

// Every member's device resolved, or an error on every member: one member failing alone would
// leave the others waiting in the next collective.
torch::Device agree_on_device(const DuplicatedComm& group, const torch::Device& device) {
  std::string   error;
  torch::Device resolved = torch::kCPU;
  try {
    resolved = resolve_cuda_device(device);
  } catch (const std::exception& e) {  // fpt::Error, or c10::Error from CUDA
    error = e.what();
  }
  int failed_here = error.empty() ? 0 : 1, failed_anywhere = 0;
  check_mpi(MPI_Allreduce(&failed_here, &failed_anywhere, 1, MPI_INT, MPI_MAX, group.get()),
            kBackend, "Allreduce of the device check");
  if (failed_here) throw Error(error);
  if (failed_anywhere)
    fail(
        "nccl communicator: another member of this worker group could not use its GPU (see its "
        "error)");
  return resolved;
}

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(MPI_Comm group, const torch::Device& device)
      : group_(group, kBackend), device_(agree_on_device(group_, device)) {
    check_distinct_gpus(group_, device_);
    c10::cuda::CUDAGuard guard(device_);
    // The leader's id — or word that it has none — to every member, so no member waits in
    // ncclCommInitRank for an id that was never made.
    struct {
      int          ok = 1;
      ncclUniqueId id{};
    } leader;
    std::string leader_error;
    if (group_.rank() == 0) {
      const ncclResult_t result = ncclGetUniqueId(&leader.id);
      if (result != ncclSuccess) {
        leader.ok    = 0;
        leader_error = ncclGetErrorString(result);
      }
    }
    check_mpi(MPI_Bcast(&leader, static_cast<int>(sizeof(leader)), MPI_BYTE, 0, group_.get()),
              kBackend, "Bcast of the ncclUniqueId");
    if (!leader.ok)
      fail("nccl communicator: the group leader could not create an NCCL id{}",
           leader_error.empty() ? " (see its error)" : ": " + leader_error);
    check_nccl(ncclCommInitRank(&comm_, group_.size(), leader.id, group_.rank()),
               "ncclCommInitRank");
  }

  ~NcclCommunicator() override {
    if (comm_ == nullptr) return;
    // Destroy waits for the other members (an intra-node collective); while an exception unwinds
    // they may never come, so abort instead of hanging.
    if (std::uncaught_exceptions() > 0)
      ncclCommAbort(comm_);
    else
      ncclCommDestroy(comm_);
  }

  NcclCommunicator(const NcclCommunicator&)            = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int         rank() const override { return group_.rank(); }
  int         size() const override { return group_.size(); }
  std::string backend() const override { return kBackend; }

  void allreduce_average(torch::Tensor& tensor) override {
    check_collective_tensor(tensor, device_, /*needs_floating=*/true, kBackend,
                            "allreduce_average");
    c10::cuda::CUDAGuard guard(device_);
    const cudaStream_t   stream = c10::cuda::getCurrentCUDAStream(device_.index()).stream();
    check_nccl(
        ncclAllReduce(tensor.data_ptr(), tensor.data_ptr(), static_cast<size_t>(tensor.numel()),
                      nccl_type(tensor), ncclAvg, comm_, stream),
        "ncclAllReduce");
    bytes_communicated_ += static_cast<int64_t>(tensor.nbytes());
  }

  void broadcast(torch::Tensor& tensor, int root) override {
    check_collective_tensor(tensor, device_, /*needs_floating=*/false, kBackend, "broadcast");
    check_root(root, size(), kBackend);
    c10::cuda::CUDAGuard guard(device_);
    const cudaStream_t   stream = c10::cuda::getCurrentCUDAStream(device_.index()).stream();
    // Raw bytes: any dtype, the same on every member.
    check_nccl(ncclBroadcast(tensor.data_ptr(), tensor.data_ptr(), tensor.nbytes(), ncclUint8, root,
                             comm_, stream),
               "ncclBroadcast");
    bytes_communicated_ += static_cast<int64_t>(tensor.nbytes());
  }

 private:
  DuplicatedComm group_;  // first: device_ is agreed on over it
  torch::Device  device_;
  ncclComm_t     comm_ = nullptr;
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm group, const torch::Device& device) {
  return std::make_unique<NcclCommunicator>(group, device);
}

bool nccl_available() {
  return true;
}

}  // namespace fpt::dist
