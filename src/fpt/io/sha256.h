// SHA-256 of files and byte strings as lowercase hex, computed with OpenSSL's EVP digest API. Used
// to verify downloaded weights against the sums pinned in weights_catalog.cpp.
#pragma once

#include <string>
#include <string_view>

namespace fpt::io {

// Hex SHA-256 of the whole file at `path`, read in 1 MiB blocks (a 6 GB file never sits in memory).
// Throws fpt::Error naming the path when it cannot be opened or read.
std::string sha256_file(const std::string& path);

// Hex SHA-256 of `bytes`.
std::string sha256_bytes(std::string_view bytes);

}  // namespace fpt::io
