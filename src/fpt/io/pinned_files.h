// What the weights and data catalogues share: a file with its pinned SHA-256 / MD5 and size; the
// sha256sum-format SHA256SUMS file that records the sums of files a user chose to trust;
// fetch_pinned_files / verify_pinned_files, which download a list of files into place (skipping
// verified ones, refusing unpinned ones unless trusted) and check them without network; and the
// JSON and path helpers both catalogue readers use.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fpt/io/http_download.h"

namespace fpt::io {

struct PinnedFile {
  std::string file_name;  // path on the server below the entry's URL, e.g. "model.safetensors"
  std::string sha256;     // lowercase hex; "" = no trustworthy SHA-256 known
  uint64_t    size = 0;   // bytes; 0 = unknown
  std::string md5  = {};  // lowercase hex; "" = none (older data sets publish only an MD5)

  bool pinned() const { return !sha256.empty() || !md5.empty(); }
};

// One file to fetch: what it must be, where it comes from, where it goes.
struct FileToFetch {
  PinnedFile  pin;
  std::string url;
  std::string destination;
};

// sha256sum format ("<hex>  <file_name>" per line): file_name → hex. A missing file reads as empty.
std::map<std::string, std::string> read_recorded_sums(const std::string& path);

// Downloads every file not already in place with the right size and sums ("<name> <file>: already
// present, verified"). `what` names the entry in errors ("weights 'gpt2' (org/gpt2@rev)"). A file
// with neither a pinned sum nor one recorded in `sums_path` is refused before anything is
// downloaded unless `trust_unpinned`; then its computed SHA-256 is printed and recorded there.
// A file pinned only by MD5 gets its SHA-256 recorded there once the MD5 matched.
void fetch_pinned_files(const std::string& name, const std::string& what,
                        const std::vector<FileToFetch>& files, const std::string& sums_path,
                        const DownloadOptions& options, bool trust_unpinned);

// Checks, without network, that every file is in place with its pinned (or recorded) size and
// sums; prints "<name> <file>: verified" per good file unless quiet. Returns the problems, one
// "\n  <path>: <what is wrong>" each ("" when all is well).
std::string verify_pinned_files(const std::string& name, const std::vector<FileToFetch>& files,
                                const std::string& sums_path, bool quiet);

// "" when the file at `path` has the pin's size and sums (`expected_sha256` standing in for the
// pin's SHA-256, so a recorded sum counts); otherwise what is wrong ("sha256 X, expected Y").
std::string check_pinned_file(const std::string& path, const PinnedFile& pin,
                              const std::string& expected_sha256);

// --- helpers for the catalogue readers ------------------------------------------------------

// $name, or "" when unset.
std::string environment(const char* name);

std::string strip_trailing_slashes(std::string url);

// A name or file name that becomes part of a local path: relative, no "." or ".." parts, not empty.
bool is_safe_relative_path(const std::string& text);

// Parses the JSON file at `path`; `what` names it in errors ("weights catalogue").
nlohmann::json read_json_file(const std::string& path, const std::string& what);

// A catalogue entry's "name": a single safe path component (it names a directory).
std::string entry_name_field(const nlohmann::json& json, const std::string& context);

// A catalogue entry's "files": a non-empty array (errors name the entry `name`).
const nlohmann::json& files_field(const nlohmann::json& json, const std::string& context,
                                  const std::string& name);

// {"file_name", "sha256", "md5", "size"}: every field checked, errors prefixed with `context`.
PinnedFile parse_pinned_file(const nlohmann::json& json, const std::string& context);

// json[key] as a string: "" when absent; throws naming `context` when present but not a string,
// or when empty and `required`.
std::string string_field(const nlohmann::json& json, const char* key, const std::string& context,
                         bool required);

}  // namespace fpt::io
