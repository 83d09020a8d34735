// Where the image data sets' release files are found, and reading both splits of one:
//
//   mnist          ${FPT_DATA_DIR:-./data}/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
//   fashion-mnist  ${FPT_DATA_DIR:-./data}/fashion-mnist/ (same names), else the Debian package
//                  dataset-fashion-mnist's /usr/share/datasets/fashion-mnist/
//   cifar10        ${FPT_DATA_DIR:-./data}/cifar10/ or its cifar-10-batches-bin/ subdirectory:
//                  data_batch_{1..5}.bin, test_batch.bin
//
// A directory with only some of the files is an error (never a silent fall-back to another copy);
// a data set found nowhere is an error listing the places searched and how to get the files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "fpt/tasks/example_arrays.h"
#include "fpt/tasks/shards_or_raw.h"

namespace fpt::tasks {

// Where Debian's dataset-fashion-mnist package installs the gzipped IDX files.
inline const char* const kDebianFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

struct ImageRelease {
  ExampleArrays         train;
  ExampleArrays         test;
  std::filesystem::path directory;  // where the files were read from
};

// Image shards (fpt_prepare mnist | fashion-mnist | cifar10) store the release's bytes: uint8
// (N, H, W, C); tasks tokenise them.
inline constexpr const char* kImagePixelsEncoding = "uint8-hwc-pixels-v1";

// The directory holding the four IDX files of `dataset` ("mnist" | "fashion-mnist"); none when no
// place holds any of them (a place holding only some is an error).
std::optional<std::filesystem::path> find_mnist_files(const std::string& dataset);
// The directory holding the six CIFAR-10 batch files; none / error as find_mnist_files.
std::optional<std::filesystem::path> find_cifar10_files();
// As the find_ functions, but a data set found nowhere is an error listing the places searched.
std::filesystem::path locate_mnist_files(const std::string& dataset);
std::filesystem::path locate_cifar10_files();

// The release files of shard split `split` ("train" | "test") in `directory`, named as the
// readers record them in ExampleArrays::sources.
SplitFiles mnist_split_files(const std::filesystem::path& directory, const std::string& split);
SplitFiles cifar10_split_files(const std::filesystem::path& directory, const std::string& split);

// Both splits of MNIST / Fashion-MNIST (train 60,000, test = t10k 10,000), with a line on stderr
// saying where they are read from.
ImageRelease read_mnist_release(const std::string& dataset);
// Both splits of CIFAR-10 (train 50,000, test 10,000), with a line on stderr saying where they are
// read from.
ImageRelease read_cifar10_release();

}  // namespace fpt::tasks
