// The built-in data catalogue's invariants, data catalogue JSON parsing, URLs with and without a
// mirror, and fetch_data / verify_data end to end against the local range server with a test entry
// of two IDX-style files (one pinned by SHA-256, one only by MD5) and a .tar.gz to unpack.
#include "fpt/io/data_catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <set>

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
using testing::quiet_options;
using testing::RangeServer;
using testing::read_file;
using testing::TempDir;
using testing::write_file;
using testing::write_tar_gz;

TEST(DataCatalog, BuiltInEntriesAreWellFormed) {
  std::set<std::string> names;
  for (const auto& entry : data_catalog()) {
    EXPECT_TRUE(names.insert(entry.name).second) << "duplicate " << entry.name;
    EXPECT_EQ(entry.url.rfind("http", 0), 0u) << entry.name;
    EXPECT_NE(entry.url.back(), '/') << entry.name;
    ASSERT_FALSE(entry.files.empty()) << entry.name;
    for (const auto& file : entry.files) {
      const auto& pin = file.download;
      EXPECT_TRUE(pin.sha256.empty() || pin.sha256.size() == 64u) << pin.file_name;
      EXPECT_TRUE(pin.md5.empty() || pin.md5.size() == 32u) << pin.file_name;
      for (const auto& member : file.unpack.members) {
        EXPECT_EQ(member.rfind(file.unpack.strip_prefix, 0), 0u) << member;
      }
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"mnist", "fashion-mnist", "cifar10", "listops",
                                          "remote-homology"}));
  // What is pinned: MNIST and CIFAR-10 by SHA-256 and MD5, Fashion-MNIST by MD5 only.
  for (const auto& file : find_data("mnist", data_catalog())->files) {
    EXPECT_FALSE(file.download.sha256.empty() || file.download.md5.empty());
    EXPECT_GT(file.download.size, 0u);
  }
  for (const auto& file : find_data("fashion-mnist", data_catalog())->files) {
    EXPECT_FALSE(file.download.md5.empty());
  }
  const auto& cifar = find_data("cifar10", data_catalog())->files.at(0);
  EXPECT_EQ(cifar.download.size, 170052171u);
  EXPECT_EQ(cifar.unpack.members, std::vector<std::string>{"cifar-10-batches-bin/"});
  EXPECT_EQ(find_data("cifar100", data_catalog()), nullptr);
}

TEST(DataCatalog, UrlsFromThePublisherOrAMirror) {
  const DataEntry& mnist = *find_data("mnist", data_catalog());
  EXPECT_EQ(data_file_url("", mnist, mnist.files[0].download),
            "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz");
  EXPECT_EQ(data_file_url("http://mirror:8080/data/", mnist, mnist.files[0].download),
            "http://mirror:8080/data/mnist/train-images-idx3-ubyte.gz");
  EXPECT_EQ(data_entry_directory("/d", "mnist"), "/d/mnist");
  EXPECT_EQ(unpacked_sums_path("/d", "cifar10", "cifar-10-binary.tar.gz"),
            "/d/cifar10/cifar-10-binary.tar.gz.unpacked.SHA256SUMS");
}

TEST(DataCatalog, LoadsAndChecksJson) {
  TempDir temp;
  write_file(temp.path() / "good.json", R"({"weights": [], "data": [
    {"name": "tiny", "url": "http://x/", "files": [
      {"file_name": "a.gz", "md5": "0123456789abcdef0123456789abcdef", "size": 5},
      {"file_name": "b.tar.gz", "sha256": "", "unpack": ["b/", "c/one.txt"], "strip_prefix": ""}]}]})");
  const auto catalog = load_data_catalog((temp.path() / "good.json").string());
  ASSERT_EQ(catalog.size(), 1u);
  EXPECT_EQ(catalog[0].url, "http://x");
  EXPECT_EQ(catalog[0].files[0].download.md5, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(catalog[0].files[0].download.size, 5u);
  EXPECT_EQ(catalog[0].files[1].unpack.members, (std::vector<std::string>{"b/", "c/one.txt"}));

  write_file(temp.path() / "weights_only.json", R"({"weights": []})");
  EXPECT_TRUE(load_data_catalog((temp.path() / "weights_only.json").string()).empty());

  const auto error_for = [&](const std::string& json) {
    write_file(temp.path() / "bad.json", json);
    return error_of([&] { load_data_catalog((temp.path() / "bad.json").string()); });
  };
  std::string message = error_for(R"({"data": [{"name": "t", "files": [{"file_name": "a"}]}]})");
  EXPECT_TRUE(contains(message, "bad.json: data[0]") && contains(message, "'url'")) << message;
  message = error_for(
      R"({"data": [{"name": "t", "url": "http://x", "files": [{"file_name": "a", "md5": "ABC"}]}]})");
  EXPECT_TRUE(contains(message, "files[0]") && contains(message, "md5 'ABC'")) << message;
  message = error_for(R"({"data": [{"name": "t", "url": "http://x",
    "files": [{"file_name": "a.tar.gz", "unpack": ["../etc/"]}]}]})");
  EXPECT_TRUE(contains(message, "unpack member '../etc/'")) << message;
  message = error_for(R"({"data": [{"name": "t", "url": "http://x", "files": [{"file_name": "a"}]},
    {"name": "t", "url": "http://y", "files": [{"file_name": "b"}]}]})");
  EXPECT_TRUE(contains(message, "data[1]: name 't' appears twice")) << message;
}

