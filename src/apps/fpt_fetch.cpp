// fpt_fetch: downloads named pretrained weights into the local cache, resumable and verified
// against the SHA-256 sums pinned in src/fpt/io/weights_catalog.cpp (see docs/weights.md).
//
//   build/fpt_fetch gpt2                      # -> ~/.cache/fpt/weights/gpt2/model.safetensors
//   build/fpt_fetch --list                    # the catalogue and what is cached
//   build/fpt_fetch minilm --verify-only      # check the cache, no network
//   build/fpt_fetch gpt2 --base-url http://mirror:8080    # or FPT_HUB_URL=...
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/io/weights_catalog.h"

namespace {

void print_catalog(const std::vector<fpt::io::WeightsEntry>& catalog,
                   const std::string&                        weights_dir) {
  fmt::print("weights directory: {}\n", weights_dir);
  for (const auto& entry : catalog) {
    fmt::print("\n{:<16} {}@{}\n", entry.name, entry.repository, entry.revision);
    if (!entry.description.empty()) fmt::print("{:<16} {}\n", "", entry.description);
    for (const auto& file : entry.files) {
      const std::string path = fpt::io::weights_file_path(weights_dir, entry.name, file.file_name);
      std::string       size = "size ?";
      if (file.size >= 1000000) {
        size = fmt::format("{:.1f} MB", static_cast<double>(file.size) / 1e6);
      } else if (file.size > 0) {
        size = fmt::format("{} B", file.size);
      }
      fmt::print("{:<16}   {:<20} {:>10}  {:<8}  {}\n", "", file.file_name, size,
                 file.sha256.empty() ? "UNPINNED" : "pinned",
                 std::filesystem::exists(path) ? "cached" : "not cached");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fpt_fetch: download pinned pretrained weights into the local cache"};
  std::vector<std::string> names;
  std::string              base_url;
  std::string              weights_dir;
  std::string              catalog_path;
  bool                     list           = false;
  bool                     verify_only    = false;
  bool                     trust_unpinned = false;
  fpt::io::DownloadOptions options;
  app.add_option("names", names, "weights to fetch (see --list)");
  app.add_option("--base-url", base_url,
                 "hub to download from (default: $FPT_HUB_URL, else https://huggingface.co)");
  app.add_option("--weights-dir", weights_dir,
                 "cache directory (default: $FPT_WEIGHTS_DIR, else $XDG_CACHE_HOME/fpt/weights, "
                 "else ~/.cache/fpt/weights)");
  app.add_option("--catalog", catalog_path,
                 "use this JSON catalogue instead of the built-in one (tests, private mirrors)");
  app.add_flag("--list", list, "print the catalogue and what is cached, then exit");
  app.add_flag("--verify-only", verify_only,
               "check the cached files' sizes and sums; no network access");
  app.add_flag("--trust-unpinned", trust_unpinned,
               "download files without a pinned sum and record their computed sums in SHA256SUMS");
  app.add_flag("--quiet", options.quiet, "no progress lines");
  app.add_option("--retries", options.retries, "further attempts after a dropped transfer")
      ->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 1;
  }

  try {
    const std::vector<fpt::io::WeightsEntry> catalog =
        catalog_path.empty() ? fpt::io::weights_catalog()
                             : fpt::io::load_weights_catalog(catalog_path);
    if (weights_dir.empty()) weights_dir = fpt::io::default_weights_dir();
    if (list) {
      print_catalog(catalog, weights_dir);
      return 0;
    }
    if (names.empty()) fpt::fail("name at least one weights entry to fetch; --list shows them");
    // Resolve every name first: a typo in the last one should not wait for a 6 GB download.
    std::vector<const fpt::io::WeightsEntry*> entries;
    for (const auto& name : names) entries.push_back(&fpt::io::find_weights(name, catalog));
    for (const auto* entry : entries) {
      if (verify_only) {
        fpt::io::verify_weights(*entry, weights_dir, options.quiet);
      } else {
        fpt::io::fetch_weights(*entry, base_url, weights_dir, options, trust_unpinned);
      }
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "fpt_fetch: error: {}\n", error.what());
    return 1;
  }
}
