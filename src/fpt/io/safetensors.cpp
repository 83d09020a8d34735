#include "fpt/io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"

namespace fpt::io {

namespace {

using nlohmann::json;

constexpr const char* kMetadataKey = "__metadata__";
// The reference implementation refuses headers above 100 MB; a real header is a few hundred KB.
constexpr uint64_t kMaxHeaderBytes    = 100'000'000;
constexpr uint64_t kLengthPrefixBytes = 8;

struct DtypeInfo {
  TensorDtype dtype;
  const char* name;
  size_t      size;
};

constexpr std::array<DtypeInfo, 10> kDtypes = {{
    {TensorDtype::F64, "F64", 8},
    {TensorDtype::F32, "F32", 4},
    {TensorDtype::F16, "F16", 2},
    {TensorDtype::BF16, "BF16", 2},
    {TensorDtype::I64, "I64", 8},
    {TensorDtype::I32, "I32", 4},
    {TensorDtype::I16, "I16", 2},
    {TensorDtype::I8, "I8", 1},
    {TensorDtype::U8, "U8", 1},
    {TensorDtype::BOOL, "BOOL", 1},
}};

const DtypeInfo& dtype_info(TensorDtype dtype) {
  for (const DtypeInfo& info : kDtypes)
    if (info.dtype == dtype) return info;
  fail("safetensors: dtype enum value {} has no name (internal error)", static_cast<int>(dtype));
}

std::string valid_dtype_names() {
  std::string names;
  for (const DtypeInfo& info : kDtypes) {
    if (!names.empty()) names += ", ";
    names += info.name;
  }
  return names;
}

// a * b, or nullopt when the product does not fit in 64 bits.
std::optional<uint64_t> checked_multiply(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return std::nullopt;
  return a * b;
}

// Byte count of a tensor of `shape` and `dtype`; fails (naming `what`) on a negative dimension or
// a count that overflows 64 bits, so a hostile header cannot wrap the size check around.
uint64_t tensor_byte_count(const std::vector<int64_t>& shape, TensorDtype dtype,
                           const std::string& what) {
  uint64_t elements = 1;
  for (int64_t dim : shape) {
    if (dim < 0) fail("{}: dimension {} is negative", what, dim);
    const std::optional<uint64_t> product = checked_multiply(elements, static_cast<uint64_t>(dim));
    if (!product) fail("{}: the element count of shape overflows 64 bits", what);
    elements = *product;
  }
  const std::optional<uint64_t> bytes = checked_multiply(elements, dtype_size(dtype));
  if (!bytes)
    fail("{}: the byte count ({} elements of {}) overflows 64 bits", what, elements,
         dtype_name(dtype));
  return *bytes;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// First pass over the header with a SAX handler: nlohmann's DOM keeps only the last of two equal
// keys, so a duplicated tensor name (or a duplicated "dtype" inside one entry) would otherwise be
// silently ambiguous. Also captures the parser's error text (with its byte position), and stops at
// a nesting depth no safetensors header has (tensor entry → shape array is depth 3), so a hostile
// header of a million '[' cannot exhaust the stack of the recursive DOM parser that runs next.
class DuplicateKeyFinder {
 public:
  static constexpr std::size_t kMaxDepth = 16;

  std::optional<std::string> parse_error_message;
  std::optional<std::string> duplicate_key;
  std::string                duplicate_parent;  // top-level key holding the duplicate ("" = top)

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) {
    if (too_deep()) return false;
    scopes_.emplace_back(std::set<std::string>{});
    return true;
  }
  bool key(json::string_t& key) {
    if (scopes_.size() == 1) current_top_level_key_ = key;
    std::optional<std::set<std::string>>& keys = scopes_.back();
    if (keys && !keys->insert(key).second && !duplicate_key) {
      duplicate_key    = key;
      duplicate_parent = scopes_.size() == 1 ? std::string() : current_top_level_key_;
    }
    return true;
  }
  bool end_object() {
    scopes_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    if (too_deep()) return false;
    scopes_.emplace_back(std::nullopt);
    return true;
  }
  bool end_array() {
    scopes_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) {
    // nlohmann quotes the offending token whole: a megabyte of digits stays out of the message.
    parse_error_message = error.what();
    if (parse_error_message->size() > 300)
      *parse_error_message = parse_error_message->substr(0, 300) + "...";
    return false;
  }

 private:
  bool too_deep() {
    if (scopes_.size() < kMaxDepth) return false;
    parse_error_message = fmt::format(
        "values nested more than {} levels deep (a safetensors header needs 3)", kMaxDepth);
    return true;
  }

  std::vector<std::optional<std::set<std::string>>> scopes_;  // key sets of open objects
  std::string                                       current_top_level_key_;
};

// A value for an error message: scalars as written (cut to 40 characters), objects and arrays by
// type only — dumping a large or deep value from an untrusted file into a message is unbounded.
std::string describe_value(const json& value) {
  if (value.is_structured()) return fmt::format("an {}", value.type_name());
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  return text;
}

// A non-negative integer that fits in T (uint64_t offsets, int64_t dims); fails otherwise.
template <typename T>
T non_negative_integer(const json& value, const std::string& what) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<json::number_unsigned_t>();
    if (number > static_cast<json::number_unsigned_t>(std::numeric_limits<T>::max()))
      fail("{} is {}, larger than the largest supported value {}", what, number,
           std::numeric_limits<T>::max());
    return static_cast<T>(number);
  }
  if (value.is_number_integer()) fail("{} is {}, which is negative", what, describe_value(value));
  fail("{} must be a non-negative integer, not {}", what, describe_value(value));
}

