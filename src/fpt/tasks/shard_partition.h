// Which examples each rank of a job reads in an epoch: a seeded permutation of [0, total), dealt
// round-robin to the ranks (rank r gets positions r, r + ranks, ...). The ranks' parts are
// disjoint, together they are every example once, and their sizes differ by at most one; the i-th
// examples of all ranks are consecutive in the permutation, so the data order does not depend on
// how many ranks share it. The same (total, seed, epoch) gives the same permutation on every
// platform (std::mt19937_64 and fpt's own unbiased draw, not std::shuffle).
#pragma once

#include <cstdint>
#include <vector>

namespace fpt::tasks {

// The permutation of [0, total) for (seed, epoch).
std::vector<int64_t> seeded_permutation(int64_t total, uint64_t seed, int64_t epoch);

// Rank `rank` of `ranks`: its indices, in permutation order. Fails on rank outside [0, ranks).
std::vector<int64_t> partition_for_rank(int64_t total, uint64_t seed, int64_t epoch, int rank,
                                        int ranks);

}  // namespace fpt::tasks
