// CheckpointReader: the bookkeeping of loading one safetensors checkpoint into a body — look up a
// tensor by name (after stripping an optional prefix such as "transformer."), check its shape,
// convert its dtype (F32/F16/BF16/F64 -> the parameter's dtype), copy it into a parameter, and at
// the end report every expected-but-missing, present-but-unused and mis-shaped tensor in one
// error that names the file, the body and what was expected versus found.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "fpt/io/safetensors.h"

namespace fpt::models {

// A view of a safetensors tensor as a torch tensor: a float32 (or int64 for I64) copy.
torch::Tensor tensor_from_view(const io::TensorView& view);

// The block number N of a name "<prefix>N.rest" (e.g. prefix "h." or "encoder.layer."), or -1 if
// the name does not have that form. Used to ignore the blocks beyond an n_layer override.
int64_t layer_index(const std::string& name, const std::string& prefix);

class CheckpointReader {
 public:
  // `what` names the target in messages, e.g. "GPT-2 body gpt2 (12 layers, width 768)".
  CheckpointReader(const io::SafetensorsFile& file, std::string what);

  const io::SafetensorsFile& file() const { return file_; }
  const std::string&         what() const { return what_; }

  // If every tensor name in the file starts with `prefix` (or some do: those are then used with it
  // stripped), later lookups see the names without it. Returns true if the prefix was present.
  bool strip_prefix(const std::string& prefix);

  // Whether the file holds `name` (after prefix stripping).
  bool has(const std::string& name) const;
  // Every name in the file (after prefix stripping), in file order.
  std::vector<std::string> names() const;

  // The tensor `name` as float32 with exactly `expected_shape`; records a missing tensor or a
  // shape mismatch (returning an undefined tensor) instead of throwing, so finish() can list all.
  torch::Tensor take(const std::string& name, at::IntArrayRef expected_shape);
  // take() + copy into `parameter` (same shape) under NoGradGuard; `transpose` copies the 2-D
  // transpose (checkpoint stored [in, out], parameter [out, in] or vice versa). Returns false if
  // the tensor was missing or mis-shaped (recorded).
  bool copy_into(torch::Tensor parameter, const std::string& name, bool transpose = false);

  // Marks names as expected-but-not-loaded (buffers like GPT-2's attn.bias, ViT's head, BERT's
  // pooler): they are not reported as unexpected.
  void ignore(const std::function<bool(const std::string& name)>& predicate);

  // Throws one fpt::Error listing missing tensors, tensors with the wrong shape (expected vs
  // found) and unused tensors (present, neither taken nor ignored), or does nothing if all is
  // well. A file whose names look like another body family is named as such in the message.
  void finish() const;

 private:
  const io::SafetensorsFile&                           file_;
  std::string                                          what_;
  std::string                                          prefix_;
  std::set<std::string>                                used_;
  std::vector<std::string>                             missing_;
  std::vector<std::string>                             mismatched_;
  std::vector<std::function<bool(const std::string&)>> ignored_;
};

}  // namespace fpt::models
