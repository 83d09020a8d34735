#include "fpt/io/data_catalog.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"
#include "fpt/io/sha256.h"

namespace fpt::io {
namespace {

namespace fs = std::filesystem;

// Every pinned number below was found in public sources (docs/data.md lists them) and is never
// invented; a file whose sum no source gives is unpinned ("") and refused unless the user passes
// --trust-unpinned, which records the computed sum.
std::vector<DataEntry> build_catalog() {
  // MNIST at PyTorch's mirror (yann.lecun.com, the original host, often refuses downloads). MD5:
  // torchvision/datasets/mnist.py. SHA-256 and sizes: the same four numbers in many independent
  // repositories' download scripts and manifests (several name this mirror or TensorFlow's
  // cvdf-datasets mirror; one pins each file's size, SHA-256 and torchvision's MD5 together).
  DataEntry mnist{"mnist",
                  "https://ossci-datasets.s3.amazonaws.com/mnist",
                  {{{"train-images-idx3-ubyte.gz",
                     "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422,
                     "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
                    {}},
                   {{"train-labels-idx1-ubyte.gz",
                     "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881,
                     "d53e105ee54ea40749a09fcbcd1e9432"},
                    {}},
                   {{"t10k-images-idx3-ubyte.gz",
                     "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877,
                     "9fb629c4189551a2d022fa330f9573f3"},
                    {}},
                   {{"t10k-labels-idx1-ubyte.gz",
                     "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542,
                     "ec29112dd5afa0611ce80d1b7f02629c"},
                    {}}},
                  "MNIST handwritten digits, IDX files (60,000 train / 10,000 test)"};
  // Fashion-MNIST at Zalando's bucket. Only MD5s are published (torchvision's mnist.py, the same
  // as the Fashion-MNIST README); the SHA-256 is recorded on the first verified download. Debian's
  // dataset-fashion-mnist files are recompressed (other gzip headers), so they do not match these.
  DataEntry fashion{
      "fashion-mnist",
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com",
      {{{"train-images-idx3-ubyte.gz", "", 0, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"}, {}},
       {{"train-labels-idx1-ubyte.gz", "", 0, "25c81989df183df01b3e8a0aad5dffbe"}, {}},
       {{"t10k-images-idx3-ubyte.gz", "", 0, "bef4ecab320f06d8554ea6380940ec79"}, {}},
       {{"t10k-labels-idx1-ubyte.gz", "", 0, "bb300cfdad3c16e7a12a480ee83cd310"}, {}}},
      "Fashion-MNIST (Zalando), IDX files in MNIST's format"};
  // CIFAR-10 binary release. MD5: the table on the CIFAR page (www.cs.toronto.edu/~kriz/cifar.html,
  // quoted in several repositories). SHA-256 and size: pinned by independent loaders (a Julia data
  // package, a Go ML library's downloader, dataset manifests that also give the same MD5).
  DataEntry cifar10{
      "cifar10",
      "https://www.cs.toronto.edu/~kriz",
      {{{"cifar-10-binary.tar.gz",
         "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", 170052171,
         "c32a1d4ab5d03f1284b67883e8d87530"},
        {{"cifar-10-batches-bin/"}, ""}}},
      "CIFAR-10 binary release: cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin"};
  // The Long Range Arena release (a multi-GB tar.gz despite its ".gz" name); only ListOps' three
  // TSV files are unpacked. No public source gives its sum: unpinned.
  DataEntry listops{
      "listops",
      "https://storage.googleapis.com/long-range-arena",
      {{{"lra_release.gz", "", 0, ""},
        {{"lra_release/listops-1000/basic_train.tsv", "lra_release/listops-1000/basic_val.tsv",
          "lra_release/listops-1000/basic_test.tsv"},
         "lra_release/listops-1000/"}}},
      "LRA ListOps: basic_{train,val,test}.tsv from the Long Range Arena release (a multi-GB "
      "download)"};
  // TAPE's remote homology task in LMDB form (TAPE's README and download_data.sh:
  // proteindata/data_pytorch). No public source gives its sum: unpinned.
  DataEntry homology{
      "remote-homology",
      "http://s3.amazonaws.com/proteindata/data_pytorch",
      {{{"remote_homology.tar.gz", "", 0, ""}, {{"remote_homology/"}, ""}}},
      "TAPE remote homology (SCOPe folds): remote_homology/remote_homology_<split>.lmdb"};
  return {mnist, fashion, cifar10, listops, homology};
}

bool is_archive(const DataFile& file) {
  return !file.unpack.members.empty();
}

std::vector<FileToFetch> files_to_fetch(const DataEntry& entry, const std::string& base_url,
                                        const std::string& data_dir) {
  std::vector<FileToFetch> files;
  for (const auto& file : entry.files) {
    files.push_back(
        {file.download, data_file_url(base_url, entry, file.download),
         (fs::path(data_entry_directory(data_dir, entry.name)) / file.download.file_name)
             .string()});
  }
  return files;
}

// Problems with what an archive's unpacking left behind ("" = complete and unchanged).
std::string check_unpacked(const std::string& directory, const std::string& sums_path) {
  std::error_code error;
  if (!fs::is_regular_file(sums_path, error)) {
    return fmt::format("\n  {}: missing (the archive was never fully unpacked)", sums_path);
  }
  std::string problems;
  for (const auto& [relative, expected] : read_recorded_sums(sums_path)) {
    const std::string path = (fs::path(directory) / relative).string();
    if (!fs::is_regular_file(path, error)) {
      problems += fmt::format("\n  {}: missing", path);
    } else if (const std::string sum = sha256_file(path); sum != expected) {
      problems += fmt::format("\n  {}: sha256 {}, expected {} (recorded when unpacked)", path, sum,
                              expected);
    }
  }
  return problems;
}

void unpack(const DataEntry& entry, const DataFile& file, const std::string& data_dir) {
  const std::string directory = data_entry_directory(data_dir, entry.name);
  const std::string archive   = (fs::path(directory) / file.download.file_name).string();
  const std::string sums_path = unpacked_sums_path(data_dir, entry.name, file.download.file_name);
  if (check_unpacked(directory, sums_path).empty()) {
    fmt::print("{} {}: already unpacked, verified\n", entry.name, file.download.file_name);
    return;
  }
  std::error_code error;
  fs::remove(sums_path, error);  // from here until the new one is written, unpacking is incomplete
  const auto  sums = extract_members(archive, file.unpack, directory);
  std::string text;
  for (const auto& [relative, sum] : sums) text += sum + "  " + relative + "\n";
  write_text_atomically(sums_path, text);
  fmt::print("{} {}: unpacked {} file(s) into {}\n", entry.name, file.download.file_name,
             sums.size(), directory);
}

std::vector<std::string> parse_members(const nlohmann::json& json, const std::string& context) {
  if (!json.is_array()) fail("{}: 'unpack' must be an array of member paths", context);
  std::vector<std::string> members;
  for (const auto& member : json) {
    if (!member.is_string()) fail("{}: 'unpack' must hold strings", context);
    std::string path = member.get<std::string>();
    std::string bare = path;
    if (!bare.empty() && bare.back() == '/') bare.pop_back();
    if (!is_safe_relative_path(bare)) {
      fail("{}: unpack member '{}' must be a relative path without '..'", context, path);
    }
    members.push_back(path);
  }
  return members;
}

DataEntry parse_entry(const nlohmann::json& json, const std::string& context) {
  if (!json.is_object()) fail("{}: expected an object", context);
  DataEntry entry;
  entry.name        = entry_name_field(json, context);
  entry.url         = strip_trailing_slashes(string_field(json, "url", context, true));
  entry.description = string_field(json, "description", context, false);
  const auto& files = files_field(json, context, entry.name);
  for (size_t i = 0; i < files.size(); ++i) {
    const auto&       item         = files[i];
    const std::string file_context = fmt::format("{} ('{}'), files[{}]", context, entry.name, i);
    DataFile          file;
    file.download = parse_pinned_file(item, file_context);
    if (item.contains("unpack")) file.unpack.members = parse_members(item["unpack"], file_context);
    file.unpack.strip_prefix  = string_field(item, "strip_prefix", file_context, false);
    const std::string& prefix = file.unpack.strip_prefix;
    if (!prefix.empty() && (prefix.back() != '/' || !is_safe_relative_path(prefix)))
      fail(
          "{}: \"strip_prefix\" '{}' must be a relative directory ending in '/', e.g. "
          "\"lra_release/listops-1000/\"",
          file_context, prefix);
    entry.files.push_back(file);
  }
  return entry;
}

}  // namespace

const std::vector<DataEntry>& data_catalog() {
  static const std::vector<DataEntry> catalog = build_catalog();
  return catalog;
}

const DataEntry* find_data(const std::string& name, const std::vector<DataEntry>& catalog) {
  for (const auto& entry : catalog) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::string data_names(const std::vector<DataEntry>& catalog) {
  std::string names;
  for (const auto& entry : catalog) names += (names.empty() ? "" : ", ") + entry.name;
  return names;
}

std::vector<DataEntry> load_data_catalog(const std::string& json_path) {
  const nlohmann::json json = read_json_file(json_path, "data catalogue");
  if (!json.is_object() || !json.contains("data")) return {};
  const nlohmann::json& entries = json["data"];
  if (!entries.is_array()) fail("{}: 'data' must be an array of data set entries", json_path);
  std::vector<DataEntry> catalog;
  for (size_t i = 0; i < entries.size(); ++i) {
    catalog.push_back(parse_entry(entries[i], fmt::format("{}: data[{}]", json_path, i)));
    if (find_data(catalog.back().name, catalog) != &catalog.back()) {
      fail("{}: data[{}]: name '{}' appears twice", json_path, i, catalog.back().name);
    }
  }
  return catalog;
}

std::string default_data_url() {
  return strip_trailing_slashes(environment("FPT_DATA_URL"));
}

std::string data_file_url(const std::string& base_url, const DataEntry& entry,
                          const PinnedFile& file) {
  if (base_url.empty()) return fmt::format("{}/{}", entry.url, file.file_name);
  return fmt::format("{}/{}/{}", strip_trailing_slashes(base_url), entry.name, file.file_name);
}

std::string data_entry_directory(const std::string& data_dir, const std::string& name) {
  return (fs::path(data_dir) / name).string();
}

std::string unpacked_sums_path(const std::string& data_dir, const std::string& name,
                               const std::string& archive_file_name) {
  return (fs::path(data_entry_directory(data_dir, name)) /
          (archive_file_name + ".unpacked.SHA256SUMS"))
      .string();
}

void fetch_data(const DataEntry& entry, const std::string& base_url, const std::string& data_dir,
                DownloadOptions options, bool trust_unpinned) {
  const std::string mirror    = base_url.empty() ? default_data_url() : base_url;
  const std::string directory = data_entry_directory(data_dir, entry.name);
  options.mirror_hint         = "--data-base-url URL or the FPT_DATA_URL environment variable";
  try {
    fetch_pinned_files(entry.name, fmt::format("data set '{}'", entry.name),
                       files_to_fetch(entry, mirror, data_dir),
                       (fs::path(directory) / "SHA256SUMS").string(), options, trust_unpinned);
  } catch (const Error& error) {
    fail("{}\nFiles copied into {} by hand are checked (and unpacked) by `fpt_fetch {}`.",
         error.what(), directory, entry.name);
  }
  for (const auto& file : entry.files) {
    if (is_archive(file)) unpack(entry, file, data_dir);
  }
}

void verify_data(const DataEntry& entry, const std::string& data_dir, bool quiet) {
  const std::string directory = data_entry_directory(data_dir, entry.name);
  // The URLs are never used here: verification reads only the data directory.
  std::string problems = verify_pinned_files(entry.name, files_to_fetch(entry, "", data_dir),
                                             (fs::path(directory) / "SHA256SUMS").string(), quiet);
  for (const auto& file : entry.files) {
    if (!is_archive(file)) continue;
    const std::string unpacked = check_unpacked(
        directory, unpacked_sums_path(data_dir, entry.name, file.download.file_name));
    problems += unpacked;
    if (unpacked.empty() && !quiet) {
      fmt::print("{} {}: unpacked files verified\n", entry.name, file.download.file_name);
    }
  }
  if (!problems.empty()) {
    std::string urls;
    for (const auto& file : entry.files) {
      urls += "\n  " + data_file_url("", entry, file.download);
    }
    fail(
        "data set '{}' failed verification in {}:{}\nRun `fpt_fetch {}` to download (and unpack) "
        "it, or copy these files by hand into {} and run `fpt_fetch {}`:{}",
        entry.name, directory, problems, entry.name, directory, entry.name, urls);
  }
}

}  // namespace fpt::io
