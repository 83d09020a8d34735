#include "fpt/sweep/grid_cost.h"

#include <string>

#include "fpt/core/error.h"

namespace fpt::sweep {
namespace {

int64_t or_default(int64_t value, int64_t fallback) {
  return value > 0 ? value : fallback;
}

int64_t ceil_divide(int64_t numerator, int64_t denominator) {
  return (numerator + denominator - 1) / denominator;
}

struct BodyShape {
  const char* name;
  int64_t     n_layer;
  int64_t     d_model;
};

// Every body of names.h (depth, width); the test sizes too. An LSTM layer (8 d² per token) is
// counted like a transformer block (12 d²): close enough to order a queue.
constexpr BodyShape kBodyShapes[] = {
    {"gpt2", 12, 768},     {"gpt2-medium", 24, 1024}, {"gpt2-large", 36, 1280},
    {"gpt2-xl", 48, 1600}, {"gpt2-mini", 6, 256},     {"gpt2-tiny", 3, 128},
    {"vit-base", 12, 768}, {"vit-tiny", 3, 128},      {"bert-base", 12, 768},
    {"minilm", 6, 384},    {"bert-tiny", 2, 64},      {"lstm", 3, 768},
    {"lstm-tiny", 2, 64},
};

}  // namespace

int64_t sequence_tokens(const core::ExperimentSpec& spec) {
  const std::string& task = spec.task;
  if (task == "bit-memory") {
    const int64_t bits     = or_default(spec.bits_n, 1000);
    const int64_t patterns = or_default(spec.bits_patterns, 5);
    const int64_t patch    = or_default(spec.bits_patch, 50);
    return (patterns + 1) * ceil_divide(bits, patch);  // the patterns, then the masked query
  }
  if (task == "bit-xor") {
    const int64_t bits     = or_default(spec.bits_n, 5);
    const int64_t patterns = or_default(spec.bits_patterns, 2);
    const int64_t patch    = or_default(spec.bits_patch, 1);
    return patterns * ceil_divide(bits, patch);
  }
  if (task == "listops") return or_default(spec.listops_max_tokens, 512);
  if (task == "mnist") return spec.mnist_pad_to == 32 ? 64 : 49;  // 4×4 patches of 28² or 32²
  if (task == "cifar10") return 64;
  if (task == "cifar10-gray") return 1024;
  if (task == "remote-homology")  // bucketed batches: the filter bounds the longest
    return spec.homology_max_tokens > 0 ? spec.homology_max_tokens : 1024;
  fail("cost model: no sequence length for task '{}'; add it to src/fpt/sweep/grid_cost.cpp", task);
}

double body_size(const core::ExperimentSpec& spec) {
  for (const BodyShape& shape : kBodyShapes) {
    if (spec.body != shape.name) continue;
    const int64_t layers = spec.n_layer > 0 ? spec.n_layer : shape.n_layer;
    return static_cast<double>(layers) * static_cast<double>(shape.d_model * shape.d_model);
  }
  fail("cost model: no size for body '{}'; add it to src/fpt/sweep/grid_cost.cpp", spec.body);
}

double estimated_cost(const core::ExperimentSpec& spec) {
  return static_cast<double>(sequence_tokens(spec)) * body_size(spec) *
         static_cast<double>(spec.steps) * static_cast<double>(spec.batch_size);
}

}  // namespace fpt::sweep
