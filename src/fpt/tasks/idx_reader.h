// The IDX format of MNIST and Fashion-MNIST (plain or gzip): an images file (magic 0x00000803,
// then big-endian uint32 N, rows, cols, then N*rows*cols pixel bytes row-major) and a labels file
// (magic 0x00000801, big-endian N, then N label bytes 0..9). The release names the files
// {train,t10k}-{images-idx3,labels-idx1}-ubyte, each optionally with .gz.
#pragma once

#include <filesystem>
#include <string>

#include "fpt/tasks/example_arrays.h"

namespace fpt::tasks {

constexpr uint32_t kIdxImagesMagic = 0x00000803;  // unsigned byte data, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801;  // unsigned byte data, 1 dimension

// One split from its two files: values (N, rows, cols, 1) uint8, labels (N) int64, sources
// {file name -> SHA-256 of the file as stored}. Fails naming the file on a wrong magic number, a
// truncated or over-long file, a label outside 0..9, differing counts, a corrupt gzip stream or
// an empty split.
ExampleArrays read_idx_split(const std::filesystem::path& images_file,
                             const std::filesystem::path& labels_file);

// The release's file for `split` ("train" | "t10k") and `kind` ("images-idx3" | "labels-idx1")
// in `directory`: the plain file if present, else the .gz one, else "" (none).
std::filesystem::path find_idx_file(const std::filesystem::path& directory,
                                    const std::string& split, const std::string& kind);

}  // namespace fpt::tasks