TensorEntry parse_entry(const std::string& name, const json& value, const std::string& context) {
  const std::string what = fmt::format("{}: tensor '{}'", context, name);
  if (!value.is_object())
    fail("{}: the header entry must be an object with dtype, shape and data_offsets, not {}", what,
         value.type_name());
  for (const char* required : {"dtype", "shape", "data_offsets"})
    if (!value.contains(required)) fail("{}: the header entry has no \"{}\"", what, required);

  TensorEntry entry;
  entry.name = name;

  const json& dtype = value.at("dtype");
  if (!dtype.is_string())
    fail("{}: \"dtype\" must be a string, not {}", what, describe_value(dtype));
  entry.dtype = parse_dtype(dtype.get<std::string>(), what);

  const json& shape = value.at("shape");
  if (!shape.is_array())
    fail("{}: \"shape\" must be an array of integers, not {}", what, describe_value(shape));
  for (size_t i = 0; i < shape.size(); ++i)
    entry.shape.push_back(
        non_negative_integer<int64_t>(shape[i], fmt::format("{}: shape dimension {}", what, i)));

  const json& offsets = value.at("data_offsets");
  if (!offsets.is_array() || offsets.size() != 2)
    fail("{}: \"data_offsets\" must be an array [begin, end], not {}", what,
         offsets.is_array() ? fmt::format("an array of {}", offsets.size())
                            : describe_value(offsets));
  entry.begin = non_negative_integer<uint64_t>(offsets[0], what + ": data_offsets begin");
  entry.end   = non_negative_integer<uint64_t>(offsets[1], what + ": data_offsets end");
  return entry;
}

std::map<std::string, std::string> parse_metadata(const json& value, const std::string& context) {
  if (!value.is_object())
    fail("{}: \"{}\" must be an object of string values, not {}", context, kMetadataKey,
         value.type_name());
  std::map<std::string, std::string> metadata;
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string())
      fail("{}: \"{}\" key '{}' must have a string value, not {}", context, kMetadataKey, key,
           describe_value(text));
    metadata[key] = text.get<std::string>();
  }
  return metadata;
}

// Checks the tensors (sorted by offsets) tile the data section exactly, as the reference reader
// does: each starts where the previous ended, none ends past the section, nothing is left over.
void check_layout(const std::vector<TensorEntry>& tensors, uint64_t data_size,
                  const std::string& context) {
  uint64_t           covered_until = 0;
  const TensorEntry* previous      = nullptr;
  for (const TensorEntry& entry : tensors) {
    if (entry.begin < covered_until)
      fail("{}: tensor '{}' (bytes {}..{} of the data section) overlaps tensor '{}' (bytes {}..{})",
           context, entry.name, entry.begin, entry.end, previous->name, previous->begin,
           previous->end);
    if (entry.begin > covered_until)
      fail(
          "{}: bytes {}..{} of the data section belong to no tensor (the next tensor, '{}', "
          "starts at {})",
          context, covered_until, entry.begin, entry.name, entry.begin);
    covered_until = entry.end;
    previous      = &entry;
  }
  if (covered_until != data_size)
    fail(
        "{}: bytes {}..{} of the data section belong to no tensor (trailing bytes after the "
        "last tensor)",
        context, covered_until, data_size);
}

