#include "fpt/tasks/length_bucket_sampler.h"

#include <algorithm>
#include <numeric>

#include "fpt/core/error.h"

namespace fpt::tasks {

LengthBucketSampler::LengthBucketSampler(const std::vector<int64_t>& example_ids,
                                         const std::vector<int64_t>& lengths, int64_t bucket_size,
                                         std::string what)
    : what_(std::move(what)) {
  if (example_ids.size() != lengths.size())
    fail("{}: {} example ids but {} lengths", what_, example_ids.size(), lengths.size());
  if (example_ids.empty()) fail("{}: no examples to draw batches from", what_);
  if (bucket_size < 1) fail("{}: bucket size {} must be >= 1", what_, bucket_size);

  std::vector<size_t> order(example_ids.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return lengths[a] < lengths[b]; });
  sorted_ids_.reserve(order.size());
  for (size_t position : order) sorted_ids_.push_back(example_ids[position]);

  // Full buckets of bucket_size; a remainder joins the last one (one bucket if fewer examples).
  const int64_t count   = size();
  const int64_t buckets = std::max<int64_t>(1, count / bucket_size);
  for (int64_t bucket = 0; bucket < buckets; ++bucket)
    bucket_starts_.push_back(bucket * bucket_size);
}

std::vector<int64_t> LengthBucketSampler::next(int64_t           batch_size,
                                               torch::Generator& generator) const {
  if (batch_size < 1) fail("{}: batch size {} must be >= 1", what_, batch_size);
  const int64_t position = torch::randint(0, size(), {1}, generator, torch::kLong).item<int64_t>();
  // The bucket holding `position`: the last start <= position.
  const auto    after  = std::upper_bound(bucket_starts_.begin(), bucket_starts_.end(), position);
  const int64_t bucket = static_cast<int64_t>(after - bucket_starts_.begin()) - 1;
  const int64_t begin  = bucket_starts_[static_cast<size_t>(bucket)];
  const int64_t end =
      bucket + 1 < bucket_count() ? bucket_starts_[static_cast<size_t>(bucket + 1)] : size();
  const int64_t bucket_size = end - begin;

  const torch::Tensor offsets =
      batch_size <= bucket_size
          ? torch::randperm(bucket_size, generator, torch::kLong).slice(0, 0, batch_size)
          : torch::randint(0, bucket_size, {batch_size}, generator, torch::kLong);
  std::vector<int64_t> ids(static_cast<size_t>(batch_size));
  const auto           offset = offsets.accessor<int64_t, 1>();
  for (int64_t i = 0; i < batch_size; ++i)
    ids[static_cast<size_t>(i)] = sorted_ids_[static_cast<size_t>(begin + offset[i])];
  return ids;
}

}  // namespace fpt::tasks
