#include "fpt/models/checkpoint_reader.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"

namespace fpt::models {
namespace {

std::string shape_text(at::IntArrayRef shape) {
  return fmt::format("[{}]", fmt::join(shape.vec(), ", "));
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// A few names that identify a checkpoint's family, so a wrong file gets a useful hint.
std::string guess_family(const io::SafetensorsFile& file) {
  for (const auto& entry : file.header().tensors) {
    const std::string& name = entry.name;
    if (name.find("attn.c_attn.weight") != std::string::npos) return "GPT-2";
    if (name.find("attn.qkv.weight") != std::string::npos) return "timm ViT";
    if (name.find("attention.attention.query") != std::string::npos) return "Hugging Face ViT";
    if (name.find("attention.self.query") != std::string::npos) return "BERT";
    if (name.find("i2h") != std::string::npos || name.find("weight_ih") != std::string::npos)
      return "LSTM";
  }
  return "";
}

// Up to `limit` items of a list, then "... (N more)".
std::string list_text(const std::vector<std::string>& items, size_t limit = 12) {
  std::vector<std::string> shown(items.begin(), items.begin() + std::min(limit, items.size()));
  std::string              text = fmt::format("{}", fmt::join(shown, ", "));
  if (items.size() > limit) text += fmt::format(" ... ({} more)", items.size() - limit);
  return text;
}

}  // namespace

int64_t layer_index(const std::string& name, const std::string& prefix) {
  if (!starts_with(name, prefix)) return -1;
  int64_t index  = 0;
  size_t  cursor = prefix.size();
  if (cursor >= name.size() || !std::isdigit(static_cast<unsigned char>(name[cursor]))) return -1;
  while (cursor < name.size() && std::isdigit(static_cast<unsigned char>(name[cursor]))) {
    if (index > 1000000) return -1;  // no body is that deep; avoids overflow on hostile names
    index = index * 10 + (name[cursor++] - '0');
  }
  return cursor < name.size() && name[cursor] == '.' ? index : -1;
}

torch::Tensor tensor_from_view(const io::TensorView& view) {
  const io::TensorEntry& entry = *view.entry;
  std::vector<int64_t>   shape = entry.shape;
  torch::ScalarType      type;
  switch (entry.dtype) {
    case io::TensorDtype::F64:
      type = torch::kFloat64;
      break;
    case io::TensorDtype::F32:
      type = torch::kFloat32;
      break;
    case io::TensorDtype::F16:
      type = torch::kFloat16;
      break;
    case io::TensorDtype::BF16:
      type = torch::kBFloat16;
      break;
    case io::TensorDtype::I64:
      type = torch::kInt64;
      break;
    case io::TensorDtype::I32:
      type = torch::kInt32;
      break;
    case io::TensorDtype::I16:
      type = torch::kInt16;
      break;
    case io::TensorDtype::I8:
      type = torch::kInt8;
      break;
    case io::TensorDtype::U8:
      type = torch::kUInt8;
      break;
    case io::TensorDtype::BOOL:
      type = torch::kBool;
      break;
    default:
      fail("tensor {}: unsupported dtype", entry.name);
  }
  // Copied into a fresh (aligned) tensor: the bytes in the mapping need not be aligned for the
  // dtype, and the mapping closes with the file.
  torch::Tensor raw = torch::empty(shape, torch::TensorOptions().dtype(type));
  if (static_cast<size_t>(raw.nbytes()) != view.size_bytes)
    fail("tensor {}: {} bytes for shape of {} bytes", entry.name, view.size_bytes, raw.nbytes());
  if (view.size_bytes > 0) std::memcpy(raw.data_ptr(), view.data, view.size_bytes);
  if (raw.is_floating_point()) return raw.to(torch::kFloat32);
  return raw.to(torch::kInt64);
}

CheckpointReader::CheckpointReader(const io::SafetensorsFile& file, std::string what)
    : file_(file), what_(std::move(what)) {}

bool CheckpointReader::strip_prefix(const std::string& prefix) {
  for (const auto& entry : file_.header().tensors) {
    if (starts_with(entry.name, prefix)) {
      prefix_ = prefix;
      return true;
    }
  }
  return false;
}

std::vector<std::string> CheckpointReader::names() const {
  std::vector<std::string> result;
  for (const auto& entry : file_.header().tensors) {
    if (!prefix_.empty() && starts_with(entry.name, prefix_))
      result.push_back(entry.name.substr(prefix_.size()));
    else
      result.push_back(entry.name);
  }
  return result;
}

bool CheckpointReader::has(const std::string& name) const {
  return file_.contains(prefix_ + name) || file_.contains(name);
}

torch::Tensor CheckpointReader::take(const std::string& name, at::IntArrayRef expected_shape) {
  std::string stored = prefix_ + name;
  if (!file_.contains(stored)) stored = name;
  if (!file_.contains(stored)) {
    missing_.push_back(fmt::format("{} {}", name, shape_text(expected_shape)));
    return {};
  }
  used_.insert(stored);
  const io::TensorView view = file_.tensor(stored);
  if (at::IntArrayRef(view.entry->shape) != expected_shape) {
    mismatched_.push_back(fmt::format("{}: expected {}, found {}", name, shape_text(expected_shape),
                                      shape_text(view.entry->shape)));
    return {};
  }
  torch::Tensor tensor = tensor_from_view(view);
  if (!tensor.is_floating_point()) {
    mismatched_.push_back(fmt::format("{}: expected floating point, found {}", name,
                                      io::dtype_name(view.entry->dtype)));
    return {};
  }
  return tensor;
}

bool CheckpointReader::copy_into(torch::Tensor parameter, const std::string& name, bool transpose) {
  std::vector<int64_t> shape = parameter.sizes().vec();
  if (transpose) {
    if (shape.size() != 2)
      fail("{}: cannot transpose {} of shape {}", what_, name, shape_text(shape));
    std::swap(shape[0], shape[1]);
  }
  torch::Tensor value = take(name, shape);
  if (!value.defined()) return false;
  torch::NoGradGuard no_grad;
  parameter.copy_(transpose ? value.t() : value);
  return true;
}

void CheckpointReader::ignore(const std::function<bool(const std::string& name)>& predicate) {
  ignored_.push_back(predicate);
}

void CheckpointReader::finish() const {
  std::vector<std::string> unused;
  for (const auto& entry : file_.header().tensors) {
    if (used_.count(entry.name)) continue;
    const std::string name       = !prefix_.empty() && starts_with(entry.name, prefix_)
                                       ? entry.name.substr(prefix_.size())
                                       : entry.name;
    bool              is_ignored = false;
    for (const auto& predicate : ignored_) is_ignored = is_ignored || predicate(name);
    if (!is_ignored) unused.push_back(name);
  }
  if (missing_.empty() && mismatched_.empty() && unused.empty()) return;
  std::string       message = fmt::format("checkpoint {} does not fit {}", file_.path(), what_);
  const std::string family  = guess_family(file_);
  if (!family.empty()) message += fmt::format(" (the file looks like a {} checkpoint)", family);
  if (!mismatched_.empty())
    message += fmt::format("\n  wrong shape ({}): {} — is the body size right?", mismatched_.size(),
                           list_text(mismatched_));
  if (!missing_.empty())
    message += fmt::format("\n  missing ({}): {}", missing_.size(), list_text(missing_));
  if (!unused.empty())
    message += fmt::format("\n  unexpected ({}): {}", unused.size(), list_text(unused));
  fail("{}", message);
}

}  // namespace fpt::models
