// Where fpt looks for data: raw release files under ${FPT_DATA_DIR:-<current dir>/data}/<data set>/
// (what fpt_fetch downloads into and what a user unpacks by hand) and prepared HDF5 shards under
// ${FPT_SHARDS_DIR:-<current dir>/data_shards}/<data set>/ (what fpt_prepare writes). Locations are
// machine settings, never part of an experiment's spec or id.
#pragma once

#include <filesystem>
#include <string>

namespace fpt::io {

// ${FPT_DATA_DIR} if set and not empty, else <current dir>/data.
std::filesystem::path fpt_data_root();
// fpt_data_root() / dataset, e.g. data/fashion-mnist.
std::filesystem::path dataset_directory(const std::string& dataset);

// ${FPT_SHARDS_DIR} if set and not empty, else <current dir>/data_shards.
std::filesystem::path shards_root();
// shards_root() / dataset, e.g. data_shards/cifar10.
std::filesystem::path shard_directory(const std::string& dataset);

}  // namespace fpt::io
