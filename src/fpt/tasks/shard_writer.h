// Writes one split of a data set (ExampleArrays) as fpt data shards (format: shard_format.h), each
// file atomically (temporary name, then rename). Shards of the same split left from an earlier
// run with another shard count are removed once the new ones are in place.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fpt/tasks/example_arrays.h"
#include "fpt/tasks/shard_format.h"

namespace fpt::tasks {

struct ShardWriteOptions {
  std::string dataset    = "";                 // e.g. "listops", "mnist"
  std::string split      = "";                 // e.g. "train", "val", "test"
  std::string encoding   = "";                 // what `values` mean, checked by readers
  int64_t     shard_size = kDefaultShardSize;  // examples per file at most
  std::string fpt_commit = "";                 // the build's git commit, "" if unknown
};

// Writes `arrays` into `directory` (created if missing); returns the files in order. Fails
// naming the split when the arrays are empty or inconsistent (labels vs values vs offsets), or
// the values are not uint8 (N, H, W, C) / int16 tokens.
std::vector<std::filesystem::path> write_shards(const std::filesystem::path& directory,
                                                const ExampleArrays&         arrays,
                                                const ShardWriteOptions&     options);

}  // namespace fpt::tasks
