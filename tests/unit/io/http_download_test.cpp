// download_file against a local Range-capable HTTP server: plain download, resume from a
// .partial, a server that ignores Range, 416 for a complete partial, redirects, a corrupted file,
// truncated transfers (recovered by retries, or a clear error), 404 and connection refused.
#include "fpt/io/http_download.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>

#include "fpt/core/error.h"
#include "fpt/io/sha256.h"
#include "range_server.h"
#include "test_support.h"

namespace fpt::io {
namespace {

namespace fs = std::filesystem;
using testing::contains;
using testing::error_of;
using testing::fixture_bytes;
using testing::RangeServer;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

constexpr size_t kFileSize = 300000;

DownloadOptions fast_options() {
  DownloadOptions options;
  options.connect_timeout_seconds = 5;
  options.low_speed_seconds       = 5;
  options.retries                 = 2;
  options.retry_delay_seconds     = 0.0;
  options.quiet                   = true;
  return options;
}

// A hub-shaped fixture: <dir>/hub/org/model/resolve/rev1/model.bin.
struct Fixture {
  TempDir     temp;
  fs::path    hub         = temp.path() / "hub";
  fs::path    served_file = hub / "org/model/resolve/rev1/model.bin";
  std::string bytes       = fixture_bytes(kFileSize);
  std::string sha256      = sha256_bytes(bytes);
  fs::path    destination = temp.path() / "cache/model/model.bin";

