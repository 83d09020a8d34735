// extract_members on .tar.gz archives the tests build with libarchive's writer: directory prefixes
// and exact members with a stripped prefix land where the readers look, nothing else is written,
// and unsafe or broken archives (path traversal, absolute paths, symlinks, truncated or corrupted
// bytes, a missing member) fail naming the archive and member while earlier outputs stay intact.
#include "fpt/io/archive_extract.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "fpt/core/error.h"
#include "fpt/io/sha256.h"
#include "range_server.h"
#include "tar_gz_writer.h"
#include "test_support.h"

namespace fpt::io {
namespace {

namespace fs = std::filesystem;
using testing::contains;
using testing::error_of;
using testing::fixture_bytes;
using testing::read_file;
using testing::TarMember;
using testing::TempDir;
using testing::write_file;
using testing::write_tar_gz;

// Names of everything below `directory`, relative, sorted.
std::vector<std::string> tree(const fs::path& directory) {
  std::vector<std::string> names;
  for (const auto& item : fs::recursive_directory_iterator(directory)) {
    names.push_back(fs::relative(item.path(), directory).string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

const ArchiveSelection kCifarLike{{"cifar-10-batches-bin/"}, ""};

TEST(ExtractMembers, DirectoryPrefixExtractsOnlyThatDirectory) {
  TempDir           temp;
  const std::string batch = fixture_bytes(3073 * 5, 3);
  write_tar_gz(temp.path() / "c.tar.gz", {{"./cifar-10-batches-bin", "", AE_IFDIR},
                                          {"./cifar-10-batches-bin/data_batch_1.bin", batch},
                                          {"./cifar-10-batches-bin/batches.meta.txt", "airplane\n"},
                                          {"./other/readme.txt", "not wanted"}});
  const fs::path out = temp.path() / "cifar10";
  const auto sums = extract_members((temp.path() / "c.tar.gz").string(), kCifarLike, out.string());
  EXPECT_EQ(read_file(out / "cifar-10-batches-bin/data_batch_1.bin"), batch);
  EXPECT_EQ(read_file(out / "cifar-10-batches-bin/batches.meta.txt"), "airplane\n");
  EXPECT_EQ(tree(out), (std::vector<std::string>{"cifar-10-batches-bin",
                                                 "cifar-10-batches-bin/batches.meta.txt",
                                                 "cifar-10-batches-bin/data_batch_1.bin"}));
  ASSERT_EQ(sums.size(), 2u);
  EXPECT_EQ(sums.at("cifar-10-batches-bin/data_batch_1.bin"), sha256_bytes(batch));
}

TEST(ExtractMembers, ExactMembersWithStrippedPrefix) {
  TempDir temp;
  write_tar_gz(temp.path() / "lra.gz",
               {{"lra_release/listops-1000/basic_train.tsv", "Source\tTarget\n[MAX 1 2 ]\t2\n"},
                {"lra_release/listops-1000/basic_val.tsv", "Source\tTarget\n"},
                {"lra_release/listops-1000/basic_test.tsv", "Source\tTarget\n"},
                {"lra_release/imdb/train.tsv", "not wanted"}});
  const ArchiveSelection listops{
      {"lra_release/listops-1000/basic_train.tsv", "lra_release/listops-1000/basic_val.tsv",
       "lra_release/listops-1000/basic_test.tsv"},
      "lra_release/listops-1000/"};
  const fs::path out = temp.path() / "listops";
  extract_members((temp.path() / "lra.gz").string(), listops, out.string());
  EXPECT_EQ(tree(out),
            (std::vector<std::string>{"basic_test.tsv", "basic_train.tsv", "basic_val.tsv"}));
  EXPECT_EQ(read_file(out / "basic_train.tsv"), "Source\tTarget\n[MAX 1 2 ]\t2\n");
}

TEST(ExtractMembers, ReplacesEarlierOutputsWhole) {
  TempDir temp;
  write_tar_gz(temp.path() / "c.tar.gz", {{"cifar-10-batches-bin/test_batch.bin", "new"}});
  const fs::path out = temp.path() / "cifar10";
  write_file(out / "cifar-10-batches-bin/stale.bin", "old");
  write_file(out / "cifar-10-binary.tar.gz.keep", "untouched");
  extract_members((temp.path() / "c.tar.gz").string(), kCifarLike, out.string());
  EXPECT_EQ(tree(out),
            (std::vector<std::string>{"cifar-10-batches-bin", "cifar-10-batches-bin/test_batch.bin",
                                      "cifar-10-binary.tar.gz.keep"}));
}

// Each unsafe archive fails naming the member, writes nothing outside `out`, leaves no staging
// directory and keeps what `out` held before.
void expect_refused(const std::vector<TarMember>& members, const std::string& expected_message) {
  TempDir temp;
  write_tar_gz(temp.path() / "bad.tar.gz", members);
  const fs::path out = temp.path() / "data" / "cifar10";
  write_file(out / "cifar-10-batches-bin/data_batch_1.bin", "earlier");
  const std::string message = error_of(
      [&] { extract_members((temp.path() / "bad.tar.gz").string(), kCifarLike, out.string()); });
  EXPECT_TRUE(contains(message, "bad.tar.gz")) << message;
  EXPECT_TRUE(contains(message, expected_message)) << message;
  EXPECT_EQ(tree(out), (std::vector<std::string>{"cifar-10-batches-bin",
                                                 "cifar-10-batches-bin/data_batch_1.bin"}));
  EXPECT_EQ(read_file(out / "cifar-10-batches-bin/data_batch_1.bin"), "earlier");
  EXPECT_EQ(tree(temp.path() / "data"),
            (std::vector<std::string>{"cifar10", "cifar10/cifar-10-batches-bin",
                                      "cifar10/cifar-10-batches-bin/data_batch_1.bin"}));
}

TEST(ExtractMembers, RefusesPathTraversal) {
  expect_refused({{"cifar-10-batches-bin/data_batch_1.bin", "fine"},
                  {"cifar-10-batches-bin/../../escaped.bin", "evil"}},
                 "refusing member 'cifar-10-batches-bin/../../escaped.bin'");
}

TEST(ExtractMembers, RefusesAbsolutePaths) {
  expect_refused({{"/tmp/fpt-absolute-member.bin", "evil"}},
                 "refusing member '/tmp/fpt-absolute-member.bin'");
  EXPECT_FALSE(fs::exists("/tmp/fpt-absolute-member.bin"));
}

// "a//b" iterates as a, b; cut after the prefix "a/" it would be "/b", an absolute path. And a
// catalogue prefix without its trailing '/' would leave "/basic_train.tsv".
TEST(ExtractMembers, RefusesEmptyComponentsAndPrefixesThatLeaveAbsolutePaths) {
  expect_refused({{"cifar-10-batches-bin//tmp/fpt-double-slash.bin", "evil"}},
                 "refusing member 'cifar-10-batches-bin//tmp/fpt-double-slash.bin'");
  EXPECT_FALSE(fs::exists("/tmp/fpt-double-slash.bin"));

  TempDir temp;
  write_tar_gz(temp.path() / "lra.gz", {{"lra_release/listops-1000/basic_train.tsv", "x"}});
  const ArchiveSelection no_slash{{"lra_release/listops-1000/basic_train.tsv"},
                                  "lra_release/listops-1000"};
  const std::string      message = error_of([&] {
    extract_members((temp.path() / "lra.gz").string(), no_slash, (temp.path() / "out").string());
  });
  EXPECT_TRUE(contains(message, "not a relative path below the data directory")) << message;
  EXPECT_FALSE(fs::exists("/basic_train.tsv"));
}

TEST(ExtractMembers, RefusesSymlinks) {
  expect_refused({{"cifar-10-batches-bin/test_batch.bin", "", AE_IFLNK, "/etc/passwd"}},
                 "member 'cifar-10-batches-bin/test_batch.bin' is a symbolic link");
}

TEST(ExtractMembers, MissingSelectionIsNamed) {
  expect_refused({{"cifar-10-batches-py/data_batch_1", "python pickles"}},
                 "no file below 'cifar-10-batches-bin/' in the archive");
}

TEST(ExtractMembers, TruncatedArchiveIsAClearError) {
  TempDir temp;
  write_tar_gz(temp.path() / "full.tar.gz",
               {{"cifar-10-batches-bin/data_batch_1.bin", fixture_bytes(300000, 4)},
                {"cifar-10-batches-bin/test_batch.bin", fixture_bytes(300000, 5)}});
  const std::string bytes = read_file(temp.path() / "full.tar.gz");
  TempDir           broken;
  const fs::path    out = broken.path() / "cifar10";
  write_file(broken.path() / "cut.tar.gz", bytes.substr(0, bytes.size() / 2));
  std::string message = error_of(
      [&] { extract_members((broken.path() / "cut.tar.gz").string(), kCifarLike, out.string()); });
  EXPECT_TRUE(contains(message, "cut.tar.gz: corrupt or truncated archive")) << message;
  EXPECT_FALSE(fs::exists(out / "cifar-10-batches-bin"));
  EXPECT_TRUE(fs::is_empty(out)) << "the staging directory was left behind";

  // Flipped bytes in the compressed stream's first block: inflate fails. (libarchive does not
  // check the gzip CRC, so flipped bytes inside stored data would pass here: fetch_data checks
  // the archive's pinned or recorded SHA-256 before unpacking it, which is what catches those.)
  std::string corrupted = bytes;
  for (size_t i = 12; i < 40; ++i) corrupted[i] ^= 0x5a;
  write_file(broken.path() / "flipped.tar.gz", corrupted);
  message = error_of([&] {
    extract_members((broken.path() / "flipped.tar.gz").string(), kCifarLike, out.string());
  });
  EXPECT_TRUE(contains(message, "flipped.tar.gz")) << message;
  EXPECT_TRUE(contains(message, "corrupt or truncated")) << message;
  EXPECT_FALSE(fs::exists(out / "cifar-10-batches-bin"));
}

TEST(ExtractMembers, NotAnArchive) {
  TempDir temp;
  write_file(temp.path() / "page.tar.gz", "<html>Access denied</html>\n");
  const std::string message = error_of([&] {
    extract_members((temp.path() / "page.tar.gz").string(), kCifarLike,
                    (temp.path() / "out").string());
  });
  EXPECT_TRUE(contains(message, "page.tar.gz")) << message;
  EXPECT_FALSE(fs::exists(temp.path() / "out" / "cifar-10-batches-bin"));
}

}  // namespace
}  // namespace fpt::io
