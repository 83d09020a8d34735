#include "fpt/tasks/cifar10_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"
#include "fpt/tasks/gzip_file.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

std::vector<std::string> cifar10_batch_names(const std::string& split) {
  if (split == "train")
    return {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
            "data_batch_5.bin"};
  if (split == "test") return {"test_batch.bin"};
  fail("CIFAR-10 has no split '{}' (train | test)", split);
}

ExampleArrays read_cifar10_batches(const std::vector<fs::path>& files) {
  std::vector<torch::Tensor> records;  // per file (n, 3073) uint8
  ExampleArrays              split;
  for (const fs::path& path : files) {
    const ReleaseFile  file  = read_release_file(path);  // read once: contents and checksum
    const std::string& bytes = file.contents;
    const int64_t      size  = static_cast<int64_t>(bytes.size());
    if (size == 0) fail("{}: the CIFAR-10 batch file is empty", path.string());
    if (size % kCifar10RecordBytes != 0)
      fail(
          "{}: size {} bytes is not a multiple of the {}-byte CIFAR-10 record (truncated or not "
          "the binary release?)",
          path.string(), size, kCifar10RecordBytes);
    const int64_t count        = size / kCifar10RecordBytes;
    torch::Tensor file_records = torch::from_blob(const_cast<char*>(bytes.data()),
                                                  {count, kCifar10RecordBytes}, torch::kUInt8)
                                     .clone();
    const auto* raw = file_records.data_ptr<uint8_t>();
    for (int64_t i = 0; i < count; ++i)
      if (raw[i * kCifar10RecordBytes] > 9)
        fail("{}: record {} has label {}, outside 0..9; the file is corrupt", path.string(), i,
             static_cast<int>(raw[i * kCifar10RecordBytes]));
    records.push_back(std::move(file_records));
    split.sources[path.filename().string()] = file.sha256;
  }
  if (records.empty()) fail("CIFAR-10: no batch files given");
  const torch::Tensor all = torch::cat(records, 0);  // (N, 3073)
  split.labels            = all.select(1, 0).to(torch::kLong);
  // (N, 3, 32, 32) channel planes → (N, 32, 32, 3) HWC, as the other image readers store them
  split.values =
      all.slice(1, 1).view({-1, 3, kCifar10Side, kCifar10Side}).permute({0, 2, 3, 1}).contiguous();
  return split;
}

ExampleArrays read_cifar10_split(const fs::path& directory, const std::string& split) {
  std::vector<fs::path>    files;
  std::vector<std::string> missing;
  for (const std::string& name : cifar10_batch_names(split)) {
    files.push_back(directory / name);
    std::error_code error;
    if (!fs::is_regular_file(files.back(), error)) missing.push_back(name);
  }
  if (!missing.empty())
    fail(
        "{}: missing CIFAR-10 {} batch file(s) {} (the binary release cifar-10-binary.tar.gz, "
        "unpacked)",
        directory.string(), split, fmt::join(missing, ", "));
  return read_cifar10_batches(files);
}

}  // namespace fpt::tasks