  Fixture() { write_file(served_file, bytes); }
  std::string url(const RangeServer& server) const {
    return server.base_url() + "/org/model/resolve/rev1/model.bin";
  }
  std::string partial() const { return partial_path_for(destination.string()); }
};

TEST(HttpDownload, DownloadsVerifiesAndRenames) {
  Fixture           fixture;
  RangeServer       server(fixture.hub);
  const std::string sum = download_file(fixture.url(server), fixture.destination.string(),
                                        fixture.sha256, kFileSize, fast_options());
  EXPECT_EQ(sum, fixture.sha256);
  EXPECT_EQ(read_file(fixture.destination), fixture.bytes);
  EXPECT_FALSE(fs::exists(fixture.partial()));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(contains(server.requests()[0], "\"range\": null"));
}

TEST(HttpDownload, ResumesFromPartialWithRangeRequest) {
  Fixture fixture;
  write_file(fixture.partial(), fixture.bytes.substr(0, 123456));
  RangeServer server(fixture.hub);
  download_file(fixture.url(server), fixture.destination.string(), fixture.sha256, kFileSize,
                fast_options());
  EXPECT_EQ(read_file(fixture.destination), fixture.bytes);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(contains(requests[0], "\"range\": \"bytes=123456-\"")) << requests[0];
  EXPECT_TRUE(contains(requests[0], "\"status\": 206")) << requests[0];
}

TEST(HttpDownload, RestartsFromZeroWhenServerIgnoresRange) {
  Fixture fixture;
  write_file(fixture.served_file.string() + ".ignore_range", "yes");
  // A partial whose bytes are wrong: appending to it would fail the sum, restarting fixes it.
  write_file(fixture.partial(), std::string(5000, 'x'));
  RangeServer server(fixture.hub);
  download_file(fixture.url(server), fixture.destination.string(), fixture.sha256, kFileSize,
                fast_options());
  EXPECT_EQ(read_file(fixture.destination), fixture.bytes);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(contains(requests[0], "bytes=5000-"));
  EXPECT_TRUE(contains(requests[0], "\"status\": 200"));
}

TEST(HttpDownload, CompletePartialWithUnknownSizeGets416AndIsAccepted) {
  Fixture fixture;
  write_file(fixture.partial(), fixture.bytes);
  RangeServer server(fixture.hub);
  download_file(fixture.url(server), fixture.destination.string(), fixture.sha256, 0,
                fast_options());
  EXPECT_EQ(read_file(fixture.destination), fixture.bytes);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(contains(requests[0], "\"status\": 416"));
}

TEST(HttpDownload, CompletePartialWithKnownSizeNeedsNoRequest) {
  Fixture fixture;
  write_file(fixture.partial(), fixture.bytes);
  RangeServer server(fixture.hub);
  download_file(fixture.url(server), fixture.destination.string(), fixture.sha256, kFileSize,
                fast_options());
  EXPECT_EQ(read_file(fixture.destination), fixture.bytes);
  EXPECT_TRUE(server.requests().empty());
}

TEST(HttpDownload, FollowsRedirects) {
  Fixture     fixture;
  RangeServer server(fixture.hub, /*redirect=*/true);
  download_file(fixture.url(server), fixture.destination.string(), fixture.sha256, kFileSize,
                fast_options());
  EXPECT_EQ(read_file(fixture.destination), fixture.bytes);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(contains(requests[0], "\"status\": 302"));
  EXPECT_TRUE(contains(requests[1], "/cdn/org/model/resolve/rev1/model.bin"));
}

TEST(HttpDownload, ShaMismatchDeletesDownloadAndReportsBothSums) {
  Fixture           fixture;
  RangeServer       server(fixture.hub);
  const std::string wrong(64, 'a');
  const std::string message = error_of([&] {
    download_file(fixture.url(server), fixture.destination.string(), wrong, kFileSize,
                  fast_options());
  });
  EXPECT_TRUE(contains(message, "SHA-256 mismatch")) << message;
  EXPECT_TRUE(contains(message, wrong)) << message;
  EXPECT_TRUE(contains(message, fixture.sha256)) << message;
  EXPECT_FALSE(fs::exists(fixture.destination));
  EXPECT_FALSE(fs::exists(fixture.partial()));
}

TEST(HttpDownload, TruncatedTransferIsResumedByRetry) {
  Fixture fixture;
  write_file(fixture.served_file.string() + ".drop", "100000 1");  // first request drops
  RangeServer server(fixture.hub);
  download_file(fixture.url(server), fixture.destination.string(), fixture.sha256, kFileSize,
                fast_options());
  EXPECT_EQ(read_file(fixture.destination), fixture.bytes);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(contains(requests[0], "\"range\": null"));
  EXPECT_TRUE(contains(requests[1], "\"range\": \"bytes=100000-\"")) << requests[1];
}

TEST(HttpDownload, PersistentTruncationFailsClearlyAfterRetriesAndKeepsPartial) {
  Fixture fixture;
  write_file(fixture.served_file.string() + ".drop", "50000");  // every request drops
  RangeServer     server(fixture.hub);
  DownloadOptions options   = fast_options();
  options.retries           = 2;
  const std::string message = error_of([&] {
    download_file(fixture.url(server), fixture.destination.string(), fixture.sha256, kFileSize,
                  options);
  });
  EXPECT_TRUE(contains(message, "after 3 attempt(s)")) << message;
  EXPECT_TRUE(contains(message, fixture.partial())) << message;
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_FALSE(fs::exists(fixture.destination));
  EXPECT_EQ(fs::file_size(fixture.partial()), 150000u);  // 3 × 50000, each resumed
  EXPECT_EQ(read_file(fixture.partial()), fixture.bytes.substr(0, 150000));
}

TEST(HttpDownload, NotFoundSaysTheFileOrRevisionDoesNotExist) {
  Fixture           fixture;
  RangeServer       server(fixture.hub);
  const std::string url = server.base_url() + "/org/model/resolve/no-such-rev/model.bin";
  const std::string message =
      error_of([&] { download_file(url, fixture.destination.string(), "", 0, fast_options()); });
  EXPECT_TRUE(contains(message, "404")) << message;
  EXPECT_TRUE(contains(message, "does not exist")) << message;
  EXPECT_TRUE(contains(message, url)) << message;
  EXPECT_EQ(server.requests().size(), 1u);  // not retried
  EXPECT_FALSE(fs::exists(fixture.destination));
}

// A port nothing listens on: bind an ephemeral port, note it, close the socket.
int unused_port() {
  const int   socket_fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family      = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port        = 0;
  bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(socket_fd);
  return ntohs(address.sin_port);
}

TEST(HttpDownload, ConnectionRefusedGivesOfflineAdvice) {
  TempDir           temp;
  const std::string url =
      "http://127.0.0.1:" + std::to_string(unused_port()) + "/org/m/resolve/r/f";
  const std::string destination = (temp.path() / "cache/m/f").string();
  const std::string message =
      error_of([&] { download_file(url, destination, "", 0, fast_options()); });
  EXPECT_TRUE(contains(message, url)) << message;
  EXPECT_TRUE(contains(message, "unreachable")) << message;
  EXPECT_TRUE(contains(message, "--base-url")) << message;
  EXPECT_TRUE(contains(message, "FPT_HUB_URL")) << message;
  EXPECT_TRUE(contains(message, destination)) << message;
}

TEST(HttpDownload, SizeMismatchIsAnError) {
  Fixture     fixture;
  RangeServer server(fixture.hub);
  // The catalogue claims a smaller file than the server has: the extra bytes are refused.
  const std::string message = error_of([&] {
    download_file(fixture.url(server), fixture.destination.string(), fixture.sha256, 1000,
                  fast_options());
  });
  EXPECT_TRUE(contains(message, "size mismatch")) << message;
  EXPECT_FALSE(fs::exists(fixture.destination));
}

}  // namespace
}  // namespace fpt::io
