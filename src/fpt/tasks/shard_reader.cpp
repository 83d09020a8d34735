#include "fpt/tasks/shard_reader.h"

#include <algorithm>
#include <regex>
#include <system_error>

#include "fpt/core/error.h"
#include "fpt/io/hdf5_array.h"
#include "fpt/io/hdf5_file.h"
#include "fpt/tasks/shard_format.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRerun = "rerun fpt_prepare for this data set (see data_shards/README.md)";

struct FoundShard {
  fs::path path;
  int64_t  index = 0;
  int64_t  count = 0;
};

std::vector<FoundShard> find_shards(const fs::path& directory, const std::string& split) {
  std::vector<FoundShard> found;
  std::error_code         error;
  if (!fs::is_directory(directory, error)) return found;
  const std::regex pattern(R"((.+)-(\d{5})-of-(\d{5})\.h5)");
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    std::smatch       match;
    const std::string name = entry.path().filename().string();
    if (!std::regex_match(name, match, pattern) || match[1].str() != split) continue;
    found.push_back({entry.path(), std::stoll(match[2].str()), std::stoll(match[3].str())});
  }
  std::sort(found.begin(), found.end(),
            [](const FoundShard& a, const FoundShard& b) { return a.index < b.index; });
  return found;
}

// Opens a shard; an unreadable file (truncated, not HDF5) gets the fpt_prepare hint.
io::Hdf5File open_shard(const fs::path& path) {
  try {
    return io::Hdf5File::open_read_only(path);
  } catch (const Error& error) {
    fail("{}; {}", error.what(), kRerun);
  }
}

std::map<std::string, std::string> read_sources(const io::Hdf5Node& root) {
  std::map<std::string, std::string> sources;
  const io::Hdf5Node                 group = root.open_group("sources");
  for (const std::string& name : group.attribute_names())
    sources[name] = group.read_string_attribute(name);
  return sources;
}

// Rows [begin, end) of a shard's variable-length values as int16.
std::vector<int16_t> read_tokens(const io::Hdf5Node& root, int64_t begin, int64_t end) {
  std::vector<int16_t> tokens(static_cast<size_t>(end - begin));
  io::read_integer_array_rows(root, "values", io::Hdf5IntegerType::int16,
                              static_cast<uint64_t>(begin), static_cast<uint64_t>(end),
                              tokens.data());
  return tokens;
}

std::vector<int64_t> read_int64_rows(const io::Hdf5Node& root, const std::string& name,
                                     int64_t begin, int64_t end) {
  std::vector<int64_t> rows(static_cast<size_t>(end - begin));
  io::read_integer_array_rows(root, name, io::Hdf5IntegerType::int64, static_cast<uint64_t>(begin),
                              static_cast<uint64_t>(end), rows.data());
  return rows;
}

// A shard's offsets, checked: n + 1 entries from 0, not decreasing, ending at the values' size.
std::vector<int64_t> read_offsets(const io::Hdf5Node& root, int64_t examples) {
  const io::Hdf5ArrayInfo info = io::integer_array_info(root, "offsets");
  if (info.dims.size() != 1 || static_cast<int64_t>(info.dims[0]) != examples + 1)
    fail("{}: offsets must hold {} entries (examples + 1); {}", root.file().string(), examples + 1,
         kRerun);
  std::vector<int64_t>    offsets = read_int64_rows(root, "offsets", 0, examples + 1);
  const io::Hdf5ArrayInfo values  = io::integer_array_info(root, "values");
  bool                    valid   = offsets.front() == 0 && values.dims.size() == 1 &&
               offsets.back() == static_cast<int64_t>(values.dims[0]);
  for (int64_t i = 0; valid && i < examples; ++i)
    valid = offsets[static_cast<size_t>(i + 1)] >= offsets[static_cast<size_t>(i)];
  if (!valid)
    fail("{}: offsets do not describe its values (damaged or foreign file); {}",
         root.file().string(), kRerun);
  return offsets;
}

}  // namespace

bool shard_split_exists(const fs::path& directory, const std::string& split) {
  return !find_shards(directory, split).empty();
}

