// Reads fpt data shards (format: shard_format.h): open_shard_split finds and validates a split's
// files (count, contiguous ranges, format version, encoding, same data set and sources in every
// file) from their attributes alone; read_shard_split loads all of it, read_shard_examples only
// the examples asked for (hyperslab reads of the rows needed, per shard), so every rank of a job
// can read its own disjoint part (shard_partition.h) without reading the whole set.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fpt/tasks/example_arrays.h"

namespace fpt::tasks {

struct ShardFileInfo {
  std::filesystem::path path;
  int64_t               begin = 0;  // global index of its first example
  int64_t               end   = 0;  // one past its last
};

struct ShardSplitInfo {
  std::filesystem::path              directory;
  std::string                        dataset;
  std::string                        split;
  std::string                        encoding;
  std::string                        fpt_commit;
  int64_t                            total           = 0;
  bool                               variable_length = false;
  std::vector<int64_t>               example_shape;  // (H, W, C) for images; empty for tokens
  std::map<std::string, std::string> sources;        // release file name -> SHA-256
  std::vector<ShardFileInfo>         shards;         // in order, ranges contiguous from 0
};

// True when `directory` holds at least one file of `split` ("<split>-*-of-*.h5").
bool shard_split_exists(const std::filesystem::path& directory, const std::string& split);

// Finds and validates the split's shards. `expected_encoding` non-empty: a shard of another
// encoding is an error. Every error names the file and says to rerun fpt_prepare.
ShardSplitInfo open_shard_split(const std::filesystem::path& directory, const std::string& split,
                                const std::string& expected_encoding = "");

// The whole split, as it was written.
ExampleArrays read_shard_split(const ShardSplitInfo& info);

// Examples `indices` (global, any order, each in [0, total)) in the order given; only the rows
// they need are read from each shard.
ExampleArrays read_shard_examples(const ShardSplitInfo& info, const std::vector<int64_t>& indices);

}  // namespace fpt::tasks
