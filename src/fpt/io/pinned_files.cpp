#include "fpt/io/pinned_files.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"
#include "fpt/io/sha256.h"

namespace fpt::io {
namespace {

namespace fs = std::filesystem;

bool is_lowercase_hex(const std::string& text, size_t digits) {
  if (text.size() != digits) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool file_exists(const std::string& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

uint64_t file_size_of(const std::string& path) {
  std::error_code error;
  const auto      size = fs::file_size(path, error);
  return error ? 0 : static_cast<uint64_t>(size);
}

// The SHA-256 a file must have: the pinned one, else one recorded earlier (trusted, or computed
// after its MD5 matched).
std::string expected_sha256(const PinnedFile&                         file,
                            const std::map<std::string, std::string>& recorded) {
  if (!file.sha256.empty()) return file.sha256;
  const auto found = recorded.find(file.file_name);
  return found != recorded.end() ? found->second : std::string();
}

void record_sum(const std::string& sums_path, const std::string& file_name,
                const std::string& sum) {
  auto sums       = read_recorded_sums(sums_path);
  sums[file_name] = sum;
  std::string text;
  for (const auto& [name, hex] : sums) text += hex + "  " + name + "\n";
  write_text_atomically(sums_path, text);
}

// What a verified line says about the sums: "sha256 X" (and "md5 Y" where pinned by MD5).
std::string describe_sums(const PinnedFile& pin, const std::string& sha256) {
  if (pin.md5.empty()) return fmt::format("sha256 {}", sha256);
  return fmt::format("md5 {}, sha256 {}", pin.md5, sha256);
}

}  // namespace

std::map<std::string, std::string> read_recorded_sums(const std::string& path) {
  std::map<std::string, std::string> sums;
  std::ifstream                      input(path);
  if (!input) return sums;  // no file yet: nothing recorded
  std::string line;
  for (int line_number = 1; std::getline(input, line); ++line_number) {
    if (line.empty()) continue;
    // sha256sum format: 64 hex digits, two spaces (or space + '*' for binary mode), the name.
    if (line.size() < 67 || !is_lowercase_hex(line.substr(0, 64), 64) || line[64] != ' ') {
      fail("{}:{}: expected '<64 hex digits>  <file name>'; fix or delete the line", path,
           line_number);
    }
    sums[line.substr(66)] = line.substr(0, 64);
  }
  return sums;
}

std::string check_pinned_file(const std::string& path, const PinnedFile& pin,
                              const std::string& expected_sha256) {
  if (!file_exists(path)) return "missing";
  if (const uint64_t size = file_size_of(path); pin.size != 0 && size != pin.size) {
    return fmt::format("{} bytes, expected {}", size, pin.size);
  }
  const FileDigests found =
      pin.md5.empty() ? FileDigests{sha256_file(path), ""} : sha256_and_md5_file(path);
  if (!expected_sha256.empty() && found.sha256 != expected_sha256) {
    return fmt::format("sha256 {}, expected {}", found.sha256, expected_sha256);
  }
  if (!pin.md5.empty() && found.md5 != pin.md5) {
    return fmt::format("md5 {}, expected {}", found.md5, pin.md5);
  }
  return "";
}

void fetch_pinned_files(const std::string& name, const std::string& what,
                        const std::vector<FileToFetch>& files, const std::string& sums_path,
                        const DownloadOptions& options, bool trust_unpinned) {
  const auto recorded = read_recorded_sums(sums_path);

  // Refuse before any byte moves, so an unverifiable entry never half-lands in the cache.
  std::string unpinned;
  for (const auto& file : files) {
    if (!file.pin.pinned() && expected_sha256(file.pin, recorded).empty()) {
      unpinned += (unpinned.empty() ? "" : ", ") + file.pin.file_name;
    }
  }
  if (!unpinned.empty() && !trust_unpinned) {
    fail(
        "{}: no pinned SHA-256 for {}, so a download could not be verified. Pass "
        "--trust-unpinned to download anyway; the computed sums are then printed and recorded in "
        "{} and checked on every later fetch",
        what, unpinned, sums_path);
  }

  for (const auto& file : files) {
    const PinnedFile& pin      = file.pin;
    const std::string expected = expected_sha256(pin, recorded);
    // A file whose only check is an MD5 gets its SHA-256 recorded, so later checks use both.
    const bool record = expected.empty();
    if (file_exists(file.destination)) {
      if (!pin.pinned() && expected.empty()) {
        const std::string sum = sha256_file(file.destination);
        record_sum(sums_path, pin.file_name, sum);
        fmt::print("{} {}: already present, not pinned; trusted and recorded sha256 {} in {}\n",
                   name, pin.file_name, sum, sums_path);
        continue;
      }
      const std::string problem = check_pinned_file(file.destination, pin, expected);
      if (problem.empty()) {
        const std::string sum = expected.empty() ? sha256_file(file.destination) : expected;
        if (record) record_sum(sums_path, pin.file_name, sum);
        fmt::print("{} {}: already present, verified ({})\n", name, pin.file_name,
                   describe_sums(pin, sum));
        continue;
      }
      fmt::print("{} {}: present but {}; downloading it again\n", name, pin.file_name, problem);
      std::error_code error;
      fs::remove(file.destination, error);
    }
    const std::string sum =
        download_file(file.url, file.destination, expected, pin.size, options, pin.md5);
    if (record) record_sum(sums_path, pin.file_name, sum);
    if (!pin.pinned() && expected.empty()) {
      fmt::print("{} {}: downloaded, NOT pinned; computed sha256 {} recorded in {}\n", name,
                 pin.file_name, sum, sums_path);
    } else {
      fmt::print("{} {}: downloaded, verified ({})\n", name, pin.file_name,
                 describe_sums(pin, sum));
    }
  }
}

std::string verify_pinned_files(const std::string& name, const std::vector<FileToFetch>& files,
                                const std::string& sums_path, bool quiet) {
  const auto  recorded = read_recorded_sums(sums_path);
  std::string problems;
  for (const auto& file : files) {
    const std::string expected = expected_sha256(file.pin, recorded);
    std::string       problem;
    if (file_exists(file.destination) && !file.pin.pinned() && expected.empty()) {
      problem = fmt::format("no pinned sum and none recorded in {}", sums_path);
    } else {
      problem = check_pinned_file(file.destination, file.pin, expected);
    }
    if (problem.empty()) {
      if (!quiet) {
        fmt::print("{} {}: verified ({})\n", name, file.pin.file_name,
                   describe_sums(file.pin, expected.empty() ? "not recorded" : expected));
      }
    } else {
      problems += fmt::format("\n  {}: {}", file.destination, problem);
    }
  }
  return problems;
}

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool is_safe_relative_path(const std::string& text) {
  // "a//b" iterates as a, b but a prefix cut after "a/" leaves "/b", an absolute path.
  if (text.empty() || text.front() == '/' || text.find("//") != std::string::npos) return false;
  for (const auto& part : fs::path(text)) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

nlohmann::json read_json_file(const std::string& path, const std::string& what) {
  std::ifstream input(path);
  if (!input) fail("{}: cannot open the {}", path, what);
  try {
    return nlohmann::json::parse(input);
  } catch (const nlohmann::json::parse_error& error) {
    fail("{}: not valid JSON: {}", path, error.what());
  }
}

std::string string_field(const nlohmann::json& json, const char* key, const std::string& context,
                         bool required) {
  if (!json.contains(key)) {
    if (required) fail("{}: missing or empty string field '{}'", context, key);
    return "";
  }
  if (!json[key].is_string()) fail("{}: '{}' must be a string", context, key);
  std::string value = json[key].get<std::string>();
  if (required && value.empty()) fail("{}: missing or empty string field '{}'", context, key);
  return value;
}

std::string entry_name_field(const nlohmann::json& json, const std::string& context) {
  const std::string name = string_field(json, "name", context, true);
  if (!is_safe_relative_path(name) || name.find('/') != std::string::npos) {
    fail("{}: name '{}' must be a single path component", context, name);
  }
  return name;
}

const nlohmann::json& files_field(const nlohmann::json& json, const std::string& context,
                                  const std::string& name) {
  if (!json.contains("files") || !json["files"].is_array() || json["files"].empty()) {
    fail("{} ('{}'): 'files' must be a non-empty array", context, name);
  }
  return json["files"];
}

PinnedFile parse_pinned_file(const nlohmann::json& json, const std::string& context) {
  if (!json.is_object()) fail("{}: expected an object with file_name, sha256, size", context);
  PinnedFile file;
  file.file_name = string_field(json, "file_name", context, true);
  if (!is_safe_relative_path(file.file_name)) {
    fail("{}: file_name '{}' must be a relative path without '..'", context, file.file_name);
  }
  file.sha256 = string_field(json, "sha256", context, false);
  if (!file.sha256.empty() && !is_lowercase_hex(file.sha256, 64)) {
    fail("{}: sha256 '{}' is not 64 lowercase hex digits (use \"\" for an unpinned file)", context,
         file.sha256);
  }
  file.md5 = string_field(json, "md5", context, false);
  if (!file.md5.empty() && !is_lowercase_hex(file.md5, 32)) {
    fail("{}: md5 '{}' is not 32 lowercase hex digits", context, file.md5);
  }
  if (json.contains("size")) {
    if (!json["size"].is_number_unsigned()) {
      fail("{}: 'size' must be a non-negative integer (0 = unknown)", context);
    }
    file.size = json["size"].get<uint64_t>();
  }
  return file;
}

}  // namespace fpt::io