// A served data set: two .gz files (one pinned by SHA-256, one by MD5 only) and an archive whose
// directory "batches/" is unpacked.
struct MirrorFixture {
  TempDir     temp;
  fs::path    mirror   = temp.path() / "mirror";
  fs::path    data_dir = temp.path() / "data";
  std::string images   = fixture_bytes(120000, 11);
  std::string labels   = fixture_bytes(3000, 12);
  std::string batch    = fixture_bytes(50000, 13);
  DataEntry   entry;

  MirrorFixture() {
    write_file(mirror / "tiny/images.gz", images);
    write_file(mirror / "tiny/labels.gz", labels);
    write_tar_gz(mirror / "tiny/batches.tar.gz",
                 {{"batches/data_1.bin", batch}, {"batches/meta.txt", "cat\ndog\n"}});
    const std::string labels_md5 = sha256_and_md5_file((mirror / "tiny/labels.gz").string()).md5;
    const FileDigests archive    = sha256_and_md5_file((mirror / "tiny/batches.tar.gz").string());
    entry                        = {"tiny",
                                    "http://publisher.invalid/tiny",
                                    {{{"images.gz", sha256_bytes(images), images.size()}, {}},
                                     {{"labels.gz", "", 0, labels_md5}, {}},
                                     {{"batches.tar.gz", archive.sha256, 0, archive.md5}, {{"batches/"}, ""}}},
                                    "test data set"};
  }
  fs::path local(const std::string& file) const { return data_dir / "tiny" / file; }
};

TEST(FetchData, DownloadsUnpacksVerifiesAndSkipsTheSecondTime) {
  MirrorFixture fixture;
  RangeServer   server(fixture.mirror);
  ::testing::internal::CaptureStdout();
  fetch_data(fixture.entry, server.base_url(), fixture.data_dir.string(), quiet_options());
  std::string output = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(read_file(fixture.local("images.gz")), fixture.images);
  EXPECT_EQ(read_file(fixture.local("labels.gz")), fixture.labels);
  EXPECT_EQ(read_file(fixture.local("batches/data_1.bin")), fixture.batch);
  EXPECT_EQ(read_file(fixture.local("batches/meta.txt")), "cat\ndog\n");
  EXPECT_TRUE(fs::exists(fixture.local("batches.tar.gz")));  // kept: resumable, re-checkable
  EXPECT_TRUE(contains(output, "unpacked 2 file(s)")) << output;
  // The MD5-only file's SHA-256 is recorded once its MD5 matched.
  const auto recorded = read_recorded_sums(fixture.local("SHA256SUMS").string());
  ASSERT_EQ(recorded.count("labels.gz"), 1u);
  EXPECT_EQ(recorded.at("labels.gz"), sha256_bytes(fixture.labels));
  EXPECT_EQ(recorded.count("images.gz"), 0u);  // pinned: nothing to record

  const size_t requests = server.requests().size();
  ::testing::internal::CaptureStdout();
  fetch_data(fixture.entry, server.base_url(), fixture.data_dir.string(), quiet_options());
  output = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(server.requests().size(), requests);
  EXPECT_TRUE(contains(output, "labels.gz: already present, verified (md5")) << output;
  EXPECT_TRUE(contains(output, "batches.tar.gz: already unpacked, verified")) << output;
  verify_data(fixture.entry, fixture.data_dir.string(), /*quiet=*/true);
}

