// YAML helpers shared by every file fpt reads as YAML (sweeps, configs): parsing with errors that
// name the file and 1-based line, "file:line" context strings for a node, and the conversion of a
// YAML scalar to a typed JSON value (integer, real, boolean, null or string) by YAML 1.2
// core-schema rules, so that `lr: 1e-3` is a number, `seed: 0` an integer and `body: gpt2` a
// string.
#pragma once

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <string>

namespace fpt::io {

// Parses `text`; a syntax error becomes fpt::Error "<source_name>:<line>: malformed YAML: <why>".
YAML::Node parse_yaml(const std::string& text, const std::string& source_name);

// 1-based line of `node` in its file, or 0 when the node has no position (built in code).
int yaml_line(const YAML::Node& node);

// "<source_name>:<line>" for `node` (just "<source_name>" when it has no position).
std::string yaml_where(const std::string& source_name, const YAML::Node& node);

// A scalar as JSON: plain (unquoted) scalars that look like integers become integers (0, -3, +7),
// like reals become doubles (1e-3, 1e4, 0.5, .5, 2.), true/false (any case style) booleans, null/~/
// empty null; everything else, and every quoted scalar or one tagged !!str, stays a string.
// Throws fpt::Error naming `context` when `node` is a list or mapping.
nlohmann::json yaml_scalar_to_json(const YAML::Node& node, const std::string& context);

// A short word for the node's kind ("a list", "a mapping", "a single value", "nothing") for
// messages.
std::string yaml_kind(const YAML::Node& node);

}  // namespace fpt::io
