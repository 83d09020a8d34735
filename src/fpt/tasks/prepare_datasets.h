// What fpt_prepare can shard: a registry of data sets, each with where its release files are, the
// splits it has and a function reading one split as ExampleArrays (the release-format readers),
// and prepare_shards, which reads each split and writes its shards (shard_writer.h). A new data
// set is one more entry in sharded_datasets() (prepare_datasets.cpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "fpt/tasks/example_arrays.h"
#include "fpt/tasks/shard_format.h"

namespace fpt::tasks {

struct ShardedDataset {
  std::string name;                 // the fpt_prepare subcommand, e.g. "cifar10-gray"
  std::string shard_dataset;        // shards_root()/<this>/ and the shards' dataset attribute
  std::string encoding;             // what the shards' values mean (shard_format.h)
  std::string raw_files;            // the release files it reads, for --help and errors
  std::vector<std::string> splits;  // in the order they are written
  // The release directory: `given` when not empty, else the data set's default place.
  std::function<std::filesystem::path(const std::filesystem::path& given)> locate;
  // One split from the release directory.
  std::function<ExampleArrays(const std::filesystem::path& raw, const std::string& split)>
      read_split;
};

// Every data set fpt_prepare knows, in a fixed order.
const std::vector<ShardedDataset>& sharded_datasets();
// The entry called `name`; fails listing the known names.
const ShardedDataset& find_sharded_dataset(const std::string& name);

struct PrepareOptions {
  std::filesystem::path raw        = "";                 // "" = the data set's default place
  std::filesystem::path out        = "";                 // "" = io::shard_directory(shard_dataset)
  int64_t               shard_size = kDefaultShardSize;  // examples per file at most
  std::string           fpt_commit = "";                 // recorded in every shard
};

struct PreparedSplit {
  std::string                        split;
  int64_t                            examples = 0;
  std::vector<std::filesystem::path> files;
};

// Reads and writes one split at a time (memory: the largest split). `log` gets a line per split.
std::vector<PreparedSplit> prepare_shards(const ShardedDataset&                          dataset,
                                          const PrepareOptions&                          options,
                                          const std::function<void(const std::string&)>& log);

}  // namespace fpt::tasks