ShardSplitInfo open_shard_split(const fs::path& directory, const std::string& split,
                                const std::string& expected_encoding) {
  const std::vector<FoundShard> found = find_shards(directory, split);
  if (found.empty())
    fail("{}: no shards of split '{}' ({}-00000-of-NNNNN.h5 ...); {}", directory.string(), split,
         split, kRerun);
  const int64_t count = found.front().count;
  for (const FoundShard& shard : found)
    if (shard.count != count)
      fail(
          "{}: shards of split '{}' from two preparations ({} says {} files, {} says {}); "
          "delete the directory's '{}' files and {}",
          directory.string(), split, found.front().path.filename().string(), count,
          shard.path.filename().string(), shard.count, split, kRerun);
  for (int64_t index = 0; index < count; ++index)
    if (index >= static_cast<int64_t>(found.size()) ||
        found[static_cast<size_t>(index)].index != index)
      fail("{}: shard {} is missing (split '{}' has {} files); {}", directory.string(),
           shard_file_name(split, index, count), split, count, kRerun);
  if (static_cast<int64_t>(found.size()) != count)
    fail("{}: split '{}' has files beyond its {} shards; {}", directory.string(), split, count,
         kRerun);

  ShardSplitInfo info;
  info.directory = directory;
  info.split     = split;
  int64_t next   = 0;
  for (const FoundShard& shard : found) {
    io::Hdf5File        file = open_shard(shard.path);
    const io::Hdf5Node& root = file.root();
    const std::string   name = shard.path.string();
    if (!root.has_attribute("format") || root.read_string_attribute("format") != kShardFormatName)
      fail("{}: not an fpt data shard (no format attribute '{}'); {}", name, kShardFormatName,
           kRerun);
    const int64_t version = root.read_integer_attribute("format_version");
    if (version != kShardFormatVersion)
      fail("{}: written in shard format version {}, this build reads version {}; {}", name, version,
           kShardFormatVersion, kRerun);
    const std::string encoding = root.read_string_attribute("encoding");
    if (!expected_encoding.empty() && encoding != expected_encoding)
      fail("{}: its values are encoded as '{}', this build expects '{}'; {}", name, encoding,
           expected_encoding, kRerun);
    const std::string dataset = root.read_string_attribute("dataset");
    const int64_t     begin   = root.read_integer_attribute("example_begin");
    const int64_t     end     = root.read_integer_attribute("example_end");
    const int64_t     total   = root.read_integer_attribute("total_examples");
    const auto        sources = read_sources(root);
    if (root.read_string_attribute("split") != split ||
        root.read_integer_attribute("shard_index") != shard.index ||
        root.read_integer_attribute("shard_count") != count)
      fail("{}: its split/index attributes disagree with its file name (renamed file?); {}", name,
           kRerun);
    if (shard.index == 0) {
      info.dataset    = dataset;
      info.encoding   = encoding;
      info.total      = total;
      info.sources    = sources;
      info.fpt_commit = root.read_string_attribute("fpt_commit");
    } else if (dataset != info.dataset || encoding != info.encoding || total != info.total ||
               sources != info.sources) {
      fail(
          "{}: data set, encoding, total or source files differ from {} (shards of two "
          "preparations mixed); {}",
          name, found.front().path.string(), kRerun);
    }
    if (begin != next || end <= begin || end > total)
      fail("{}: holds examples [{}, {}) but {} were expected to start at {} (of {}); {}", name,
           begin, end, split, next, total, kRerun);
    next = end;

    // shapes from the datasets themselves, so a damaged file fails here, not mid-training
    const io::Hdf5ArrayInfo labels = io::integer_array_info(root, "labels");
    const io::Hdf5ArrayInfo values = io::integer_array_info(root, "values");
    if (labels.type != io::Hdf5IntegerType::int64 || labels.dims.size() != 1 ||
        static_cast<int64_t>(labels.dims[0]) != end - begin)
      fail("{}: labels must be int64 of {} entries; {}", name, end - begin, kRerun);
    const bool           variable = H5Lexists(root.id(), "offsets", H5P_DEFAULT) > 0;
    std::vector<int64_t> shape(values.dims.begin() + 1, values.dims.end());
    if (variable) {
      if (values.type != io::Hdf5IntegerType::int16 || values.dims.size() != 1)
        fail("{}: variable-length values must be 1-D int16; {}", name, kRerun);
      shape.clear();
    } else if (values.type != io::Hdf5IntegerType::uint8 || values.dims.size() != 4 ||
               static_cast<int64_t>(values.dims[0]) != end - begin) {
      fail("{}: fixed-size values must be uint8 ({}, H, W, C); {}", name, end - begin, kRerun);
    } else {
      // Bounded like the IDX reader's images, so row sizes cannot overflow an allocation.
      int64_t row = 1;
      for (const int64_t dim : shape) {
        if (dim <= 0 || dim > (int64_t{1} << 16))
          fail("{}: image dimension {} is out of range (1..65536); {}", name, dim, kRerun);
        row *= dim;
      }
      if (row > (int64_t{1} << 24))
        fail("{}: {} bytes per image is more than any data set here holds; {}", name, row, kRerun);
    }
    if (shard.index == 0) {
      info.variable_length = variable;
      info.example_shape   = shape;
    } else if (variable != info.variable_length || shape != info.example_shape) {
      fail("{}: example layout differs from {}; {}", name, found.front().path.string(), kRerun);
    }
    info.shards.push_back({shard.path, begin, end});
  }
  if (next != info.total)
    fail("{}: split '{}' shards end at example {} but hold {} in total; {}", directory.string(),
         split, next, info.total, kRerun);
  return info;
}