uint64_t read_little_endian_u64(const unsigned char* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

size_t dtype_size(TensorDtype dtype) {
  return dtype_info(dtype).size;
}

std::string dtype_name(TensorDtype dtype) {
  return dtype_info(dtype).name;
}

TensorDtype parse_dtype(const std::string& name, const std::string& context) {
  for (const DtypeInfo& info : kDtypes)
    if (name == info.name) return info.dtype;
  const std::string shown = name.size() > 40 ? name.substr(0, 40) + "..." : name;
  fail("{}: unknown or unsupported dtype '{}'; supported dtypes are {}", context, shown,
       valid_dtype_names());
}

SafetensorsHeader parse_safetensors_header(std::string_view header_json, uint64_t data_size,
                                           const std::string& context) {
  DuplicateKeyFinder finder;
  json::sax_parse(header_json.begin(), header_json.end(), &finder);
  if (finder.parse_error_message)
    fail("{}: the header is not valid JSON: {}", context, *finder.parse_error_message);
  if (finder.duplicate_key) {
    if (finder.duplicate_parent.empty())
      fail("{}: tensor '{}' appears more than once in the header", context, *finder.duplicate_key);
    fail("{}: tensor '{}': key \"{}\" appears more than once in its header entry", context,
         finder.duplicate_parent, *finder.duplicate_key);
  }

  const json document = json::parse(header_json.begin(), header_json.end(), nullptr, false);
  if (document.is_discarded()) fail("{}: the header is not valid JSON", context);
  if (!document.is_object())
    fail("{}: the header must be a JSON object of tensors, not {}", context, document.type_name());

  SafetensorsHeader header;
  for (const auto& [name, value] : document.items()) {
    if (name == kMetadataKey) {
      header.metadata = parse_metadata(value, context);
      continue;
    }
    TensorEntry       entry = parse_entry(name, value, context);
    const std::string what  = fmt::format("{}: tensor '{}'", context, name);
    if (entry.begin > entry.end)
      fail("{}: data_offsets [{}, {}] begin after they end (begin must be <= end)", what,
           entry.begin, entry.end);
    if (entry.end > data_size)
      fail("{}: data_offsets [{}, {}] run past the end of the data section ({} bytes)", what,
           entry.begin, entry.end, data_size);
    const uint64_t expected = tensor_byte_count(entry.shape, entry.dtype, what);
    if (entry.end - entry.begin != expected)
      fail("{}: data_offsets [{}, {}] hold {} bytes but shape {} of {} needs {} bytes", what,
           entry.begin, entry.end, entry.end - entry.begin, shape_text(entry.shape),
           dtype_name(entry.dtype), expected);
    header.tensors.push_back(std::move(entry));
  }
  std::sort(header.tensors.begin(), header.tensors.end(),
            [](const TensorEntry& a, const TensorEntry& b) {
              return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
            });
  check_layout(header.tensors, data_size, context);
  return header;
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) fail("{}: cannot open the safetensors file: {}", path, errno_text());
  struct stat status {};
  if (::fstat(descriptor, &status) != 0) {
    const std::string reason = errno_text();
    ::close(descriptor);
    fail("{}: cannot stat the safetensors file: {}", path, reason);
  }
  if (!S_ISREG(status.st_mode)) {
    ::close(descriptor);
    fail("{}: not a regular file", path);
  }
  const auto file_size = static_cast<uint64_t>(status.st_size);
  if (file_size < kLengthPrefixBytes) {
    ::close(descriptor);
    fail("{}: truncated safetensors file: {} bytes, fewer than the 8-byte header length", path,
         file_size);
  }
  void*             mapping   = ::mmap(nullptr, file_size, PROT_READ, MAP_PRIVATE, descriptor, 0);
  const std::string map_error = mapping == MAP_FAILED ? errno_text() : std::string();
  ::close(descriptor);  // the mapping keeps the file alive
  if (mapping == MAP_FAILED) fail("{}: cannot memory-map the file: {}", path, map_error);

  SafetensorsFile file;
  file.path_         = path;
  file.mapping_      = mapping;
  file.mapping_size_ = file_size;
  // From here `file` owns the mapping: its destructor unmaps it if validation below throws.
  const auto*    bytes         = static_cast<const unsigned char*>(mapping);
  const uint64_t header_length = read_little_endian_u64(bytes);
  if (header_length == 0)
    fail("{}: truncated safetensors file: the header length is 0 (no JSON header)", path);
  if (header_length > file_size - kLengthPrefixBytes)
    fail(
        "{}: truncated safetensors file: the header length {} runs beyond the end of the file "
        "({} bytes after the 8-byte length)",
        path, header_length, file_size - kLengthPrefixBytes);
  if (header_length > kMaxHeaderBytes)
    fail("{}: the header length {} exceeds the {}-byte limit of the safetensors format", path,
         header_length, kMaxHeaderBytes);
  const std::string_view header_json(reinterpret_cast<const char*>(bytes + kLengthPrefixBytes),
                                     header_length);
  const uint64_t         data_offset = kLengthPrefixBytes + header_length;
  file.header_     = parse_safetensors_header(header_json, file_size - data_offset, path);
  file.data_start_ = reinterpret_cast<const std::byte*>(bytes + data_offset);
  return file;
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&& other) noexcept
    : path_(std::move(other.path_)),
      header_(std::move(other.header_)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      mapping_size_(std::exchange(other.mapping_size_, 0)),
      data_start_(std::exchange(other.data_start_, nullptr)) {}

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& other) noexcept {
  if (this != &other) {
    if (mapping_) ::munmap(mapping_, mapping_size_);
    path_         = std::move(other.path_);
    header_       = std::move(other.header_);
    mapping_      = std::exchange(other.mapping_, nullptr);
    mapping_size_ = std::exchange(other.mapping_size_, 0);
    data_start_   = std::exchange(other.data_start_, nullptr);
  }
  return *this;
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_) ::munmap(mapping_, mapping_size_);
}

