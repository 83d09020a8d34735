// Helpers of the image-task tests: a fresh temporary directory per test, and small files in the
// real release formats (IDX images/labels, gzip, CIFAR-10 binary records) built byte by byte.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "../error_message.h"
#include "../scoped_environment.h"
#include "fpt/core/error.h"

namespace fpt_test {

using fpt::test::error_of;

namespace fs = std::filesystem;

// <TempDir>/<prefix>_<pid>_<test name>, empty, removed again by the caller's TearDown.
inline fs::path fresh_directory(const std::string& prefix) {
  const fs::path directory = fs::path(::testing::TempDir()) /
                             (prefix + "_" + std::to_string(::getpid()) + "_" +
                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(directory);
  fs::create_directories(directory);
  return directory;
}

inline fs::path write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

inline void append_big_endian(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

// An IDX images file: magic 0x803, N, rows, cols, then the pixels as given.
inline std::string idx_images(uint32_t count, uint32_t rows, uint32_t cols,
                              const std::vector<uint8_t>& pixels, uint32_t magic = 0x00000803) {
  std::string out;
  append_big_endian(out, magic);
  append_big_endian(out, count);
  append_big_endian(out, rows);
  append_big_endian(out, cols);
  out.append(pixels.begin(), pixels.end());
  return out;
}

// An IDX labels file: magic 0x801, N, then the labels as given.
inline std::string idx_labels(const std::vector<uint8_t>& labels, uint32_t magic = 0x00000801,
                              int64_t count = -1) {
  std::string out;
  append_big_endian(out, magic);
  append_big_endian(out, static_cast<uint32_t>(count < 0 ? labels.size() : count));
  out.append(labels.begin(), labels.end());
  return out;
}

// `bytes` as a gzip stream (zlib deflate with a gzip wrapper).
inline std::string gzip(const std::string& bytes) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&stream, bytes.size()) + 32, '\0');
  stream.next_in   = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in  = static_cast<uInt>(bytes.size());
  stream.next_out  = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate failed");
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

using fpt::test::ScopedEnvironment;

}  // namespace fpt_test
