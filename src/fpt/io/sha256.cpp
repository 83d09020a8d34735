#include "fpt/io/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <vector>

#include "fpt/core/error.h"

namespace fpt::io {
namespace {

// One EVP digest context, freed on every path out (including a throw mid-file).
struct DigestContext {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context{EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free};

  explicit DigestContext(const EVP_MD* algorithm = EVP_sha256()) {
    if (!context || EVP_DigestInit_ex(context.get(), algorithm, nullptr) != 1) {
      fail("sha256: OpenSSL could not initialise a {} digest", EVP_MD_get0_name(algorithm));
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

// Feeds every byte of the file to each digest, in 1 MiB blocks.
void digest_file(const std::string& path, std::initializer_list<DigestContext*> digests) {
  std::ifstream input(path, std::ios::binary);
  if (!input) fail("{}: cannot open for SHA-256: {}", path, std::strerror(errno));
  std::vector<char> block(1 << 20);
  while (input) {
    input.read(block.data(), static_cast<std::streamsize>(block.size()));
    const std::streamsize got = input.gcount();
    if (got <= 0) continue;
    for (DigestContext* digest : digests) digest->update(block.data(), static_cast<size_t>(got));
  }
  if (input.bad()) fail("{}: read error while computing SHA-256", path);
}

}  // namespace

std::string sha256_file(const std::string& path) {
  DigestContext digest;
  digest_file(path, {&digest});
  return digest.finish_hex();
}

FileDigests sha256_and_md5_file(const std::string& path) {
  DigestContext sha256;
  DigestContext md5(EVP_md5());
  digest_file(path, {&sha256, &md5});
  return {sha256.finish_hex(), md5.finish_hex()};
}

std::string sha256_bytes(std::string_view bytes) {
  DigestContext digest;
  digest.update(bytes.data(), bytes.size());
  return digest.finish_hex();
}

}  // namespace fpt::io