TensorView SafetensorsFile::tensor(const std::string& name) const {
  for (const TensorEntry& entry : header_.tensors)
    if (entry.name == name)
      return TensorView{&entry, data_start_ + entry.begin,
                        static_cast<size_t>(entry.end - entry.begin)};
  fail("{}: no tensor named '{}' in the file ({} tensors)", path_, name, header_.tensors.size());
}

bool SafetensorsFile::contains(const std::string& name) const {
  return std::any_of(header_.tensors.begin(), header_.tensors.end(),
                     [&](const TensorEntry& entry) { return entry.name == name; });
}

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  // ordered_json keeps the tensors in the caller's order (plain json would sort the names).
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json metadata_json = nlohmann::ordered_json::object();
    for (const auto& [key, text] : metadata) metadata_json[key] = text;
    header[kMetadataKey] = std::move(metadata_json);
  }
  std::set<std::string> names;
  uint64_t              offset = 0;
  for (const TensorToWrite& tensor : tensors) {
    const std::string what = fmt::format("{}: tensor '{}'", path, tensor.name);
    if (tensor.name == kMetadataKey) fail("{}: the name is reserved for metadata", what);
    if (!names.insert(tensor.name).second) fail("{}: the name is given twice", what);
    const uint64_t expected = tensor_byte_count(tensor.shape, tensor.dtype, what);
    if (tensor.size_bytes != expected)
      fail("{}: {} bytes given but shape {} of {} needs {} bytes", what, tensor.size_bytes,
           shape_text(tensor.shape), dtype_name(tensor.dtype), expected);
    if (tensor.size_bytes > 0 && tensor.data == nullptr) fail("{}: data is a null pointer", what);
    header[tensor.name] = {{"dtype", dtype_name(tensor.dtype)},
                           {"shape", tensor.shape},
                           {"data_offsets", {offset, offset + tensor.size_bytes}}};
    offset += tensor.size_bytes;
  }

  std::string header_text;
  try {
    header_text = header.dump();
  } catch (const nlohmann::json::exception& error) {
    fail("{}: cannot encode the header (tensor names and metadata must be UTF-8): {}", path,
         error.what());
  }
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  std::array<char, kLengthPrefixBytes> length_bytes{};
  uint64_t                             length = header_text.size();
  for (char& byte : length_bytes) {
    byte = static_cast<char>(length & 0xff);
    length >>= 8;
  }

  write_atomically(path, [&](const std::filesystem::path& temporary) {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) fail("{}: cannot open {} for writing: {}", path, temporary.string(), errno_text());
    out.write(length_bytes.data(), length_bytes.size());
    out.write(header_text.data(), static_cast<std::streamsize>(header_text.size()));
    for (const TensorToWrite& tensor : tensors)
      out.write(static_cast<const char*>(tensor.data),
                static_cast<std::streamsize>(tensor.size_bytes));
    out.flush();
    if (!out) fail("{}: error writing {}: {}", path, temporary.string(), errno_text());
  });
}

}  // namespace fpt::io