namespace {

// One shard's contribution to a read: `local` rows (sorted, distinct) and, for each, the output
// positions that want it.
struct ShardRequest {
  std::vector<int64_t>              local;
  std::vector<std::vector<int64_t>> positions;
};

// Contiguous row runs of sorted rows, joining runs whose gap is at most `max_gap` rows (one read
// of a few unwanted rows is cheaper than another HDF5 call).
std::vector<std::pair<int64_t, int64_t>> row_runs(const std::vector<int64_t>& rows,
                                                  int64_t                     max_gap) {
  std::vector<std::pair<int64_t, int64_t>> runs;
  for (int64_t row : rows) {
    if (!runs.empty() && row - runs.back().second <= max_gap)
      runs.back().second = row + 1;
    else
      runs.push_back({row, row + 1});
  }
  return runs;
}

constexpr int64_t kMaxGapRows = 16;

}  // namespace

static ExampleArrays read_shard_examples_unchecked(const ShardSplitInfo&       info,
                                                   const std::vector<int64_t>& indices) {
  const int64_t n = static_cast<int64_t>(indices.size());
  // route each wanted index to its shard
  std::vector<ShardRequest> requests(info.shards.size());
  {
    std::vector<std::pair<int64_t, int64_t>> wanted;  // (global index, output position)
    wanted.reserve(indices.size());
    for (int64_t position = 0; position < n; ++position) {
      const int64_t index = indices[static_cast<size_t>(position)];
      if (index < 0 || index >= info.total)
        fail("{}: example {} is outside split '{}' of {} examples", info.directory.string(), index,
             info.split, info.total);
      wanted.push_back({index, position});
    }
    std::sort(wanted.begin(), wanted.end());
    size_t shard = 0;
    for (const auto& [index, position] : wanted) {
      while (info.shards[shard].end <= index) ++shard;
      ShardRequest& request = requests[shard];
      const int64_t local   = index - info.shards[shard].begin;
      if (request.local.empty() || request.local.back() != local) {
        request.local.push_back(local);
        request.positions.emplace_back();
      }
      request.positions.back().push_back(position);
    }
  }

  ExampleArrays result;
  result.sources  = info.sources;
  result.labels   = torch::empty({n}, torch::kLong);
  int64_t* labels = result.labels.data_ptr<int64_t>();

  if (!info.variable_length) {
    std::vector<int64_t> shape = {n};
    shape.insert(shape.end(), info.example_shape.begin(), info.example_shape.end());
    result.values     = torch::empty(shape, torch::kByte);
    int64_t row_bytes = 1;
    for (int64_t d : info.example_shape) row_bytes *= d;
    uint8_t* out = result.values.data_ptr<uint8_t>();
    for (size_t s = 0; s < info.shards.size(); ++s) {
      const ShardRequest& request = requests[s];
      if (request.local.empty()) continue;
      io::Hdf5File        file = open_shard(info.shards[s].path);
      const io::Hdf5Node& root = file.root();
      size_t              next = 0;  // into request.local
      for (const auto& [begin, end] : row_runs(request.local, kMaxGapRows)) {
        std::vector<uint8_t> rows(static_cast<size_t>((end - begin) * row_bytes));
        io::read_integer_array_rows(root, "values", io::Hdf5IntegerType::uint8,
                                    static_cast<uint64_t>(begin), static_cast<uint64_t>(end),
                                    rows.data());
        const std::vector<int64_t> run_labels = read_int64_rows(root, "labels", begin, end);
        for (; next < request.local.size() && request.local[next] < end; ++next) {
          const int64_t row = request.local[next] - begin;
          for (int64_t position : request.positions[next]) {
            std::copy_n(rows.data() + row * row_bytes, row_bytes, out + position * row_bytes);
            labels[position] = run_labels[static_cast<size_t>(row)];
          }
        }
      }
    }
    return result;
  }

  // variable length: gather each wanted example's tokens, then pack in output order
  std::vector<std::vector<int16_t>> tokens(static_cast<size_t>(n));
  for (size_t s = 0; s < info.shards.size(); ++s) {
    const ShardRequest& request = requests[s];
    if (request.local.empty()) continue;
    io::Hdf5File               file = open_shard(info.shards[s].path);
    const io::Hdf5Node&        root = file.root();
    const std::vector<int64_t> offsets =
        read_offsets(root, info.shards[s].end - info.shards[s].begin);
    size_t next = 0;
    for (const auto& [begin, end] : row_runs(request.local, kMaxGapRows)) {
      const int64_t              first = offsets[static_cast<size_t>(begin)];
      const std::vector<int16_t> run = read_tokens(root, first, offsets[static_cast<size_t>(end)]);
      const std::vector<int64_t> run_labels = read_int64_rows(root, "labels", begin, end);
      for (; next < request.local.size() && request.local[next] < end; ++next) {
        const int64_t row   = request.local[next];
        const auto    start = run.begin() + (offsets[static_cast<size_t>(row)] - first);
        const auto    stop  = run.begin() + (offsets[static_cast<size_t>(row + 1)] - first);
        for (int64_t position : request.positions[next]) {
          tokens[static_cast<size_t>(position)].assign(start, stop);
          labels[position] = run_labels[static_cast<size_t>(row - begin)];
        }
      }
    }
  }
  result.offsets   = torch::empty({n + 1}, torch::kLong);
  int64_t* offsets = result.offsets.data_ptr<int64_t>();
  offsets[0]       = 0;
  for (int64_t i = 0; i < n; ++i)
    offsets[i + 1] = offsets[i] + static_cast<int64_t>(tokens[static_cast<size_t>(i)].size());
  result.values = torch::empty({offsets[n]}, torch::kShort);
  int16_t* out  = result.values.data_ptr<int16_t>();
  for (int64_t i = 0; i < n; ++i)
    std::copy(tokens[static_cast<size_t>(i)].begin(), tokens[static_cast<size_t>(i)].end(),
              out + offsets[i]);
  return result;
}