TEST(FetchData, VerifyCatchesChangedDownloadsAndUnpackedFiles) {
  MirrorFixture fixture;
  RangeServer   server(fixture.mirror);
  fetch_data(fixture.entry, server.base_url(), fixture.data_dir.string(), quiet_options());
  write_file(fixture.local("batches/data_1.bin"), fixture_bytes(50000, 99));
  fs::remove(fixture.local("batches/meta.txt"));
  write_file(fixture.local("labels.gz"), fixture_bytes(3000, 98));
  const std::string message =
      error_of([&] { verify_data(fixture.entry, fixture.data_dir.string(), true); });
  EXPECT_TRUE(contains(message, "data set 'tiny' failed verification")) << message;
  EXPECT_TRUE(contains(message, fixture.local("batches/data_1.bin").string() + ": sha256"))
      << message;
  EXPECT_TRUE(contains(message, fixture.local("batches/meta.txt").string() + ": missing"))
      << message;
  EXPECT_TRUE(contains(message, fixture.local("labels.gz").string() + ": sha256")) << message;
  EXPECT_TRUE(contains(message, "http://publisher.invalid/tiny/labels.gz")) << message;
  // A fetch repairs both: the download again, the unpacked files from the kept archive.
  fetch_data(fixture.entry, server.base_url(), fixture.data_dir.string(), quiet_options());
  verify_data(fixture.entry, fixture.data_dir.string(), true);
  EXPECT_EQ(read_file(fixture.local("batches/data_1.bin")), fixture.batch);
}

TEST(FetchData, Md5MismatchIsRejectedAndNothingLands) {
  MirrorFixture fixture;
  fixture.entry.files[1].download.md5 = "0123456789abcdef0123456789abcdef";
  RangeServer       server(fixture.mirror);
  const std::string message = error_of([&] {
    fetch_data(fixture.entry, server.base_url(), fixture.data_dir.string(), quiet_options());
  });
  EXPECT_TRUE(contains(message,
                       "tiny/labels.gz: MD5 mismatch: expected "
                       "0123456789abcdef0123456789abcdef"))
      << message;
  EXPECT_FALSE(fs::exists(fixture.local("labels.gz")));
  EXPECT_FALSE(fs::exists(fixture.local("labels.gz.partial")));
}

TEST(FetchData, UnpinnedArchiveNeedsTrust) {
  MirrorFixture fixture;
  fixture.entry.files[2].download.sha256 = "";
  fixture.entry.files[2].download.md5    = "";
  RangeServer       server(fixture.mirror);
  const std::string message = error_of([&] {
    fetch_data(fixture.entry, server.base_url(), fixture.data_dir.string(), quiet_options());
  });
  EXPECT_TRUE(contains(message, "data set 'tiny': no pinned SHA-256 for batches.tar.gz"))
      << message;
  EXPECT_TRUE(contains(message, "--trust-unpinned")) << message;
  EXPECT_TRUE(server.requests().empty());
  fetch_data(fixture.entry, server.base_url(), fixture.data_dir.string(), quiet_options(),
             /*trust_unpinned=*/true);
  EXPECT_EQ(read_file(fixture.local("batches/data_1.bin")), fixture.batch);
  verify_data(fixture.entry, fixture.data_dir.string(), true);
}

TEST(FetchData, CorruptArchiveFailsAfterTheDownloadWithoutPartialOutputs) {
  MirrorFixture     fixture;
  const std::string archive = read_file(fixture.mirror / "tiny/batches.tar.gz");
  write_file(fixture.mirror / "tiny/batches.tar.gz", archive.substr(0, archive.size() / 2));
  fixture.entry.files[2].download = {"batches.tar.gz", "", 0, ""};  // unpinned, trusted
  RangeServer       server(fixture.mirror);
  const std::string message = error_of([&] {
    fetch_data(fixture.entry, server.base_url(), fixture.data_dir.string(), quiet_options(), true);
  });
  EXPECT_TRUE(contains(message, "batches.tar.gz: corrupt or truncated archive")) << message;
  EXPECT_FALSE(fs::exists(fixture.local("batches")));
  EXPECT_FALSE(fs::exists(fixture.local("batches.tar.gz.unpacked.SHA256SUMS")));
}

TEST(FetchData, OfflineErrorNamesMirrorOptionAndTargetPath) {
  MirrorFixture   fixture;
  DownloadOptions options   = quiet_options();
  options.retries           = 0;
  const std::string message = error_of([&] {
    // Port 1 on 127.0.0.1: nothing listens there.
    fetch_data(fixture.entry, "http://127.0.0.1:1", fixture.data_dir.string(), options);
  });
  EXPECT_TRUE(contains(message, "http://127.0.0.1:1/tiny/images.gz")) << message;
  EXPECT_TRUE(contains(message, "--data-base-url")) << message;
  EXPECT_TRUE(contains(message, "FPT_DATA_URL")) << message;
  EXPECT_TRUE(contains(message, fixture.local("images.gz").string())) << message;
  EXPECT_TRUE(contains(message, "fpt_fetch tiny")) << message;
}

}  // namespace
}  // namespace fpt::io
