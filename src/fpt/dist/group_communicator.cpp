#include "fpt/dist/group_communicator.h"

#include <fmt/ranges.h>
#include <mpi.h>

#include "fpt/core/error.h"
#include "fpt/dist/communicator_factory.h"

namespace fpt::dist {

std::unique_ptr<Communicator> make_group_communicator(const std::vector<int>& world_ranks, int tag,
                                                      const torch::Device& device) {
  if (world_ranks.empty()) fail("worker group with no ranks");
  MPI_Group world_group = MPI_GROUP_NULL, members = MPI_GROUP_NULL;
  MPI_Comm_group(MPI_COMM_WORLD, &world_group);
  MPI_Group_incl(world_group, static_cast<int>(world_ranks.size()), world_ranks.data(), &members);
  MPI_Comm  group = MPI_COMM_NULL;
  const int code  = MPI_Comm_create_group(MPI_COMM_WORLD, members, tag, &group);
  MPI_Group_free(&members);
  MPI_Group_free(&world_group);
  if (code != MPI_SUCCESS || group == MPI_COMM_NULL)
    fail("could not create the worker group of ranks {} (MPI error {})",
         fmt::join(world_ranks, ","), code);
  std::unique_ptr<Communicator> communicator;
  try {
    communicator = make_communicator(group, device);  // keeps its own duplicate
  } catch (...) {
    MPI_Comm_free(&group);
    throw;
  }
  MPI_Comm_free(&group);
  return communicator;
}

}  // namespace fpt::dist