static ExampleArrays read_shard_split_unchecked(const ShardSplitInfo& info) {
  ExampleArrays result;
  result.sources = info.sources;
  std::vector<torch::Tensor> values, labels, offsets;
  int64_t                    shift = 0;
  for (const ShardFileInfo& shard : info.shards) {
    io::Hdf5File        file         = open_shard(shard.path);
    const io::Hdf5Node& root         = file.root();
    const int64_t       n            = shard.end - shard.begin;
    torch::Tensor       shard_labels = torch::empty({n}, torch::kLong);
    io::read_integer_array_rows(root, "labels", io::Hdf5IntegerType::int64, 0,
                                static_cast<uint64_t>(n), shard_labels.data_ptr<int64_t>());
    labels.push_back(shard_labels);
    if (info.variable_length) {
      const std::vector<int64_t> local  = read_offsets(root, n);
      torch::Tensor              tokens = torch::empty({local.back()}, torch::kShort);
      io::read_integer_array_rows(root, "values", io::Hdf5IntegerType::int16, 0,
                                  static_cast<uint64_t>(local.back()), tokens.data_ptr<int16_t>());
      values.push_back(tokens);
      // global offsets: this shard's (without its final entry, the next shard's start) + shift
      torch::Tensor global = torch::tensor(local, torch::kLong) + shift;
      offsets.push_back(global.slice(0, 0, n));
      shift += local.back();
    } else {
      std::vector<int64_t> shape = {n};
      shape.insert(shape.end(), info.example_shape.begin(), info.example_shape.end());
      torch::Tensor images = torch::empty(shape, torch::kByte);
      io::read_integer_array_rows(root, "values", io::Hdf5IntegerType::uint8, 0,
                                  static_cast<uint64_t>(n), images.data_ptr<uint8_t>());
      values.push_back(images);
    }
  }
  result.values = torch::cat(values);
  result.labels = torch::cat(labels);
  if (info.variable_length) {
    offsets.push_back(torch::full({1}, shift, torch::kLong));
    result.offsets = torch::cat(offsets);
  }
  return result;
}

// A read that fails (damaged data behind intact headers) says what to do.
template <typename Read>
static ExampleArrays with_rerun_hint(Read&& read) {
  try {
    return read();
  } catch (const Error& error) {
    if (std::string(error.what()).find("fpt_prepare") != std::string::npos) throw;
    fail("{}; {}", error.what(), kRerun);
  } catch (const std::exception& error) {  // e.g. c10::Error from an allocation: name the data
    fail("reading shards: {}; {}", error.what(), kRerun);
  }
}

ExampleArrays read_shard_examples(const ShardSplitInfo& info, const std::vector<int64_t>& indices) {
  return with_rerun_hint([&] { return read_shard_examples_unchecked(info, indices); });
}

ExampleArrays read_shard_split(const ShardSplitInfo& info) {
  return with_rerun_hint([&] { return read_shard_split_unchecked(info); });
}

}  // namespace fpt::tasks
