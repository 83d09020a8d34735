// Where a task's splits come from: prepared data shards (shard_reader.h) or the raw release files.
// One policy for every sharded data set (data_shards/README.md, "How training uses them"):
//
//   raw files present, shards made from exactly those files (the SHA-256 sums the shards record
//     equal the files' sums, same file names)     -> the shards
//   raw files present, shards made from other files -> the raw files, with a line on stderr
//   raw files present, no shards                   -> the raw files
//   no raw files anywhere, shards present          -> the shards (a cluster node holding only
//     shards), with a line on stderr naming them and the files they were made from
//   neither                                        -> the caller's "not found" error
//
// Damaged or outdated shards (another format version or encoding, missing or truncated files,
// two preparations mixed, a split missing beside the others) are errors naming the file and saying
// to rerun fpt_prepare; they never fall back silently. Matching costs one SHA-256 pass over the raw
// files per load (Fashion-MNIST's 30 MB: ~0.15 s on this machine; CIFAR-10's 180 MB about 1 s;
// the raw readers hash them too). No size+mtime shortcut: cp -p, tar and rsync -a give different
// contents the same mtime, so it would not be sound.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fpt/tasks/example_arrays.h"
#include "fpt/tasks/shard_reader.h"

namespace fpt::tasks {

// The release files one split is read from: the source name the reader records in
// ExampleArrays::sources (e.g. "t10k-images-idx3-ubyte.gz", "remote_homology_valid.lmdb/data.mdb")
// -> the file.
using SplitFiles = std::map<std::string, std::filesystem::path>;

struct ShardPlace {
  std::string           dataset   = "";  // names the data set in messages, e.g. "fashion-mnist"
  std::filesystem::path directory = "";  // where its shards are
  std::string           encoding  = "";  // what their values must mean (shard_format.h)
  std::string           prepare   = "";  // the command that rewrites them, said in messages
};

// The shards of `splits` (split name, its raw files) in place.directory when every split was made
// from exactly its raw files; none when there are no shards of any of them, or (with a line on
// stderr saying which file differs) when they were made from other files.
std::optional<std::vector<ShardSplitInfo>> matching_shards(
    const ShardPlace& place, const std::vector<std::pair<std::string, SplitFiles>>& splits);

struct LoadedSplits {
  std::vector<ExampleArrays> splits;               // in the order asked for
  bool                       from_shards = false;  // read from place.directory
};

// `splits` of a data set by the policy above. `raw`: each split's release files (same order), or
// none when the data set's raw files are nowhere (an incomplete set must already be an error).
// `read_raw` reads one split from its release files; `not_found` throws the data set's "not found"
// error (it is called when there are neither raw files nor shards; the message gains where shards
// were looked for).
LoadedSplits load_splits(const ShardPlace& place, const std::vector<std::string>& splits,
                         const std::optional<std::vector<SplitFiles>>&           raw,
                         const std::function<ExampleArrays(const std::string&)>& read_raw,
                         const std::function<void()>&                            not_found);

}  // namespace fpt::tasks
