#include "fpt/models/parameter_groups.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <optional>

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

const char* kValidTrains =
    "fpt (input,output,pos,ln), full (input,output,pos,ln,attn,ff,recurrent), or a comma list of "
    "input, output, pos, ln, attn, ff, recurrent; ln, attn, ff and recurrent may name blocks "
    "after '@' in Python slice notation (attn@-1 = the last block's attention, ff@0:6, ln@-2:)";

bool takes_blocks(ParameterGroup group) {
  return group == ParameterGroup::ln || group == ParameterGroup::attn ||
         group == ParameterGroup::ff || group == ParameterGroup::recurrent;
}

std::string trim(std::string word) {
  word.erase(0, word.find_first_not_of(" \t"));
  word.erase(word.find_last_not_of(" \t") + 1);
  return word;
}

// "-1" -> -1; "" -> none; anything but an optionally signed integer throws.
std::optional<int64_t> parse_block_number(const std::string& text, const std::string& word) {
  if (text.empty()) return std::nullopt;
  size_t digits = text[0] == '-' ? 1 : 0;
  if (digits == text.size() ||
      !std::all_of(text.begin() + static_cast<std::ptrdiff_t>(digits), text.end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; }))
    fail("'{}': block '{}' is not an integer", word, text);
  if (text.size() - digits > 6) fail("'{}': block '{}' has more than 6 digits", word, text);
  return std::stoll(text);
}

// "11", "-1", "10:12", "-2:", ":6" (the part after '@').
BlockRange parse_block_range(const std::string& text, const std::string& word) {
  BlockRange   range;
  const size_t colon = text.find(':');
  if (colon == std::string::npos) {
    if (text.empty()) fail("'{}': no block after '@'", word);
    range.start  = parse_block_number(text, word);
    range.single = true;
    return range;
  }
  if (text.find(':', colon + 1) != std::string::npos)
    fail("'{}': a block range has one ':' (start:stop; no step)", word);
  range.start = parse_block_number(trim(text.substr(0, colon)), word);
  range.stop  = parse_block_number(trim(text.substr(colon + 1)), word);
  return range;
}

// The group of a word without its "@RANGE", or throws.
ParameterGroup parse_group_word(const std::string& word, const std::string& trains) {
  for (ParameterGroup group : kAllGroups)
    if (group != ParameterGroup::frozen && word == group_name(group)) return group;
  fail("trains '{}': {} '{}'; valid: {}", trains,
       word.empty() ? "empty group name" : "unknown group", word, kValidTrains);
}

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

bool BlockRange::contains(int64_t index, int64_t block_count) const {
  auto resolve = [&](int64_t value) { return value < 0 ? value + block_count : value; };
  if (single) return start && index == resolve(*start);
  const int64_t first = start ? std::clamp<int64_t>(resolve(*start), 0, block_count) : 0;
  const int64_t last  = stop ? std::clamp<int64_t>(resolve(*stop), 0, block_count) : block_count;
  return index >= first && index < last;
}

std::vector<TrainedGroup> parse_trains(const std::string& trains) {
  using G    = ParameterGroup;
  auto whole = [](std::initializer_list<ParameterGroup> groups) {
    std::vector<TrainedGroup> selection;
    for (ParameterGroup group : groups) selection.push_back({group, std::nullopt});
    return selection;
  };
  if (trains == "fpt") return whole({G::input, G::output, G::pos, G::ln});
  if (trains == "full")
    return whole({G::input, G::output, G::pos, G::ln, G::attn, G::ff, G::recurrent});
  std::vector<TrainedGroup> selection;
  size_t                    start = 0;
  while (true) {
    const size_t      comma = trains.find(',', start);
    const std::string word =
        trim(trains.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    const size_t at = word.find('@');
    TrainedGroup trained;
    trained.group = parse_group_word(trim(word.substr(0, at)), trains);
    if (at != std::string::npos) {
      if (!takes_blocks(trained.group))
        fail(
            "trains '{}': '{}': group {} is not inside the blocks, so it takes no '@' range; "
            "valid: {}",
            trains, word, group_name(trained.group), kValidTrains);
      try {
        trained.blocks = parse_block_range(trim(word.substr(at + 1)), word);
      } catch (const Error& error) {
        fail("trains '{}': {}; valid: {}", trains, error.what(), kValidTrains);
      }
    }
    if (std::find(selection.begin(), selection.end(), trained) == selection.end())
      selection.push_back(trained);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return selection;
}

std::optional<int64_t> block_index(const std::string& parameter_name) {
  if (starts_with(parameter_name, "input_layer.") || starts_with(parameter_name, "output_layer."))
    return std::nullopt;
  size_t start = 0;
  while (start < parameter_name.size()) {
    size_t end = parameter_name.find('.', start);
    if (end == std::string::npos) end = parameter_name.size();
    if (end > start && std::all_of(parameter_name.begin() + static_cast<std::ptrdiff_t>(start),
                                   parameter_name.begin() + static_cast<std::ptrdiff_t>(end),
                                   [](unsigned char c) { return std::isdigit(c) != 0; }))
      return std::stoll(parameter_name.substr(start, end - start));
    start = end + 1;
  }
  return std::nullopt;
}

void apply_trainable_groups(torch::nn::Module& model, const std::vector<TrainedGroup>& trainable) {
  const auto parameters  = model.named_parameters(/*recurse=*/true);
  int64_t    block_count = 0;
  for (const auto& item : parameters)
    if (const auto block = block_index(item.key())) block_count = std::max(block_count, *block + 1);
  std::vector<int64_t> selected_per_word(trainable.size(), 0);
  std::vector<bool>    group_in_blocks(kAllGroups.size(), false);
  for (const auto& item : parameters) {
    const ParameterGroup group = group_of(item.key());
    const auto           block = block_index(item.key());
    if (block) group_in_blocks[static_cast<size_t>(group)] = true;
    bool trains = false;
    for (size_t word = 0; word < trainable.size(); ++word) {
      const TrainedGroup& trained = trainable[word];
      if (group == ParameterGroup::frozen || trained.group != group) continue;
      if (trained.blocks && !(block && trained.blocks->contains(*block, block_count))) continue;
      trains = true;
      ++selected_per_word[word];
    }
    item.value().set_requires_grad(trains);
  }
  for (size_t word = 0; word < trainable.size(); ++word) {
    const TrainedGroup& trained = trainable[word];
    if (!trained.blocks || selected_per_word[word] > 0) continue;
    const BlockRange& range = *trained.blocks;
    const auto text = [](const std::optional<int64_t>& n) { return n ? std::to_string(*n) : ""; };
    const std::string written =
        group_name(trained.group) + "@" +
        (range.single ? text(range.start) : text(range.start) + ":" + text(range.stop));
    if (block_count == 0)
      fail(
          "trains {} selects no parameter: this body has no numbered blocks (an LSTM with "
          "lstm_cell torch keeps its layers in one module); train the whole group instead",
          written);
    if (!group_in_blocks[static_cast<size_t>(trained.group)])
      fail("trains {} selects no parameter: this body has no {} parameters inside its blocks",
           written, group_name(trained.group));
    fail("trains {} selects no parameter: the body has {} blocks (0..{}, or -{}..-1)", written,
         block_count, block_count - 1, block_count);
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
