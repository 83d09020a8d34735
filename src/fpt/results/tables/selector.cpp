#include "fpt/results/tables/selector.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "fpt/core/error.h"

namespace fpt::results::tables {

namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream        in(text);
  std::string              part;
  while (std::getline(in, part, separator)) parts.push_back(part);
  return parts;
}

// `trains` as a set of words without surrounding blanks ("ff", "attn@-1"): "fpt" is the paper's
// input, output, pos and ln.
std::set<std::string> trained_groups(const std::string& trains) {
  if (trains == "fpt") return {"input", "output", "pos", "ln"};
  std::set<std::string> groups;
  for (std::string group : split(trains, ',')) {
    group.erase(std::remove_if(group.begin(), group.end(),
                               [](unsigned char c) { return std::isspace(c) != 0; }),
                group.end());
    groups.insert(group);
  }
  return groups;
}

bool alternative_matches(const std::string& key, const std::string& value,
                         const std::string& alternative) {
  if (key == "trains") return trained_groups(value) == trained_groups(alternative);
  if (!alternative.empty() && alternative.back() == '*')
    return value.compare(0, alternative.size() - 1, alternative, 0, alternative.size() - 1) == 0;
  return value == alternative;
}

}  // namespace

std::string spec_value_text(const core::ExperimentSpec& spec, const std::string& key) {
  const nlohmann::json value = core::get_spec_key(spec, key);
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The index of the first alternative of `pattern` that the spec's `key` matches, or -1.
int matching_alternative(const core::ExperimentSpec& spec, const std::string& key,
                         const std::string& pattern) {
  if (!core::is_spec_key(key))
    fail("table condition on '{}': not a spec key; valid keys: {}", key,
         core::valid_spec_keys_text());
  const std::string              value        = spec_value_text(spec, key);
  const std::vector<std::string> alternatives = split(pattern, '|');
  for (size_t index = 0; index < alternatives.size(); ++index)
    if (alternative_matches(key, value, alternatives[index])) return static_cast<int>(index);
  return -1;
}

bool matches(const core::ExperimentSpec& spec, const Conditions& conditions) {
  for (const auto& [key, pattern] : conditions)
    if (matching_alternative(spec, key, pattern) < 0) return false;
  return true;
}

std::vector<const core::RunResult*> preferred_runs(std::vector<const core::RunResult*> runs,
                                                   const Conditions&                   conditions) {
  for (const auto& [key, pattern] : conditions) {
    if (pattern.find('|') == std::string::npos) continue;
    int best = -1;
    for (const auto* run : runs) {
      const int index = matching_alternative(run->spec, key, pattern);
      if (index >= 0 && (best < 0 || index < best)) best = index;
    }
    runs.erase(std::remove_if(runs.begin(), runs.end(),
                              [&](const core::RunResult* run) {
                                return matching_alternative(run->spec, key, pattern) != best;
                              }),
               runs.end());
  }
  return runs;
}

std::string describe(const Conditions& conditions) {
  if (conditions.empty()) return "(any)";
  std::string text;
  for (const auto& [key, pattern] : conditions)
    text += (text.empty() ? "" : ", ") + key + "=" + pattern;
  return text;
}

Conditions combine(Conditions a, const Conditions& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace fpt::results::tables
