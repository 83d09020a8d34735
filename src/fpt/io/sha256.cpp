#include "fpt/io/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "fpt/core/error.h"

namespace fpt::io {
namespace {

// One EVP digest context, freed on every path out (including a throw mid-file).
struct DigestContext {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context{EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free};

  DigestContext() {
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
      fail("sha256: OpenSSL could not initialise a SHA-256 digest");
    }
  }

  void update(const void* data, size_t size) {
    if (EVP_DigestUpdate(context.get(), data, size) != 1) fail("sha256: EVP_DigestUpdate failed");
  }

  std::string finish_hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int  digest_size = 0;
    if (EVP_DigestFinal_ex(context.get(), digest, &digest_size) != 1) {
      fail("sha256: EVP_DigestFinal_ex failed");
    }
    static const char* hex_digits = "0123456789abcdef";
    std::string        hex;
    hex.reserve(2 * digest_size);
    for (unsigned int i = 0; i < digest_size; ++i) {
      hex.push_back(hex_digits[digest[i] >> 4]);
      hex.push_back(hex_digits[digest[i] & 0xf]);
    }
    return hex;
  }
};

}  // namespace

std::string sha256_file(const std::string& path) {
  std::ifstream input(path, std::ios::binary);
  if (!input) fail("{}: cannot open for SHA-256: {}", path, std::strerror(errno));
  DigestContext     digest;
  std::vector<char> block(1 << 20);
  while (input) {
    input.read(block.data(), static_cast<std::streamsize>(block.size()));
    const std::streamsize got = input.gcount();
    if (got > 0) digest.update(block.data(), static_cast<size_t>(got));
  }
  if (input.bad()) fail("{}: read error while computing SHA-256", path);
  return digest.finish_hex();
}

std::string sha256_bytes(std::string_view bytes) {
  DigestContext digest;
  digest.update(bytes.data(), bytes.size());
  return digest.finish_hex();
}

}  // namespace fpt::io
