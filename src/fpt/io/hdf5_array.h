// N-dimensional integer arrays in HDF5 files, beside the 1-D helpers of hdf5_file.h: written
// whole (contiguous layout, so a range of rows is one contiguous read), read whole or by ranges
// of rows along the first dimension (hyperslabs), so a reader takes the examples it needs without
// reading the file. Used by the data shards (tasks/shard_*.h): uint8 images, int16 tokens, int64
// labels and offsets. Torch-free: callers pass raw buffers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fpt/io/hdf5_file.h"

namespace fpt::io {

enum class Hdf5IntegerType { uint8, int16, int64 };

// "uint8", "int16", "int64".
const char* hdf5_integer_type_name(Hdf5IntegerType type);
size_t      hdf5_integer_type_size(Hdf5IntegerType type);

struct Hdf5ArrayInfo {
  Hdf5IntegerType       type = Hdf5IntegerType::int64;  // as stored
  std::vector<uint64_t> dims;                           // rows first
};

// Creates dataset `name` in `node` holding `data` (row-major, prod(dims) elements of `type`).
void write_integer_array(const Hdf5Node& node, const std::string& name, Hdf5IntegerType type,
                         const std::vector<uint64_t>& dims, const void* data);

// The stored element type and shape; fails naming file and dataset when it is missing or not one
// of the three integer types (class, size and sign must match exactly).
Hdf5ArrayInfo integer_array_info(const Hdf5Node& node, const std::string& name);

// Rows [begin, end) along the first dimension into `out` (room for (end - begin) * row elements),
// as `type`, which must be the stored type. Fails naming file and dataset on a bad range.
void read_integer_array_rows(const Hdf5Node& node, const std::string& name, Hdf5IntegerType type,
                             uint64_t begin, uint64_t end, void* out);

}  // namespace fpt::io
