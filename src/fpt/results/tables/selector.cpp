#include "fpt/results/tables/selector.h"

#include <algorithm>
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

// `trains` as a set of groups: "fpt" is the paper's input, output, pos and ln.
std::set<std::string> trained_groups(const std::string& trains) {
  if (trains == "fpt") return {"input", "output", "pos", "ln"};
  std::set<std::string> groups;
  for (const std::string& group : split(trains, ',')) groups.insert(group);
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

bool matches(const core::ExperimentSpec& spec, const Conditions& conditions) {
  for (const auto& [key, pattern] : conditions) {
    if (!core::is_spec_key(key))
      fail("table condition on '{}': not a spec key; valid keys: {}", key,
           core::valid_spec_keys_text());
    const std::string value = spec_value_text(spec, key);
    bool              any   = false;
    for (const std::string& alternative : split(pattern, '|'))
      any = any || alternative_matches(key, value, alternative);
    if (!any) return false;
  }
  return true;
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
