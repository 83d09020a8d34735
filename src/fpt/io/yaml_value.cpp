#include "fpt/io/yaml_value.h"

#include <cerrno>
#include <cstdlib>
#include <regex>

#include "fpt/core/error.h"

namespace fpt::io {
namespace {

// YAML 1.2 core schema, restricted to decimal: what a plain scalar must look like to be a number.
const std::regex& integer_pattern() {
  static const std::regex pattern("[-+]?[0-9]+");
  return pattern;
}
const std::regex& real_pattern() {
  static const std::regex pattern("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  return pattern;
}

bool is_one_of(const std::string& text, std::initializer_list<const char*> words) {
  for (const char* word : words)
    if (text == word) return true;
  return false;
}

}  // namespace

YAML::Node parse_yaml(const std::string& text, const std::string& source_name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& error) {
    // yaml-cpp marks are 0-based; editors count lines from 1.
    fail("{}:{}: malformed YAML: {}", source_name, error.mark.line + 1, error.msg);
  }
}

int yaml_line(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string yaml_where(const std::string& source_name, const YAML::Node& node) {
  const int line = yaml_line(node);
  return line > 0 ? source_name + ":" + std::to_string(line) : source_name;
}

std::string yaml_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "a value";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "?";
}

nlohmann::json yaml_scalar_to_json(const YAML::Node& node, const std::string& context) {
  if (node.IsNull() || !node.IsDefined()) return nullptr;
  if (!node.IsScalar()) fail("{}: expected a single value, got {}", context, yaml_kind(node));
  const std::string& text = node.Scalar();
  // "!" is yaml-cpp's tag for a quoted scalar: the author asked for a string.
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return text;
  if (is_one_of(text, {"true", "True", "TRUE"})) return true;
  if (is_one_of(text, {"false", "False", "FALSE"})) return false;
  if (is_one_of(text, {"null", "Null", "NULL", "~", ""})) return nullptr;
  if (std::regex_match(text, integer_pattern())) {
    errno                 = 0;
    const long long value = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == ERANGE) fail("{}: integer {} does not fit in 64 bits", context, text);
    return static_cast<int64_t>(value);
  }
  if (std::regex_match(text, real_pattern())) {
    errno              = 0;
    const double value = std::strtod(text.c_str(), nullptr);
    if (errno == ERANGE) fail("{}: number {} is out of range", context, text);
    return value;
  }
  return text;
}

}  // namespace fpt::io
