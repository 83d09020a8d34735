#include "fpt/io/data_paths.h"

#include <cstdlib>

namespace fpt::io {
namespace {

std::filesystem::path from_environment(const char* variable, const char* fallback) {
  const char* configured = std::getenv(variable);
  if (configured != nullptr && configured[0] != '\0') return std::filesystem::path(configured);
  return std::filesystem::current_path() / fallback;
}

}  // namespace

std::filesystem::path fpt_data_root() {
  return from_environment("FPT_DATA_DIR", "data");
}

std::filesystem::path dataset_directory(const std::string& dataset) {
  return fpt_data_root() / dataset;
}

std::filesystem::path shards_root() {
  return from_environment("FPT_SHARDS_DIR", "data_shards");
}

std::filesystem::path shard_directory(const std::string& dataset) {
  return shards_root() / dataset;
}

}  // namespace fpt::io
