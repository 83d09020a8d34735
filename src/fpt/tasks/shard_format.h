// The fpt data-shard format: one split of a data set (ExampleArrays) stored as several HDF5 files
//
//   <shard directory>/<split>-00000-of-00004.h5 ... <split>-00003-of-00004.h5
//
// each holding at most `shard_size` consecutive examples:
//
//   values    uint8 (n, H, W, C) images, or int16 (tokens of the n examples) for variable length
//   offsets   int64 (n + 1), variable length only, shard-local: example i is
//             values[offsets[i] : offsets[i + 1]], offsets[0] = 0
//   labels    int64 (n)
//   attributes  format ("fpt-shards"), format_version, dataset, split, encoding (what the values
//               mean, e.g. "listops-lra-ids-v1"; a change of meaning changes it), example_begin,
//               example_end (this shard's global range), total_examples, shard_index,
//               shard_count, fpt_commit ("" if unknown)
//   /sources  group: one string attribute per release file, file name -> SHA-256 hex
//
// A reader rejects a shard of another format_version or encoding, naming the file and telling the
// user to rerun fpt_prepare.
#pragma once

#include <cstdint>
#include <string>

namespace fpt::tasks {

constexpr const char* kShardFormatName    = "fpt-shards";
constexpr int64_t     kShardFormatVersion = 1;
constexpr int64_t     kDefaultShardSize   = 10000;

// "<split>-<index:05>-of-<count:05>.h5"
std::string shard_file_name(const std::string& split, int64_t index, int64_t count);

}  // namespace fpt::tasks
