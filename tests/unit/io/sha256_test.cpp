// sha256_bytes / sha256_file against the FIPS 180-2 test vectors.
#include "fpt/io/sha256.h"

#include <gtest/gtest.h>

#include "fpt/core/error.h"
#include "range_server.h"

namespace fpt::io {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_bytes(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_bytes("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, FileMatchesBytesAcrossBlockBoundaries) {
  testing::TempDir  temp;
  const std::string bytes = testing::fixture_bytes((1 << 20) * 2 + 17);  // > two 1 MiB blocks
  testing::write_file(temp.path() / "blob", bytes);
  EXPECT_EQ(sha256_file((temp.path() / "blob").string()), sha256_bytes(bytes));
  // One million 'a' (FIPS 180-2 long message).
  testing::write_file(temp.path() / "million", std::string(1000000, 'a'));
  EXPECT_EQ(sha256_file((temp.path() / "million").string()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, MissingFileNamesThePath) {
  try {
    sha256_file("/nonexistent/fpt/blob");
    FAIL() << "expected fpt::Error";
  } catch (const fpt::Error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/fpt/blob"), std::string::npos);
  }
}

}  // namespace
}  // namespace fpt::io
