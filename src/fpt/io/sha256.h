// SHA-256 of files and byte strings as lowercase hex, computed with OpenSSL's EVP digest API. Used
// to verify downloaded weights and data against the sums pinned in weights_catalog.cpp and
// data_catalog.cpp; MD5 too, for data sets whose publishers give only an MD5.
#pragma once

#include <string>
#include <string_view>

namespace fpt::io {

// Hex SHA-256 of the whole file at `path`, read in 1 MiB blocks (a 6 GB file never sits in memory).
// Throws fpt::Error naming the path when it cannot be opened or read.
std::string sha256_file(const std::string& path);

// Hex SHA-256 of `bytes`.
std::string sha256_bytes(std::string_view bytes);

struct FileDigests {
  std::string sha256;  // lowercase hex
  std::string md5;     // lowercase hex
};

// SHA-256 and MD5 of the file at `path` in one read.
FileDigests sha256_and_md5_file(const std::string& path);

}  // namespace fpt::io
