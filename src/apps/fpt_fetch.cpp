// fpt_fetch: downloads named pretrained weights into the local cache and raw data sets into the
// data directory, resumable and verified against the sums pinned in src/fpt/io/weights_catalog.cpp
// and src/fpt/io/data_catalog.cpp (see docs/weights.md, docs/data.md).
//
//   build/fpt_fetch gpt2                      # -> ~/.cache/fpt/weights/gpt2/model.safetensors
//   build/fpt_fetch mnist cifar10             # -> data/mnist/*.gz,
//   data/cifar10/cifar-10-batches-bin/ build/fpt_fetch --list                    # both catalogues
//   and what is present build/fpt_fetch minilm mnist --verify-only    # check files, no network
//   build/fpt_fetch gpt2 --base-url http://mirror:8080    # or FPT_HUB_URL=...
//   build/fpt_fetch cifar10 --data-base-url http://mirror:8080/data   # or FPT_DATA_URL=...
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/io/data_catalog.h"
#include "fpt/io/data_paths.h"
#include "fpt/io/weights_catalog.h"

namespace {

std::string size_text(uint64_t size) {
  if (size >= 1000000) return fmt::format("{:.1f} MB", static_cast<double>(size) / 1e6);
  if (size > 0) return fmt::format("{} B", size);
  return "size ?";
}

std::string pin_text(const fpt::io::PinnedFile& file) {
  if (!file.sha256.empty()) return "pinned";
  return file.md5.empty() ? "UNPINNED" : "pinned (md5)";
}

void print_weights_catalog(const std::vector<fpt::io::WeightsEntry>& catalog,
                           const std::string&                        weights_dir) {
  fmt::print("weights directory: {}\n", weights_dir);
  for (const auto& entry : catalog) {
    fmt::print("\n{:<16} {}@{}\n", entry.name, entry.repository, entry.revision);
    if (!entry.description.empty()) fmt::print("{:<16} {}\n", "", entry.description);
    for (const auto& file : entry.files) {
      const std::string path = fpt::io::weights_file_path(weights_dir, entry.name, file.file_name);
      fmt::print("{:<16}   {:<20} {:>10}  {:<12}  {}\n", "", file.file_name, size_text(file.size),
                 pin_text(file), std::filesystem::exists(path) ? "cached" : "not cached");
    }
  }
}

void print_data_catalog(const std::vector<fpt::io::DataEntry>& catalog,
                        const std::string&                     data_dir) {
  fmt::print("\ndata directory: {}\n", data_dir);
  for (const auto& entry : catalog) {
    fmt::print("\n{:<16} {}\n", entry.name, entry.url);
    if (!entry.description.empty()) fmt::print("{:<16} {}\n", "", entry.description);
    const std::filesystem::path directory = fpt::io::data_entry_directory(data_dir, entry.name);
    for (const auto& file : entry.files) {
      std::string state =
          std::filesystem::exists(directory / file.download.file_name) ? "present" : "not present";
      if (!file.unpack.members.empty()) {
        const bool unpacked = std::filesystem::exists(
            fpt::io::unpacked_sums_path(data_dir, entry.name, file.download.file_name));
        state += unpacked ? ", unpacked" : ", not unpacked";
      }
      fmt::print("{:<16}   {:<28} {:>10}  {:<12}  {}\n", "", file.download.file_name,
                 size_text(file.download.size), pin_text(file.download), state);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App                 app{"fpt_fetch: download pinned pretrained weights and raw data sets"};
  std::vector<std::string> names;
  std::string              base_url;
  std::string              weights_dir;
  std::string              data_base_url;
  std::string              data_dir;
  std::string              catalog_path;
  bool                     list           = false;
  bool                     verify_only    = false;
  bool                     trust_unpinned = false;
  fpt::io::DownloadOptions options;
  app.add_option("names", names, "weights and data sets to fetch (see --list)");
  app.add_option(
      "--base-url", base_url,
      "hub to download weights from (default: $FPT_HUB_URL, else https://huggingface.co)");
  app.add_option("--weights-dir", weights_dir,
                 "cache directory (default: $FPT_WEIGHTS_DIR, else $XDG_CACHE_HOME/fpt/weights, "
                 "else ~/.cache/fpt/weights)");
  app.add_option("--data-base-url", data_base_url,
                 "mirror to download data sets from, as <URL>/<name>/<file> (default: "
                 "$FPT_DATA_URL, else each publisher's URL)");
  app.add_option(
      "--data-dir", data_dir,
      "where data sets go, one directory per name (default: $FPT_DATA_DIR, else ./data)");
  app.add_option("--catalog", catalog_path,
                 "use this JSON catalogue ({\"weights\": [...], \"data\": [...]}) instead of the "
                 "built-in ones (tests, private mirrors)");
  app.add_flag("--list", list, "print the catalogues and what is present, then exit");
  app.add_flag("--verify-only", verify_only, "check the files' sizes and sums; no network access");
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
    const std::vector<fpt::io::WeightsEntry> weights =
        catalog_path.empty() ? fpt::io::weights_catalog()
                             : fpt::io::load_weights_catalog(catalog_path);
    const std::vector<fpt::io::DataEntry> data =
        catalog_path.empty() ? fpt::io::data_catalog() : fpt::io::load_data_catalog(catalog_path);
    if (weights_dir.empty()) weights_dir = fpt::io::default_weights_dir();
    if (data_dir.empty()) data_dir = fpt::io::fpt_data_root().string();
    if (list) {
      print_weights_catalog(weights, weights_dir);
      print_data_catalog(data, data_dir);
      return 0;
    }
    if (names.empty()) fpt::fail("name at least one weights entry or data set; --list shows them");
    // Resolve every name first: a typo in the last one should not wait for a 6 GB download.
    std::vector<const fpt::io::WeightsEntry*> weights_entries;
    std::vector<const fpt::io::DataEntry*>    data_entries;
    for (const auto& name : names) {
      if (const auto* entry = fpt::io::find_data(name, data)) {
        data_entries.push_back(entry);
        continue;
      }
      try {
        weights_entries.push_back(&fpt::io::find_weights(name, weights));
      } catch (const fpt::Error& error) {
        fpt::fail("{}; data sets: {}", error.what(), fpt::io::data_names(data));
      }
    }
    for (const auto* entry : weights_entries) {
      if (verify_only) {
        fpt::io::verify_weights(*entry, weights_dir, options.quiet);
      } else {
        fpt::io::fetch_weights(*entry, base_url, weights_dir, options, trust_unpinned);
      }
    }
    for (const auto* entry : data_entries) {
      if (verify_only) {
        fpt::io::verify_data(*entry, data_dir, options.quiet);
      } else {
        fpt::io::fetch_data(*entry, data_base_url, data_dir, options, trust_unpinned);
      }
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "fpt_fetch: error: {}\n", error.what());
    return 1;
  }
}
