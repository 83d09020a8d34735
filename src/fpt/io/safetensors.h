// safetensors: reader (memory-mapped, read-only) and writer for the Hugging Face safetensors
// format — a little-endian u64 header length N, N bytes of JSON header
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__":
// {"key": "text"}}, then the data section that the offsets index (relative to its start).
// The input is untrusted: every structural rule is checked and each violation is an fpt::Error
// naming the file and the tensor. Nothing is ever unpickled. This file knows nothing of torch;
// models/checkpoint_reader.h turns a TensorView into a torch::Tensor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fpt::io {

enum class TensorDtype { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

size_t      dtype_size(TensorDtype dtype);  // bytes per element
std::string dtype_name(TensorDtype dtype);  // "F32", ...
// Parses "F32", ...; throws fpt::Error naming `context` and the valid names otherwise.
TensorDtype parse_dtype(const std::string& name, const std::string& context);

// One tensor as the header describes it; offsets are relative to the data section.
struct TensorEntry {
  std::string          name;
  TensorDtype          dtype = TensorDtype::F32;
  std::vector<int64_t> shape;      // empty = scalar (one element)
  uint64_t             begin = 0;  // data_offsets[0]
  uint64_t             end   = 0;  // data_offsets[1]
};

struct SafetensorsHeader {
  std::vector<TensorEntry>           tensors;   // sorted by begin offset
  std::map<std::string, std::string> metadata;  // __metadata__ (string values only)
};

// Parses and validates a header: JSON object; each entry has dtype, shape (non-negative ints) and
// data_offsets [begin, end] with begin <= end <= data_size, end - begin == elements × dtype size;
// no two tensors overlap; no duplicate names; __metadata__ values are strings. `context` (the
// file name) starts every error message. Throws fpt::Error, never crashes, on any input.
SafetensorsHeader parse_safetensors_header(std::string_view header_json, uint64_t data_size,
                                           const std::string& context);

// A tensor inside an open file: points into the mapping, valid while the file object lives.
struct TensorView {
  const TensorEntry* entry      = nullptr;
  const std::byte*   data       = nullptr;  // entry->end - entry->begin bytes, little-endian
  size_t             size_bytes = 0;
};

// An open, memory-mapped safetensors file. Move-only.
class SafetensorsFile {
 public:
  // Maps `path` and validates it: the file holds at least 8 bytes, the header length fits in the
  // file, the header parses (above) against the bytes that follow it. Errors name the path and
  // say what is wrong (truncated file, header beyond the end of the file, overlapping tensors...).
  static SafetensorsFile open(const std::string& path);

  SafetensorsFile(SafetensorsFile&& other) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&& other) noexcept;
  SafetensorsFile(const SafetensorsFile&)            = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  ~SafetensorsFile();

  const std::string&       path() const { return path_; }
  const SafetensorsHeader& header() const { return header_; }
  // nullptr-free lookup: throws fpt::Error naming the file and the tensor if absent.
  TensorView tensor(const std::string& name) const;
  bool       contains(const std::string& name) const;

 private:
  SafetensorsFile() = default;
  std::string       path_;
  SafetensorsHeader header_;
  void*             mapping_      = nullptr;
  size_t            mapping_size_ = 0;
  const std::byte*  data_start_   = nullptr;  // first byte after the header
};

// A tensor to write: `data` holds size_bytes little-endian bytes (= elements × dtype size).
struct TensorToWrite {
  std::string          name;
  TensorDtype          dtype = TensorDtype::F32;
  std::vector<int64_t> shape;
  const void*          data       = nullptr;
  size_t               size_bytes = 0;
};

// Writes a safetensors file atomically (temporary name, then rename): tensors in the given order,
// the header padded with spaces to a multiple of 8 bytes so the data section starts aligned.
// (The reference writer also sorts tensors by dtype size so that each one is aligned; fpt's
// reader copies every tensor out of the mapping, so it does not depend on that.) Throws fpt::Error
// on duplicate names, a byte count that does not match the shape, or an I/O failure (naming the
// path).
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace fpt::io
