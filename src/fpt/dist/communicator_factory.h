// The Communicator of a worker group over an MPI communicator: MPI for CPU training, NCCL for
// CUDA devices (when this build has NCCL; otherwise an error that says so).
#pragma once

#include <mpi.h>
#include <torch/types.h>

#include <memory>

#include "fpt/dist/communicator.h"

namespace fpt::dist {

// `group` is duplicated (the communicator owns its copy). For NCCL, the group leader's
// ncclUniqueId is broadcast over `group`; every member must pass the same kind of device.
std::unique_ptr<Communicator> make_communicator(MPI_Comm group, const torch::Device& device);

std::unique_ptr<Communicator> make_mpi_communicator(MPI_Comm group);
std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm group, const torch::Device& device);

// Whether this build can make NCCL communicators.
bool nccl_available();

}  // namespace fpt::dist
