#include "fpt/tasks/idx_reader.h"

#include <cstdint>
#include <cstring>

#include "fpt/core/error.h"
#include "fpt/tasks/gzip_file.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

namespace {

uint32_t big_endian_u32(const std::string& bytes, size_t offset) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data()) + offset;
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// The header's uint32 fields (magic first); fails when the file is shorter than the header or
// the magic is not `magic`.
std::vector<uint32_t> read_header(const std::string& bytes, size_t fields, uint32_t magic,
                                  const std::string& name, const char* what) {
  if (bytes.size() < 4 * fields)
    fail("{}: truncated IDX {} file: {} bytes, shorter than its {}-byte header", name, what,
         bytes.size(), 4 * fields);
  std::vector<uint32_t> header(fields);
  for (size_t i = 0; i < fields; ++i) header[i] = big_endian_u32(bytes, 4 * i);
  if (header[0] != magic)
    fail(
        "{}: wrong magic number 0x{:08x} for an IDX {} file (expected 0x{:08x}); is this the "
        "right file?",
        name, header[0], what, magic);
  return header;
}

// Checks that the payload after the header holds exactly `count` records of `record` bytes.
void check_payload(const std::string& bytes, size_t header_bytes, uint64_t count, uint64_t record,
                   const std::string& name) {
  const uint64_t payload = bytes.size() - header_bytes;
  // count * record cannot overflow: both are < 2^32.
  const uint64_t expected = count * record;
  if (payload < expected)
    fail(
        "{}: truncated: the header says {} records of {} bytes ({} bytes) but the file holds {}; "
        "delete it and fetch it again",
        name, count, record, expected, payload);
  if (payload > expected)
    fail("{}: {} unexpected bytes after the {} records its header announces; the file is corrupt",
         name, payload - expected, count);
}

}  // namespace

ExampleArrays read_idx_split(const fs::path& images_file, const fs::path& labels_file) {
  const std::string  images_name = images_file.string();
  const std::string  labels_name = labels_file.string();
  const ReleaseFile  image_file  = read_release_file(images_file);
  const ReleaseFile  label_file  = read_release_file(labels_file);
  const std::string& image_bytes = image_file.contents;
  const std::string& label_bytes = label_file.contents;

  const auto     image_header = read_header(image_bytes, 4, kIdxImagesMagic, images_name, "images");
  const auto     label_header = read_header(label_bytes, 2, kIdxLabelsMagic, labels_name, "labels");
  const uint32_t count = image_header[1], rows = image_header[2], cols = image_header[3];
  if (count == 0) fail("{}: the split is empty (0 images)", images_name);
  if (rows == 0 || cols == 0 || uint64_t{rows} * cols > (uint64_t{1} << 24))
    fail("{}: implausible image size {}x{} in the header; the file is corrupt", images_name, rows,
         cols);
  if (label_header[1] != count)
    fail("{} has {} images but {} has {} labels; the two files are not of the same split",
         images_name, count, labels_name, label_header[1]);
  check_payload(image_bytes, 16, count, uint64_t{rows} * cols, images_name);
  check_payload(label_bytes, 8, count, 1, labels_name);

  ExampleArrays split;
  split.values = torch::empty({count, rows, cols, 1}, torch::kUInt8);  // (N, H, W, 1)
  std::memcpy(split.values.data_ptr<uint8_t>(), image_bytes.data() + 16,
              static_cast<size_t>(count) * rows * cols);
  split.labels = torch::empty({count}, torch::kLong);  // (N)
  auto* labels = split.labels.data_ptr<int64_t>();
  for (uint32_t i = 0; i < count; ++i) {
    const auto label = static_cast<unsigned char>(label_bytes[8 + i]);
    if (label > 9)
      fail("{}: label {} of record {} is outside 0..9; the file is corrupt", labels_name,
           static_cast<int>(label), i);
    labels[i] = label;
  }
  split.sources[images_file.filename().string()] = image_file.sha256;
  split.sources[labels_file.filename().string()] = label_file.sha256;
  return split;
}

fs::path find_idx_file(const fs::path& directory, const std::string& split,
                       const std::string& kind) {
  const fs::path  plain = directory / (split + "-" + kind + "-ubyte");
  const fs::path  gz    = directory / (split + "-" + kind + "-ubyte.gz");
  std::error_code error;
  if (fs::is_regular_file(plain, error)) return plain;
  if (fs::is_regular_file(gz, error)) return gz;
  return {};
}

}  // namespace fpt::tasks
