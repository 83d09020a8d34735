// The built-in catalogue's invariants, the cache-directory rules, catalogue JSON parsing, and
// fetch_weights / verify_weights end to end against the local range server with a test entry.
#include "fpt/io/weights_catalog.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "../scoped_environment.h"
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
using testing::quiet_options;
using testing::RangeServer;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

using fpt::test::ScopedEnvironment;

TEST(WeightsCatalog, BuiltInEntriesAreWellFormed) {
  std::set<std::string> names;
  for (const auto& entry : weights_catalog()) {
    EXPECT_TRUE(names.insert(entry.name).second) << "duplicate " << entry.name;
    EXPECT_FALSE(entry.repository.empty());
    EXPECT_FALSE(entry.revision.empty());
    EXPECT_FALSE(entry.files.empty());
    bool has_weights = false;
    for (const auto& file : entry.files) {
      has_weights = has_weights || file.file_name == "model.safetensors";
      if (!file.sha256.empty()) {
        EXPECT_EQ(file.sha256.size(), 64u) << entry.name << " " << file.file_name;
        EXPECT_EQ(file.sha256.find_first_not_of("0123456789abcdef"), std::string::npos);
      }
    }
    EXPECT_TRUE(has_weights) << entry.name;
  }
  for (const char* name :
       {"gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "vit-base-in21k", "minilm"}) {
    EXPECT_EQ(names.count(name), 1u) << name;
  }
  const auto& gpt2 = find_weights("gpt2");
  EXPECT_EQ(gpt2.repository, "openai-community/gpt2");
  EXPECT_EQ(gpt2.revision, "607a30d783dfa663caf39e06633721c8d4cfcd7e");
  EXPECT_EQ(gpt2.files[0].sha256,
            "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707");
  EXPECT_EQ(gpt2.files[0].size, 548105171u);
  EXPECT_EQ(find_weights("minilm").files[0].size, 90868376u);
}

TEST(WeightsCatalog, UnknownNameListsValidNames) {
  const std::string message = error_of([] { find_weights("gpt3"); });
  EXPECT_TRUE(contains(message, "gpt3")) << message;
  EXPECT_TRUE(contains(message, "gpt2-medium")) << message;
  EXPECT_TRUE(contains(message, "minilm")) << message;
}

TEST(WeightsCatalog, DefaultDirectoryFollowsEnvironment) {
  {
    ScopedEnvironment weights("FPT_WEIGHTS_DIR", "/w");
    ScopedEnvironment xdg("XDG_CACHE_HOME", "/x");
    EXPECT_EQ(default_weights_dir(), "/w");
  }
  {
    ScopedEnvironment weights("FPT_WEIGHTS_DIR", nullptr);
    ScopedEnvironment xdg("XDG_CACHE_HOME", "/x");
    EXPECT_EQ(default_weights_dir(), "/x/fpt/weights");
  }
  {
    ScopedEnvironment weights("FPT_WEIGHTS_DIR", nullptr);
    ScopedEnvironment xdg("XDG_CACHE_HOME", nullptr);
    ScopedEnvironment home("HOME", "/home/someone");
    EXPECT_EQ(default_weights_dir(), "/home/someone/.cache/fpt/weights");
  }
  EXPECT_EQ(weights_file_path("/w", "gpt2", "model.safetensors"), "/w/gpt2/model.safetensors");
}

TEST(WeightsCatalog, HubUrlLayoutAndEnvironmentOverride) {
  const auto& gpt2 = find_weights("gpt2");
  EXPECT_EQ(weights_file_url("https://huggingface.co/", gpt2, gpt2.files[0]),
            "https://huggingface.co/openai-community/gpt2/resolve/"
            "607a30d783dfa663caf39e06633721c8d4cfcd7e/model.safetensors");
  {
    ScopedEnvironment hub("FPT_HUB_URL", nullptr);
    EXPECT_EQ(default_hub_url(), "https://huggingface.co");
  }
  ScopedEnvironment hub("FPT_HUB_URL", "http://mirror.local:8080/");
  EXPECT_EQ(default_hub_url(), "http://mirror.local:8080");
}

TEST(WeightsCatalog, LoadsJsonCatalogueAndRejectsBadFields) {
  TempDir temp;
  write_file(temp.path() / "good.json", R"({"weights": [{"name": "tiny", "repository": "org/tiny",
    "revision": "r1", "description": "d", "files": [{"file_name": "model.safetensors",
    "sha256": "", "size": 0}]}]})");
  const auto catalog = load_weights_catalog((temp.path() / "good.json").string());
  ASSERT_EQ(catalog.size(), 1u);
  EXPECT_EQ(find_weights("tiny", catalog).repository, "org/tiny");

  write_file(temp.path() / "bad_sum.json", R"([{"name": "t", "repository": "o/t", "revision": "r",
    "files": [{"file_name": "f", "sha256": "ABC", "size": 1}]}])");
  std::string message =
      error_of([&] { load_weights_catalog((temp.path() / "bad_sum.json").string()); });
  EXPECT_TRUE(contains(message, "bad_sum.json")) << message;
  EXPECT_TRUE(contains(message, "64 lowercase hex")) << message;

  write_file(temp.path() / "escape.json", R"([{"name": "t", "repository": "o/t", "revision": "r",
    "files": [{"file_name": "../../etc/passwd"}]}])");
  message = error_of([&] { load_weights_catalog((temp.path() / "escape.json").string()); });
  EXPECT_TRUE(contains(message, "..")) << message;

  write_file(temp.path() / "broken.json", "{not json");
  message = error_of([&] { load_weights_catalog((temp.path() / "broken.json").string()); });
  EXPECT_TRUE(contains(message, "not valid JSON")) << message;
}

