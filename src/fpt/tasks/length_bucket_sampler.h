// LengthBucketSampler: random batches of variable-length examples whose lengths are close, so a
// batch padded to its own longest example carries little padding. The examples are sorted by length
// and cut into buckets of `bucket_size` consecutive examples (the last bucket absorbs a remainder);
// a draw picks one example uniformly at random, takes its bucket — so a bucket is chosen with
// probability proportional to its size — and fills the batch from that bucket without replacement
// (with replacement only when the batch is larger than the bucket). Every example is therefore
// equally likely in every batch slot, as with uniform sampling, and the draw is a deterministic
// function of the generator's state.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace fpt::tasks {

class LengthBucketSampler {
 public:
  // `example_ids` are what next() returns (e.g. indices into a split), `lengths` their lengths;
  // `what` names the split in errors.
  LengthBucketSampler(const std::vector<int64_t>& example_ids, const std::vector<int64_t>& lengths,
                      int64_t bucket_size, std::string what);

  // (batch_size) example ids from one bucket.
  std::vector<int64_t> next(int64_t batch_size, torch::Generator& generator) const;

  int64_t size() const { return static_cast<int64_t>(sorted_ids_.size()); }
  int64_t bucket_count() const { return static_cast<int64_t>(bucket_starts_.size()); }
  // Example ids in length order (ties keep the given order).
  const std::vector<int64_t>& sorted_ids() const { return sorted_ids_; }

 private:
  std::vector<int64_t> sorted_ids_;     // example ids, shortest first
  std::vector<int64_t> bucket_starts_;  // first position of each bucket in sorted_ids_
  std::string          what_;
};

}  // namespace fpt::tasks
