// make_communicator: the MPI communicator for CPU devices, NCCL for CUDA devices. Without NCCL in
// this build (a CPU LibTorch, or no nccl.h / libnccl.so.2 at configure time) the NCCL side is an
// error that says so; nccl_communicator.cpp defines it otherwise.
#include "fpt/dist/communicator_factory.h"

#include "fpt/core/error.h"

namespace fpt::dist {

std::unique_ptr<Communicator> make_communicator(MPI_Comm group, const torch::Device& device) {
  if (device.is_cpu()) return make_mpi_communicator(group);
  if (device.is_cuda()) return make_nccl_communicator(group, device);
  fail("communicator: no communicator for device {} (CPU tensors use MPI, CUDA tensors NCCL)",
       device.str());
}

#ifndef FPT_HAVE_NCCL
std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm /*group*/,
                                                     const torch::Device& device) {
  fail(
      "nccl communicator: this build of fpt has no NCCL, so {} tensors cannot be communicated "
      "(it needs a CUDA LibTorch with nccl.h and libnccl.so.2 found at configure time: see "
      "docs/gpu.md)",
      device.str());
}

bool nccl_available() {
  return false;
}
#endif

}  // namespace fpt::dist
