// Reading a release file that may be gzip-compressed (MNIST's `train-images-idx3-ubyte.gz`,
// Debian's Fashion-MNIST): the whole file into memory, inflated with zlib when it starts with the
// gzip magic 1f 8b, as-is otherwise. A corrupt or truncated gzip stream is an error naming the
// file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace fpt::tasks {

// Largest inflated size accepted (a guard against a corrupt or hostile file filling memory); the
// largest image release file, CIFAR-10's 30 MB batches or MNIST's 47 MB train images, is far below.
constexpr uint64_t kMaxInflatedBytes = uint64_t{2} << 30;

// True when `bytes` begins with the gzip magic 1f 8b.
bool is_gzip(std::string_view bytes);

// Inflates the gzip stream `bytes` (one or more concatenated members); `name` is the file the
// bytes came from, for error messages.
std::string gunzip(std::string_view bytes, const std::string& name);

// A release file read once: its contents (gunzipped when it is gzip) and the SHA-256 of the bytes
// as stored, which data shards record as the file's identity.
struct ReleaseFile {
  std::string contents;
  std::string sha256;  // lowercase hex, of the file as stored (before any gunzip)
};

// Reads `path` whole. Fails naming the path when it is missing, unreadable or a broken gzip stream.
ReleaseFile read_release_file(const std::filesystem::path& path);

}  // namespace fpt::tasks
