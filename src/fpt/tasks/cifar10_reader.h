// The CIFAR-10 binary release (cifar-10-binary.tar.gz → cifar-10-batches-bin/): data_batch_1.bin …
// data_batch_5.bin (train, 10,000 images each) and test_batch.bin. Each record is 1 label byte
// (0..9) then 3072 pixel bytes: the red, green and blue planes of the 32×32 image, each row-major.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fpt/tasks/example_arrays.h"

namespace fpt::tasks {

constexpr int64_t kCifar10Side        = 32;
constexpr int64_t kCifar10RecordBytes = 1 + 3 * kCifar10Side * kCifar10Side;  // 3073

// The files of a split, in order: "train" → data_batch_1.bin … data_batch_5.bin, "test" →
// test_batch.bin.
std::vector<std::string> cifar10_batch_names(const std::string& split);

// The batch files concatenated: values (N, 32, 32, 3) uint8 HWC, labels (N) int64, sources
// {file name -> SHA-256}. Fails naming the file on a missing file, a size that is not a multiple
// of 3073 bytes, a label above 9, or an empty split.
ExampleArrays read_cifar10_batches(const std::vector<std::filesystem::path>& files);

// read_cifar10_batches of the split's files in `directory`; fails listing every missing file.
ExampleArrays read_cifar10_split(const std::filesystem::path& directory, const std::string& split);

}  // namespace fpt::tasks
