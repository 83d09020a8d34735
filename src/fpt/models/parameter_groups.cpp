#include "fpt/models/parameter_groups.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>

#include <fmt/format.h>

#include "fpt/core/error.h"

namespace fpt::models {
namespace {

constexpr std::array<ParameterGroup, 8> kAllGroups = {
    ParameterGroup::input,     ParameterGroup::output, ParameterGroup::pos,
    ParameterGroup::ln,        ParameterGroup::attn,   ParameterGroup::ff,
    ParameterGroup::recurrent, ParameterGroup::frozen};

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}
bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}
bool has_group(const std::vector<ParameterGroup>& groups, ParameterGroup group) {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

const char* kValidTrains =
    "fpt (input,output,pos,ln), full (input,output,pos,ln,attn,ff,recurrent), or a comma list of "
    "input, output, pos, ln, attn, ff, recurrent";

bool contains_any(const std::string& text, std::initializer_list<const char*> parts) {
  for (const char* part : parts)
    if (contains(text, part)) return true;
  return false;
}

}  // namespace

std::string group_name(ParameterGroup group) {
  switch (group) {
    case ParameterGroup::input:
      return "input";
    case ParameterGroup::output:
      return "output";
    case ParameterGroup::pos:
      return "pos";
    case ParameterGroup::ln:
      return "ln";
    case ParameterGroup::attn:
      return "attn";
    case ParameterGroup::ff:
      return "ff";
    case ParameterGroup::recurrent:
      return "recurrent";
    case ParameterGroup::frozen:
      return "frozen";
  }
  fail("group_name: invalid ParameterGroup value {}", static_cast<int>(group));
}

ParameterGroup group_of(const std::string& parameter_name) {
  if (starts_with(parameter_name, "input_layer.")) return ParameterGroup::input;
  if (starts_with(parameter_name, "output_layer.")) return ParameterGroup::output;
  std::string name =
      starts_with(parameter_name, "body.") ? parameter_name.substr(5) : parameter_name;
  // Official order and words (universal-computation fpt.py lower-cases the name first).
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (contains_any(name, {"ln", "norm"})) return ParameterGroup::ln;
  if (contains_any(name, {"wpe", "position_embeddings", "pos_embed"})) return ParameterGroup::pos;
  if (contains(name, "mlp")) return ParameterGroup::ff;
  if (contains(name, "attention")) return ParameterGroup::attn;
  if (contains_any(name, {"intermediate", "output.dense"})) return ParameterGroup::ff;
  if (contains(name, "attn")) return ParameterGroup::attn;
  if (contains_any(name, {"i2h", "h2h", "weight_ih", "weight_hh", "bias_ih", "bias_hh"}))
    return ParameterGroup::recurrent;
  return ParameterGroup::frozen;
}

std::vector<ParameterGroup> parse_trains(const std::string& trains) {
  using G = ParameterGroup;
  if (trains == "fpt") return {G::input, G::output, G::pos, G::ln};
  if (trains == "full") return {G::input, G::output, G::pos, G::ln, G::attn, G::ff, G::recurrent};
  std::vector<ParameterGroup> groups;
  size_t                      start = 0;
  while (true) {
    const size_t comma = trains.find(',', start);
    std::string  word =
        trains.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    word.erase(0, word.find_first_not_of(" \t"));
    word.erase(word.find_last_not_of(" \t") + 1);
    bool found = false;
    for (ParameterGroup group : kAllGroups) {
      if (group != G::frozen && word == group_name(group)) {
        if (!has_group(groups, group)) groups.push_back(group);
        found = true;
      }
    }
    if (!found)
      fail("trains '{}': {} '{}'; valid: {}", trains,
           word.empty() ? "empty group name" : "unknown group", word, kValidTrains);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return groups;
}

void apply_trainable_groups(torch::nn::Module&                 model,
                            const std::vector<ParameterGroup>& trainable) {
  for (auto& item : model.named_parameters(/*recurse=*/true)) {
    const ParameterGroup group = group_of(item.key());
    item.value().set_requires_grad(group != ParameterGroup::frozen && has_group(trainable, group));
  }
}

std::vector<core::ParameterGroupCount> count_parameters(const torch::nn::Module& model,
                                                        int64_t                  sequence_length) {
  if (sequence_length < 1)
    fail("count_parameters: sequence_length must be at least 1, got {}", sequence_length);
  std::vector<core::ParameterGroupCount> rows;
  for (ParameterGroup group : kAllGroups) rows.push_back({group_name(group), 0, 0, 0});
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    const ParameterGroup       group     = group_of(item.key());
    const torch::Tensor&       parameter = item.value();
    core::ParameterGroupCount& row       = rows[static_cast<size_t>(group)];
    const int64_t              elements  = parameter.numel();
    row.total += elements;
    if (!parameter.requires_grad()) continue;
    row.trainable += elements;
    if (group == ParameterGroup::frozen) continue;
    if (group == ParameterGroup::pos && parameter.dim() == 2) {
      // a positional table (positions, C): only rows 0..sequence_length-1 are ever read
      row.effective += std::min(sequence_length, parameter.size(0)) * parameter.size(1);
    } else {
      row.effective += elements;
    }
  }
  core::ParameterGroupCount all{"all", 0, 0, 0};
  for (const auto& row : rows) {
    all.total += row.total;
    all.trainable += row.trainable;
    all.effective += row.effective;
  }
  rows.push_back(all);
  return rows;
}

}  // namespace fpt::models
