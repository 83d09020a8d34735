// The Communicator of a worker group named by its world ranks: created by exactly those ranks
// (MPI_Comm_create_group, collective over the group only), so groups of different sizes form and
// dissolve while the rest of the world keeps working.
#pragma once

#include <torch/types.h>

#include <memory>
#include <vector>

#include "fpt/dist/communicator.h"

namespace fpt::dist {

// Every rank in `world_ranks` (leader first; same order everywhere) calls this with the same
// `tag`; the result's rank() is the caller's position in the list.
std::unique_ptr<Communicator> make_group_communicator(const std::vector<int>& world_ranks, int tag,
                                                      const torch::Device& device);

}  // namespace fpt::dist
