#include "fpt/tasks/shard_partition.h"

#include <limits>
#include <numeric>
#include <random>

#include "fpt/core/error.h"
#include "fpt/core/hashing.h"

namespace fpt::tasks {
namespace {

// Uniform in [0, bound) without modulo bias (rejection of the short top range).
uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound) {
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % bound;
  uint64_t draw = engine();
  while (draw >= limit) draw = engine();
  return draw % bound;
}

}  // namespace

std::vector<int64_t> seeded_permutation(int64_t total, uint64_t seed, int64_t epoch) {
  if (total < 0) fail("seeded_permutation: total {} must be >= 0", total);
  std::vector<int64_t> order(static_cast<size_t>(total));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::mt19937_64 engine(core::derive_seed(seed, static_cast<uint64_t>(epoch)));
  // Fisher-Yates from the back
  for (int64_t i = total - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(uniform_below(engine, static_cast<uint64_t>(i) + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

std::vector<int64_t> partition_for_rank(int64_t total, uint64_t seed, int64_t epoch, int rank,
                                        int ranks) {
  if (ranks < 1) fail("partition_for_rank: ranks {} must be >= 1", ranks);
  if (rank < 0 || rank >= ranks)
    fail("partition_for_rank: rank {} is outside [0, {})", rank, ranks);
  const std::vector<int64_t> order = seeded_permutation(total, seed, epoch);
  std::vector<int64_t>       part;
  part.reserve(static_cast<size_t>(total / ranks + 1));
  for (int64_t position = rank; position < total; position += ranks)
    part.push_back(order[static_cast<size_t>(position)]);
  return part;
}

}  // namespace fpt::tasks
