#include "fpt/tasks/image_datasets.h"

#include <cstdio>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"
#include "fpt/io/data_paths.h"
#include "fpt/tasks/cifar10_reader.h"
#include "fpt/tasks/idx_reader.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

namespace {

struct IdxFile {
  const char* split;
  const char* kind;
};
constexpr IdxFile kIdxFiles[] = {{"train", "images-idx3"},
                                 {"train", "labels-idx1"},
                                 {"t10k", "images-idx3"},
                                 {"t10k", "labels-idx1"}};

// The four IDX files of `directory` that are absent (by their plain names).
std::vector<std::string> missing_idx_files(const fs::path& directory) {
  std::vector<std::string> missing;
  for (const IdxFile& file : kIdxFiles)
    if (find_idx_file(directory, file.split, file.kind).empty())
      missing.push_back(std::string(file.split) + "-" + file.kind + "-ubyte[.gz]");
  return missing;
}

std::vector<std::string> missing_cifar10_files(const fs::path& directory) {
  std::vector<std::string> missing;
  for (const char* split : {"train", "test"})
    for (const std::string& name : cifar10_batch_names(split)) {
      std::error_code error;
      if (!fs::is_regular_file(directory / name, error)) missing.push_back(name);
    }
  return missing;
}

// The first of `candidates` that holds all files (`missing` empty); a candidate holding only some
// is an error; none holding any: none.
template <typename Missing>
std::optional<fs::path> first_complete(const std::vector<fs::path>& candidates, size_t total,
                                       Missing missing_in, const std::string& dataset) {
  for (const fs::path& directory : candidates) {
    const std::vector<std::string> missing = missing_in(directory);
    if (missing.empty()) return directory;
    if (missing.size() < total)
      fail(
          "{}: {} files are incomplete here: missing {}; add them (or remove the directory's "
          "files to use another copy)",
          directory.string(), dataset, fmt::join(missing, ", "));
  }
  return std::nullopt;
}

[[noreturn]] void fail_not_found(const std::vector<fs::path>& candidates,
                                 const std::string& dataset, const std::string& how_to_get) {
  std::vector<std::string> searched;
  for (const fs::path& directory : candidates) searched.push_back(directory.string());
  fail("the {} data set was not found; searched {}. {}", dataset, fmt::join(searched, ", "),
       how_to_get);
}

std::vector<fs::path> mnist_candidates(const std::string& dataset) {
  if (dataset != "mnist" && dataset != "fashion-mnist")
    fail("mnist_dataset '{}' is not an IDX data set (mnist | fashion-mnist)", dataset);
  std::vector<fs::path> candidates = {io::dataset_directory(dataset)};
  if (dataset == "fashion-mnist") candidates.push_back(kDebianFashionMnistDirectory);
  return candidates;
}

std::vector<fs::path> cifar10_candidates() {
  const fs::path root = io::dataset_directory("cifar10");
  return {root, root / "cifar-10-batches-bin"};
}

}  // namespace

std::optional<fs::path> find_mnist_files(const std::string& dataset) {
  return first_complete(mnist_candidates(dataset), std::size(kIdxFiles), missing_idx_files,
                        dataset);
}

std::optional<fs::path> find_cifar10_files() {
  return first_complete(cifar10_candidates(), 6, missing_cifar10_files, "cifar10");
}

fs::path locate_mnist_files(const std::string& dataset) {
  if (auto directory = find_mnist_files(dataset)) return *directory;
  const std::vector<fs::path> candidates = mnist_candidates(dataset);
  if (dataset == "fashion-mnist")
    fail_not_found(candidates, dataset,
                   fmt::format("Install them with `apt-get install dataset-fashion-mnist`, or put "
                               "the four IDX files (train-images-idx3-ubyte.gz, ...) in {} "
                               "(FPT_DATA_DIR sets the data root)",
                               candidates.front().string()));
  fail_not_found(candidates, dataset,
                 fmt::format("Get the files with `build/fpt_fetch mnist`, or put "
                             "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                             "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in {} "
                             "(FPT_DATA_DIR sets the data root)",
                             candidates.front().string()));
}

fs::path locate_cifar10_files() {
  if (auto directory = find_cifar10_files()) return *directory;
  fail_not_found(cifar10_candidates(), "cifar10",
                 fmt::format("Get the files with `build/fpt_fetch cifar10`, or unpack the binary "
                             "release cifar-10-binary.tar.gz "
                             "(https://www.cs.toronto.edu/~kriz/cifar.html) into {} (FPT_DATA_DIR "
                             "sets the data root)",
                             cifar10_candidates().front().string()));
}

SplitFiles mnist_split_files(const fs::path& directory, const std::string& split) {
  const std::string release = split == "test" ? "t10k" : split;
  SplitFiles        files;
  for (const char* kind : {"images-idx3", "labels-idx1"}) {
    const fs::path file = find_idx_file(directory, release, kind);
    if (file.empty()) fail("{}: missing {}-{}-ubyte[.gz]", directory.string(), release, kind);
    files[file.filename().string()] = file;
  }
  return files;
}

SplitFiles cifar10_split_files(const fs::path& directory, const std::string& split) {
  SplitFiles files;
  for (const std::string& name : cifar10_batch_names(split)) files[name] = directory / name;
  return files;
}

ImageRelease read_mnist_release(const std::string& dataset) {
  ImageRelease release;
  release.directory = locate_mnist_files(dataset);
  const bool debian = release.directory == fs::path(kDebianFashionMnistDirectory);
  fmt::print(stderr, "{}: reading the IDX files in {}{}\n", dataset, release.directory.string(),
             debian ? " (Debian package dataset-fashion-mnist)" : "");
  release.train = read_idx_split(find_idx_file(release.directory, "train", "images-idx3"),
                                 find_idx_file(release.directory, "train", "labels-idx1"));
  release.test  = read_idx_split(find_idx_file(release.directory, "t10k", "images-idx3"),
                                 find_idx_file(release.directory, "t10k", "labels-idx1"));
  return release;
}

ImageRelease read_cifar10_release() {
  ImageRelease release;
  release.directory = locate_cifar10_files();
  fmt::print(stderr, "cifar10: reading the binary batches in {}\n", release.directory.string());
  release.train = read_cifar10_split(release.directory, "train");
  release.test  = read_cifar10_split(release.directory, "test");
  return release;
}

}  // namespace fpt::tasks