// A two-file test entry served by the range server: one pinned, one unpinned.
struct HubFixture {
  TempDir      temp;
  fs::path     hub         = temp.path() / "hub";
  fs::path     weights_dir = temp.path() / "weights";
  std::string  weights     = fixture_bytes(200000, 1);
  std::string  config      = "{\"n_layer\": 2}\n";
  WeightsEntry entry;

  HubFixture() {
    write_file(hub / "org/tiny/resolve/rev9/model.safetensors", weights);
    write_file(hub / "org/tiny/resolve/rev9/config.json", config);
    entry = {"tiny",
             "org/tiny",
             "rev9",
             {{"model.safetensors", sha256_bytes(weights), weights.size()},
              {"config.json", sha256_bytes(config), config.size()}},
             "test entry"};
  }
  fs::path cached(const std::string& file) const { return weights_dir / "tiny" / file; }
};

TEST(FetchWeights, DownloadsThenSkipsVerifiedFiles) {
  HubFixture  fixture;
  RangeServer server(fixture.hub, /*redirect=*/true);
  fetch_weights(fixture.entry, server.base_url(), fixture.weights_dir.string(), quiet_options());
  EXPECT_EQ(read_file(fixture.cached("model.safetensors")), fixture.weights);
  EXPECT_EQ(read_file(fixture.cached("config.json")), fixture.config);
  const size_t requests_after_first = server.requests().size();
  EXPECT_EQ(requests_after_first, 4u);  // two files, each redirected once

  ::testing::internal::CaptureStdout();
  fetch_weights(fixture.entry, server.base_url(), fixture.weights_dir.string(), quiet_options());
  const std::string output = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(contains(output, "model.safetensors: already present, verified")) << output;
  EXPECT_EQ(server.requests().size(), requests_after_first);  // no network the second time
  verify_weights(fixture.entry, fixture.weights_dir.string(), /*quiet=*/true);
}

TEST(FetchWeights, ReplacesACorruptedCachedFile) {
  HubFixture  fixture;
  RangeServer server(fixture.hub);
  write_file(fixture.cached("model.safetensors"), fixture_bytes(200000, 2));  // same size, wrong
  const std::string message =
      error_of([&] { verify_weights(fixture.entry, fixture.weights_dir.string(), true); });
  EXPECT_TRUE(contains(message, "model.safetensors: sha256")) << message;
  EXPECT_TRUE(contains(message, "config.json: missing")) << message;
  EXPECT_TRUE(contains(message, "fpt_fetch tiny")) << message;
  ::testing::internal::CaptureStdout();
  fetch_weights(fixture.entry, server.base_url(), fixture.weights_dir.string(), quiet_options());
  const std::string output = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(contains(output, "downloading it again")) << output;
  EXPECT_EQ(read_file(fixture.cached("model.safetensors")), fixture.weights);
}

TEST(FetchWeights, UnpinnedFilesNeedTrustAndThenGetRecorded) {
  HubFixture fixture;
  fixture.entry.files[1].sha256 = "";  // config.json unpinned
  fixture.entry.files[1].size   = 0;
  RangeServer       server(fixture.hub);
  const std::string message = error_of([&] {
    fetch_weights(fixture.entry, server.base_url(), fixture.weights_dir.string(), quiet_options());
  });
  EXPECT_TRUE(contains(message, "config.json")) << message;
  EXPECT_TRUE(contains(message, "--trust-unpinned")) << message;
  EXPECT_TRUE(server.requests().empty());  // refused before downloading anything
  EXPECT_FALSE(fs::exists(fixture.cached("model.safetensors")));

  ::testing::internal::CaptureStdout();
  fetch_weights(fixture.entry, server.base_url(), fixture.weights_dir.string(), quiet_options(),
                /*trust_unpinned=*/true);
  const std::string output     = ::testing::internal::GetCapturedStdout();
  const std::string config_sum = sha256_bytes(fixture.config);
  EXPECT_TRUE(contains(output, config_sum)) << output;
  const auto recorded =
      read_recorded_sums(recorded_sums_path(fixture.weights_dir.string(), "tiny"));
  ASSERT_EQ(recorded.count("config.json"), 1u);
  EXPECT_EQ(recorded.at("config.json"), config_sum);
  EXPECT_EQ(read_file(fixture.weights_dir / "tiny/SHA256SUMS"), config_sum + "  config.json\n");
  // The recorded sum now counts: verification passes without trust, and catches a change.
  verify_weights(fixture.entry, fixture.weights_dir.string(), true);
  write_file(fixture.cached("config.json"), "{\"n_layer\": 3}\n");
  EXPECT_TRUE(
      contains(error_of([&] { verify_weights(fixture.entry, fixture.weights_dir.string(), true); }),
               "config.json: sha256"));
}

TEST(FetchWeights, MissingRevisionIsA404NamingTheUrl) {
  HubFixture fixture;
  fixture.entry.revision = "no-such-revision";
  RangeServer       server(fixture.hub);
  const std::string message = error_of([&] {
    fetch_weights(fixture.entry, server.base_url(), fixture.weights_dir.string(), quiet_options());
  });
  EXPECT_TRUE(contains(message, "404")) << message;
  EXPECT_TRUE(contains(message, "/org/tiny/resolve/no-such-revision/model.safetensors")) << message;
}

}  // namespace
}  // namespace fpt::io
