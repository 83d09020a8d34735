#include "fpt/tasks/shard_writer.h"

#include <fmt/format.h>

#include <regex>
#include <set>
#include <system_error>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"
#include "fpt/io/hdf5_array.h"
#include "fpt/io/hdf5_file.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

std::string shard_file_name(const std::string& split, int64_t index, int64_t count) {
  return fmt::format("{}-{:05d}-of-{:05d}.h5", split, index, count);
}

namespace {

void check_arrays(const ExampleArrays& arrays, const ShardWriteOptions& options) {
  const std::string what = options.dataset + " " + options.split;
  if (options.dataset.empty() || options.split.empty() || options.encoding.empty())
    fail("write_shards: dataset, split and encoding must be named (got '{}', '{}', '{}')",
         options.dataset, options.split, options.encoding);
  if (!std::regex_match(options.split, std::regex("[A-Za-z0-9_]+")))
    fail("write_shards: split name '{}' must be letters, digits and '_' only", options.split);
  if (options.shard_size < 1)
    fail("shard size {} must be >= 1 examples per file", options.shard_size);
  if (!arrays.labels.defined() || arrays.labels.dim() != 1 ||
      arrays.labels.scalar_type() != torch::kLong)
    fail("{}: labels must be a 1-D int64 tensor", what);
  if (arrays.size() == 0) fail("{}: the split is empty; nothing to write", what);
  if (!arrays.values.defined()) fail("{}: values are missing", what);
  const int64_t n = arrays.size();
  if (arrays.variable_length()) {
    if (arrays.values.scalar_type() != torch::kShort || arrays.values.dim() != 1)
      fail("{}: variable-length values must be 1-D int16 tokens", what);
    if (arrays.offsets.scalar_type() != torch::kLong || arrays.offsets.dim() != 1 ||
        arrays.offsets.size(0) != n + 1)
      fail("{}: offsets must be int64 of {} (examples + 1) entries", what, n + 1);
    const int64_t* offsets = arrays.offsets.data_ptr<int64_t>();
    if (offsets[0] != 0 || offsets[n] != arrays.values.size(0))
      fail("{}: offsets must start at 0 and end at the {} values", what, arrays.values.size(0));
    for (int64_t i = 0; i < n; ++i)
      if (offsets[i + 1] < offsets[i]) fail("{}: offsets decrease at example {}", what, i);
  } else {
    if (arrays.values.scalar_type() != torch::kByte || arrays.values.dim() != 4 ||
        arrays.values.size(0) != n)
      fail("{}: fixed-size values must be uint8 (N, H, W, C) with N = {} labels", what, n);
  }
}

std::vector<uint64_t> dims_of(const torch::Tensor& tensor) {
  return std::vector<uint64_t>(tensor.sizes().begin(), tensor.sizes().end());
}

void write_one_shard(const fs::path& path, const ExampleArrays& arrays,
                     const ShardWriteOptions& options, int64_t index, int64_t count, int64_t begin,
                     int64_t end) {
  io::write_atomically(path, [&](const fs::path& temporary) {
    io::Hdf5File        file = io::Hdf5File::create(temporary);
    const io::Hdf5Node& root = file.root();
    root.write_attribute("format", kShardFormatName);
    root.write_attribute("format_version", kShardFormatVersion);
    root.write_attribute("dataset", options.dataset);
    root.write_attribute("split", options.split);
    root.write_attribute("encoding", options.encoding);
    root.write_attribute("example_begin", begin);
    root.write_attribute("example_end", end);
    root.write_attribute("total_examples", arrays.size());
    root.write_attribute("shard_index", index);
    root.write_attribute("shard_count", count);
    root.write_attribute("fpt_commit", options.fpt_commit);
    {
      io::Hdf5Node sources = root.create_group("sources");
      for (const auto& [name, sha256] : arrays.sources) sources.write_attribute(name, sha256);
    }

    const torch::Tensor labels = arrays.labels.slice(0, begin, end).contiguous();
    io::write_integer_array(root, "labels", io::Hdf5IntegerType::int64, dims_of(labels),
                            labels.data_ptr<int64_t>());
    if (arrays.variable_length()) {
      // shard-local offsets: shifted so this shard's first example starts at 0
      const torch::Tensor global = arrays.offsets.slice(0, begin, end + 1);
      const int64_t       first  = global[0].item<int64_t>();
      const int64_t       last   = global[-1].item<int64_t>();
      const torch::Tensor local  = (global - first).contiguous();
      const torch::Tensor values = arrays.values.slice(0, first, last).contiguous();
      io::write_integer_array(root, "offsets", io::Hdf5IntegerType::int64, dims_of(local),
                              local.data_ptr<int64_t>());
      io::write_integer_array(root, "values", io::Hdf5IntegerType::int16, dims_of(values),
                              values.data_ptr<int16_t>());
    } else {
      const torch::Tensor values = arrays.values.slice(0, begin, end).contiguous();
      io::write_integer_array(root, "values", io::Hdf5IntegerType::uint8, dims_of(values),
                              values.data_ptr<uint8_t>());
    }
    file.close();
  });
}

// Files of `split` in `directory` other than `keep` (left from a run with another shard count).
std::vector<fs::path> stale_shards(const fs::path& directory, const std::string& split,
                                   const std::set<fs::path>& keep) {
  const std::regex      pattern(split + R"(-\d{5}-of-\d{5}\.h5)");
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(directory))
    if (std::regex_match(entry.path().filename().string(), pattern) && !keep.count(entry.path()))
      stale.push_back(entry.path());
  return stale;
}

}  // namespace

std::vector<fs::path> write_shards(const fs::path& directory, const ExampleArrays& arrays,
                                   const ShardWriteOptions& options) {
  check_arrays(arrays, options);
  io::ensure_writable_directory(directory);
  const int64_t total = arrays.size();
  const int64_t count = (total + options.shard_size - 1) / options.shard_size;
  if (count > 99999)
    fail(
        "{} {}: {} shards of {} examples exceed the 99999 the file names allow; raise the shard "
        "size",
        options.dataset, options.split, count, options.shard_size);
  std::vector<fs::path> written;
  for (int64_t index = 0; index < count; ++index) {
    const int64_t  begin = index * options.shard_size;
    const int64_t  end   = std::min(total, begin + options.shard_size);
    const fs::path path  = directory / shard_file_name(options.split, index, count);
    write_one_shard(path, arrays, options, index, count, begin, end);
    written.push_back(path);
  }
  for (const fs::path& old :
       stale_shards(directory, options.split, std::set<fs::path>(written.begin(), written.end()))) {
    std::error_code error;
    fs::remove(old, error);
    if (error)
      fail("{}: a shard of an earlier preparation cannot be removed ({}); delete it by hand",
           old.string(), error.message());
  }
  return written;
}

}  // namespace fpt::tasks
