// The pinned catalogue of pretrained weights fpt can fetch (name → Hugging Face repository,
// revision, files with SHA-256 and size), where fetched files live in the local cache, and
// fetch_weights / verify_weights, which fill and check that cache. URLs follow the Hugging Face hub
// layout <base_url>/<repository>/resolve/<revision>/<file_name>, so any mirror with that layout
// (or a local test server) can stand in for https://huggingface.co.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fpt/io/http_download.h"
#include "fpt/io/pinned_files.h"

namespace fpt::io {

struct WeightsEntry {
  std::string             name;        // the name users type: "gpt2", "minilm", ...
  std::string             repository;  // hub repository, e.g. "openai-community/gpt2"
  std::string             revision;    // commit hash (or "main" where none could be pinned)
  std::vector<PinnedFile> files;
  std::string             description;
};

// The built-in catalogue (weights_catalog.cpp records where every pinned number came from).
const std::vector<WeightsEntry>& weights_catalog();

// The entry called `name`; throws fpt::Error listing the valid names otherwise.
const WeightsEntry& find_weights(const std::string& name);
const WeightsEntry& find_weights(const std::string& name, const std::vector<WeightsEntry>& catalog);

// Reads a catalogue from JSON: {"weights": [{"name", "repository", "revision", "description",
// "files": [{"file_name", "sha256", "size"}]}]} (a bare array of entries also works). Every
// field is checked; errors name the file and the entry. An object with only a "data" list (see
// data_catalog.h) holds no weights: the result is empty.
std::vector<WeightsEntry> load_weights_catalog(const std::string& json_path);

// $FPT_WEIGHTS_DIR, else $XDG_CACHE_HOME/fpt/weights, else $HOME/.cache/fpt/weights.
std::string default_weights_dir();

// The hub to download from when no --base-url is given: $FPT_HUB_URL, else https://huggingface.co.
std::string default_hub_url();

// <weights_dir>/<name>/<file_name>: where fpt looks for (and fetch_weights puts) a file.
std::string weights_file_path(const std::string& weights_dir, const std::string& name,
                              const std::string& file_name);

// <base_url>/<repository>/resolve/<revision>/<file_name>.
std::string weights_file_url(const std::string& base_url, const WeightsEntry& entry,
                             const PinnedFile& file);

// <weights_dir>/<name>/SHA256SUMS: sums computed for unpinned files the user chose to trust
// (sha256sum format, "<hex>  <file_name>" per line; read_recorded_sums reads it).
std::string recorded_sums_path(const std::string& weights_dir, const std::string& name);

// Downloads every file of the entry into <weights_dir>/<name>/, skipping files already present
// with the right size and sum ("already present, verified"). `base_url` "" means
// default_hub_url(). Files without a pinned sum (and none recorded in SHA256SUMS) are refused
// before anything is downloaded unless `trust_unpinned`; then their computed sums are printed and
// recorded in SHA256SUMS. Throws fpt::Error on any failure.
void fetch_weights(const std::string& name, const std::string& base_url,
                   const std::string& weights_dir, const DownloadOptions& options,
                   bool trust_unpinned = false);
void fetch_weights(const WeightsEntry& entry, const std::string& base_url,
                   const std::string& weights_dir, const DownloadOptions& options,
                   bool trust_unpinned = false);

// Checks, without any network access, that every file of the entry is in the cache with its
// pinned (or recorded) size and sum; prints one line per file unless quiet. Throws fpt::Error
// listing every missing or mismatching file and how to get it.
void verify_weights(const WeightsEntry& entry, const std::string& weights_dir, bool quiet = false);

}  // namespace fpt::io
