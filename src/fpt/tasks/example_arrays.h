// ExampleArrays: one split of a data set in memory, exactly as stored — uint8 pixels, int16 token
// ids, int64 labels — before any tokenisation into model inputs. The release-format readers
// (IDX, CIFAR-10 binary, TAPE, LRA TSV) produce it, data shards store and load it, and the tasks
// batch from it, so reading shards and reading raw files give the same batches by construction.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>

namespace fpt::tasks {

struct ExampleArrays {
  // Fixed-size examples (images): (N, H, W, C) uint8, offsets undefined.
  // Variable-length examples (token sequences): (total tokens) int16, example i is
  // values[offsets[i] : offsets[i + 1]], offsets (N + 1) int64 starting at 0.
  torch::Tensor values;
  torch::Tensor offsets;
  torch::Tensor labels;  // (N) int64

  // Release files this split was read from: file name -> SHA-256 hex ("" where not computed).
  std::map<std::string, std::string> sources;

  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
  bool    variable_length() const { return offsets.defined(); }
};

}  // namespace fpt::tasks
