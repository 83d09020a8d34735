#include "fpt/sweep/grid.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"
#include "fpt/core/names.h"
#include "fpt/io/yaml_value.h"

namespace fpt::sweep {
namespace {

using nlohmann::json;

// One `key: value` from the file, with where it was written for error messages.
struct Setting {
  std::string key;
  json        value;  // normalized through ExperimentSpec: 1e4 for an integer key is 10000
  std::string where;  // "file:line"
};
using Settings = std::vector<Setting>;

struct Axis {
  std::string key;
  Settings    values;  // one Setting per value, in file order
};

// overrides: <key>: <selector>: {settings}: applied to every experiment whose <key> is <selector>.
struct Override {
  std::string key;
  json        selector;
  std::string where;
  Settings    settings;
};

// One `include` or `exclude` list entry.
struct Entry {
  std::string where;
  Settings    settings;
};

// One `scales:` entry (fpt_sweep --scale NAME): how it shrinks the grid. Its scalar settings
// apply to every experiment, then its `<key>: <value>: {settings}` blocks to the experiments whose
// key had that value before the scale (so `body: {gpt2: {body: minilm}}` swaps a body); `only`
// keeps the experiments whose keys have one of the listed values afterwards.
struct Scale {
  std::string           name;
  std::string           where;  // "file:line" of the scale's name
  Settings              settings;
  std::vector<Override> overrides;
  std::vector<Axis>     only;
};

// The sweep file, parsed and validated, before expansion.
struct SweepFile {
  std::string              source;  // file name for messages
  std::string              name;
  std::string              output;
  SweepRuntime             runtime;
  Settings                 defaults;
  std::vector<Axis>        axes;
  std::vector<Override>    overrides;
  std::vector<Entry>       includes;
  std::vector<Entry>       excludes;
  std::string              exclude_where;  // "file:line" of `exclude:`
  std::vector<Scale>       scales;
  std::string              scales_where;  // "file:line" of `scales:`
  std::vector<std::string> tables;        // `tables:` names, checked by the caller
  std::string              tables_where;  // "file:line" of `tables:`
};

const std::vector<std::string>& top_level_keys() {
  static const std::vector<std::string> keys = {"name",     "description", "output",    "runtime",
                                                "defaults", "axes",        "overrides", "include",
                                                "exclude",  "scales",      "tables"};
  return keys;
}

// Axis keys the default tag already spells out; other axes add "_<key><value>" to the tag.
bool in_default_tag(const std::string& key) {
  return key == "body" || key == "task" || key == "init" || key == "trains" || key == "seed";
}

// The text of a value as a user would write it: strings bare, reals shortest round-trip.
std::string value_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// Tags name files and directories: keep letters, digits and . _ + -, replace the rest.
std::string filesystem_safe(const std::string& text) {
  std::string safe = text;
  for (char& c : safe) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '+' || c == '-';
    if (!keep) c = '-';
  }
  return safe;
}

// A value as the spec stores it (type-checked by set_spec_key, which names `where` and the key).
json normalized(const std::string& key, const json& value, const std::string& where) {
  core::ExperimentSpec scratch;
  core::set_spec_key(scratch, key, value, where);
  return core::get_spec_key(scratch, key);
}

void require_spec_key(const std::string& key, const std::string& where) {
  if (!core::is_spec_key(key))
    fail("{}: unknown key '{}'; valid keys: {}", where, key, core::valid_spec_keys_text());
}

// Checks a value beyond its type: names this build can run, positive step and batch counts.
void check_value(const Setting& setting) {
  const std::string& key = setting.key;
  if (key == "body" || key == "init" || key == "task")
    core::check_known(key, setting.value.get<std::string>(), setting.where);
  if ((key == "steps" || key == "batch_size" || key == "bit_pretrain_steps") &&
      setting.value.get<int64_t>() <= 0)
    fail("{}: key '{}' must be a positive integer, got {}", setting.where, key,
         setting.value.dump());
  if (key == "n_layer" && setting.value.get<int64_t>() < 0)
    fail("{}: key 'n_layer' must be >= 0 (0 keeps the body's own layer count), got {}",
         setting.where, setting.value.dump());
}

// Iterates a mapping's entries as visit(key node, value node, "file:line" of the key), rejecting
// non-scalar and repeated keys (yaml-cpp would keep both).
template <typename Visit>
void for_each_key(const YAML::Node& map, const std::string& source, Visit visit) {
  std::set<std::string> seen;
  for (const auto& item : map) {
    const YAML::Node  key   = item.first;
    const std::string where = io::yaml_where(source, key);
    if (!key.IsScalar()) fail("{}: a key must be a name, got {}", where, io::yaml_kind(key));
    if (!seen.insert(key.Scalar()).second)
      fail("{}: key '{}' appears twice in the same mapping", where, key.Scalar());
    visit(key, item.second, where);
  }
}

// `what` must be a mapping (or empty); `where` names its line.
void require_mapping(const YAML::Node& node, const std::string& where, const std::string& what) {
  if (!node.IsMap() && !node.IsNull())
    fail("{}: '{}' must be a mapping of `key: value` entries, got {}", where, what,
         io::yaml_kind(node));
}

// A mapping of spec keys to values (defaults, an override block, an include/exclude entry).
Settings read_settings(const YAML::Node& map, const std::string& source, const std::string& where,
                       const std::string& what) {
  require_mapping(map, where, what);
  Settings settings;
  if (map.IsNull()) return settings;
  for_each_key(
      map, source,
      [&](const YAML::Node& key_node, const YAML::Node& value, const std::string& key_where) {
        const std::string key = key_node.Scalar();
        require_spec_key(key, key_where);
        const std::string value_where =
            io::yaml_line(value) > 0 ? io::yaml_where(source, value) : key_where;
        const json raw = io::yaml_scalar_to_json(value, value_where + ": key '" + key + "'");
        settings.push_back({key, normalized(key, raw, value_where), value_where});
      });
  return settings;
}

std::string read_text(const YAML::Node& node, const std::string& where, const std::string& key) {
  const json value = io::yaml_scalar_to_json(node, where + ": key '" + key + "'");
  if (!value.is_string() || value.get<std::string>().empty())
    fail("{}: key '{}' must be a non-empty string, got {}", where, key, value.dump());
  return value.get<std::string>();
}

// `tables: [table2, convergence]`: a sequence of distinct non-empty names.
std::vector<std::string> read_table_names(const YAML::Node& node, const std::string& where) {
  if (!node.IsSequence() || node.size() == 0)
    fail("{}: key 'tables' must be a list of table names, e.g. tables: [table2], got {}", where,
         io::yaml_kind(node));
  std::vector<std::string> names;
  for (const YAML::Node& item : node) {
    const std::string name = read_text(item, where, "tables");
    if (std::find(names.begin(), names.end(), name) != names.end())
      fail("{}: key 'tables': '{}' is listed twice", where, name);
    names.push_back(name);
  }
  return names;
}

void check_sweep_name(const std::string& name, const std::string& where) {
  const bool valid = !name.empty() && name != "." && name != ".." &&
                     filesystem_safe(name) == name && name.find('+') == std::string::npos;
  if (!valid)
    fail(
        "{}: sweep name '{}' must use only letters, digits, '.', '_' and '-' (it names the "
        "results directory); set `name:` in the file",
        where, name);
}

SweepRuntime read_runtime(const YAML::Node& map, const std::string& source,
                          const std::string& where) {
  require_mapping(map, where, "runtime");
  SweepRuntime runtime;
  if (map.IsNull()) return runtime;
  for_each_key(
      map, source,
      [&](const YAML::Node& key_node, const YAML::Node& node, const std::string& key_where) {
        const std::string key = key_node.Scalar();
        if (key == "ranks_per_task") {  // task name -> ranks per experiment of that task
          require_mapping(node, key_where, "runtime.ranks_per_task");
          for_each_key(node, source,
                       [&](const YAML::Node& task_node, const YAML::Node& ranks_node,
                           const std::string& task_where) {
                         const json ranks = io::yaml_scalar_to_json(
                             ranks_node, task_where + ": key 'runtime.ranks_per_task'");
                         if (!ranks.is_number_integer() || ranks.get<int64_t>() < 1)
                           fail("{}: runtime.ranks_per_task.{} must be an integer >= 1, got {}",
                                task_where, task_node.Scalar(), ranks.dump());
                         runtime.ranks_per_task[task_node.Scalar()] = ranks.get<int>();
                       });
          return;
        }
        if (key == "stop_signals") {
          if (!node.IsSequence())
            fail("{}: key 'runtime.stop_signals' must be a list such as [TERM, USR2, HUP]",
                 key_where);
          runtime.stop_signals.clear();
          for (const YAML::Node& item : node) {
            const std::string name = item.IsScalar() ? item.Scalar() : "";
            if (name != "TERM" && name != "USR1" && name != "USR2" && name != "HUP" &&
                name != "INT")
              fail("{}: runtime.stop_signals: '{}' is not one of TERM, USR1, USR2, HUP, INT",
                   key_where, name);
            runtime.stop_signals.push_back(name);
          }
          return;
        }
        const json value = io::yaml_scalar_to_json(node, key_where + ": key 'runtime." + key + "'");
        auto       positive_integer = [&](int64_t minimum) {
          if (!value.is_number_integer() || value.get<int64_t>() < minimum)
            fail("{}: key 'runtime.{}' must be an integer >= {}, got {}", key_where, key, minimum,
                       value.dump());
          return value.get<int64_t>();
        };
        if (key == "threads") {
          if (!value.is_number_integer() || value.get<int64_t>() < 0)
            fail("{}: key 'runtime.threads' must be an integer >= 0 (0 = automatic), got {}",
                 key_where, value.dump());
          runtime.threads = value.get<int64_t>();
        } else if (key == "status_every_seconds") {
          if (!value.is_number() || !(value.get<double>() > 0))
            fail("{}: key 'runtime.status_every_seconds' must be a number > 0, got {}", key_where,
                 value.dump());
          runtime.status_every_seconds = value.get<double>();
        } else if (key == "checkpoint_every") {
          runtime.checkpoint_every = positive_integer(0);
        } else if (key == "ranks_per_experiment") {
          runtime.ranks_per_experiment = static_cast<int>(positive_integer(1));
        } else if (key == "micro_batches") {
          runtime.micro_batches = positive_integer(1);
        } else if (key == "experiments_per_gpu") {
          runtime.experiments_per_gpu = positive_integer(1);
        } else {
          fail(
              "{}: unknown key 'runtime.{}'; valid runtime keys: threads, status_every_seconds, "
              "checkpoint_every, ranks_per_experiment, ranks_per_task, micro_batches, "
              "experiments_per_gpu, stop_signals",
              key_where, key);
        }
      });
  return runtime;
}

// `what` names the mapping in messages: "axes", or "scales.<name>.only" (same shape).
std::vector<Axis> read_axes(const YAML::Node& map, const std::string& source,
                            const std::string& where, const std::string& what = "axes") {
  require_mapping(map, where, what);
  const std::string axis_word = what == "axes" ? "axis" : what;
  std::vector<Axis> axes;
  if (map.IsNull()) return axes;
  for_each_key(
      map, source,
      [&](const YAML::Node& key_node, const YAML::Node& list, const std::string& key_where) {
        const std::string key = key_node.Scalar();
        require_spec_key(key, key_where);
        if (!list.IsSequence())
          fail(
              "{}: {} '{}' must be a list of values, e.g. `{}: [a, b]`, got {}; a value every "
              "experiment shares goes under `defaults:`",
              key_where, axis_word, key, key, io::yaml_kind(list));
        if (list.size() == 0)
          fail("{}: {} '{}' is an empty list; give it at least one value", key_where, axis_word,
               key);
        Axis axis{key, {}};
        for (const YAML::Node& element : list) {
          const std::string element_where =
              io::yaml_line(element) > 0 ? io::yaml_where(source, element) : key_where;
          const json raw =
              io::yaml_scalar_to_json(element, element_where + ": " + axis_word + " '" + key + "'");
          Setting setting{key, normalized(key, raw, element_where), element_where};
          check_value(setting);
          for (const Setting& earlier : axis.values)
            if (earlier.value == setting.value)
              fail("{}: {} '{}' lists {} twice (also at {})", element_where, axis_word, key,
                   value_text(setting.value), earlier.where);
          axis.values.push_back(setting);
        }
        axes.push_back(std::move(axis));
      });
  return axes;
}

std::vector<Entry> read_entries(const YAML::Node& list, const std::string& source,
                                const std::string& where, const std::string& what) {
  if (list.IsNull()) return {};
  if (!list.IsSequence())
    fail("{}: '{}' must be a list of mappings, e.g. `- {{task: bit-xor, seed: 0}}`, got {}", where,
         what, io::yaml_kind(list));
  std::vector<Entry> entries;
  for (const YAML::Node& element : list) {
    const std::string element_where =
        io::yaml_line(element) > 0 ? io::yaml_where(source, element) : where;
    if (!element.IsMap())
      fail("{}: each '{}' entry must be a mapping of keys to values, got {}", element_where, what,
           io::yaml_kind(element));
    entries.push_back({element_where, read_settings(element, source, element_where, what)});
  }
  return entries;
}

// One `<selector>: {settings}` block under `overrides: <key>:` (or a scale's `<key>:`, which may
// set the key itself: `body: {gpt2: {body: minilm}}`). The selector is the mapping key, typed like
// any value (`1e-3:` is a number, `bit-memory:` a string).
Override read_override_block(const std::string& key, const YAML::Node& selector_node,
                             const YAML::Node& block, const std::string& source,
                             const std::string& where, const std::string& what) {
  const json raw      = io::yaml_scalar_to_json(selector_node, where + ": override '" + key + "'");
  const json selector = normalized(key, raw, where);
  Settings   settings =
      read_settings(block, source, where, what + "." + key + "." + value_text(selector));
  for (const Setting& setting : settings)
    if (setting.key == key && what == "overrides")
      fail("{}: override {}: {} may not set '{}' itself", setting.where, key, value_text(selector),
           key);
  return {key, selector, where, std::move(settings)};
}

// The blocks under `overrides: <key>:` (what = "overrides") or `scales: <name>: <key>:` (what =
// "scales.<name>"), appended to `overrides`.
void read_override_blocks(const std::string& key, const YAML::Node& blocks,
                          const std::string& source, std::vector<Override>& overrides,
                          const std::string& what = "overrides") {
  const size_t first = overrides.size();
  auto         visit = [&](const YAML::Node& selector_node, const YAML::Node& block,
                   const std::string& where) {
    Override override = read_override_block(key, selector_node, block, source, where, what);
    // `1e-3:` and `0.001:` are different YAML keys but the same value.
    for (size_t i = first; i < overrides.size(); ++i)
      if (overrides[i].selector == override.selector)
        fail("{}: override {}: {} is given twice (also at {})", where, key,
                     value_text(override.selector), overrides[i].where);
    overrides.push_back(std::move(override));
  };
  for_each_key(blocks, source, visit);
}

std::vector<Override> read_overrides(const YAML::Node& map, const std::string& source,
                                     const std::string& where) {
  require_mapping(map, where, "overrides");
  std::vector<Override> overrides;
  if (map.IsNull()) return overrides;
  auto visit = [&](const YAML::Node& key_node, const YAML::Node& blocks,
                   const std::string& key_where) {
    const std::string key = key_node.Scalar();
    require_spec_key(key, key_where);
    if (!blocks.IsMap())
      fail(
          "{}: overrides for '{}' must map each value of '{}' to a block of settings, e.g. "
          "`{}: {{<value>: {{steps: 600}}}}`, got {}",
          key_where, key, key, key, io::yaml_kind(blocks));
    read_override_blocks(key, blocks, source, overrides);
  };
  for_each_key(map, source, visit);
  return overrides;
}

// One scale: `<key>: <scalar>` (every experiment), `<key>: {<value>: {settings}}` (experiments
// whose key had that value) and `only: {<key>: [values]}`.
Scale read_scale(const std::string& name, const YAML::Node& map, const std::string& source,
                 const std::string& where) {
  const std::string what = "scales." + name;
  require_mapping(map, where, what);
  Scale scale{name, where, {}, {}, {}};
  if (map.IsNull()) return scale;
  for_each_key(
      map, source,
      [&](const YAML::Node& key_node, const YAML::Node& value, const std::string& key_where) {
        const std::string key = key_node.Scalar();
        if (key == "only") {
          scale.only = read_axes(value, source, key_where, what + ".only");
          return;
        }
        require_spec_key(key, key_where);
        if (value.IsMap()) {
          const size_t first = scale.overrides.size();
          read_override_blocks(key, value, source, scale.overrides, what);
          for (size_t i = first; i < scale.overrides.size(); ++i)
            for (const Setting& setting : scale.overrides[i].settings) check_value(setting);
          return;
        }
        if (value.IsSequence())
          fail(
              "{}: {}.{} is a list; a scale sets one value (`{}: 40`), sets values per value of "
              "the key (`{}: {{<value>: {{...}}}}`), or keeps some values with `only: {{{}: "
              "[...]}}`",
              key_where, what, key, key, key, key);
        const std::string value_where =
            io::yaml_line(value) > 0 ? io::yaml_where(source, value) : key_where;
        const json raw = io::yaml_scalar_to_json(value, value_where + ": key '" + key + "'");
        Setting    setting{key, normalized(key, raw, value_where), value_where};
        check_value(setting);
        scale.settings.push_back(setting);
      });
  return scale;
}

std::vector<Scale> read_scales(const YAML::Node& map, const std::string& source,
                               const std::string& where) {
  require_mapping(map, where, "scales");
  std::vector<Scale> scales;
  if (map.IsNull()) return scales;
  for_each_key(
      map, source,
      [&](const YAML::Node& name_node, const YAML::Node& block, const std::string& name_where) {
        const std::string name = name_node.Scalar();
        // The name becomes part of the results directory (results/<sweep>-<scale>).
        if (name.empty() || filesystem_safe(name) != name || name.find('+') != std::string::npos)
          fail("{}: scale name '{}' must use only letters, digits, '.', '_' and '-'", name_where,
               name);
        scales.push_back(read_scale(name, block, source, name_where));
      });
  return scales;
}

const Axis* find_axis(const std::vector<Axis>& axes, const std::string& key) {
  for (const Axis& axis : axes)
    if (axis.key == key) return &axis;
  return nullptr;
}

// Cross-checks that need the whole file: overrides must not set an axis key, and an override of
// an axis key must name a value that axis (or an include entry) has; anything else is a typo.
void check_overrides(const SweepFile& file) {
  for (const Override& override : file.overrides) {
    for (const Setting& setting : override.settings) {
      if (find_axis(file.axes, setting.key))
        fail(
            "{}: override {}: {} sets '{}', which is an axis; an override may not change an "
            "axis value (use exclude/include instead)",
            setting.where, override.key, value_text(override.selector), setting.key);
      check_value(setting);
    }
    const Axis* axis = find_axis(file.axes, override.key);
    if (!axis) {
      if (override.key == "body" || override.key == "init" || override.key == "task")
        core::check_known(override.key, override.selector.get<std::string>(), override.where);
      continue;
    }
    bool                     known = false;
    std::vector<std::string> values;
    for (const Setting& value : axis->values) {
      values.push_back(value_text(value.value));
      known = known || value.value == override.selector;
    }
    for (const Entry& include : file.includes)
      for (const Setting& setting : include.settings)
        known = known || (setting.key == override.key && setting.value == override.selector);
    if (!known)
      fail(
          "{}: override for {} '{}' matches no value of the '{}' axis ({}) or of an include "
          "entry; a typo?",
          override.where, override.key, value_text(override.selector), override.key,
          fmt::join(values, ", "));
  }
}

// One top-level `key: value` of the sweep file into `file`.
void read_top_level_key(SweepFile& file, const std::string& key, const YAML::Node& value,
                        const std::string& where, std::string& name_where) {
  const std::string& source = file.source;
  if (key == "name") {
    file.name  = read_text(value, where, key);
    name_where = where;
  } else if (key == "description") {
    read_text(value, where, key);  // for people reading the file; checked, not used
  } else if (key == "output") {
    file.output = read_text(value, where, key);
  } else if (key == "runtime") {
    file.runtime = read_runtime(value, source, where);
  } else if (key == "defaults") {
    file.defaults = read_settings(value, source, where, "defaults");
    for (const Setting& setting : file.defaults) check_value(setting);
  } else if (key == "axes") {
    file.axes = read_axes(value, source, where);
  } else if (key == "overrides") {
    file.overrides = read_overrides(value, source, where);
  } else if (key == "include") {
    file.includes = read_entries(value, source, where, "include");
    for (const Entry& entry : file.includes)
      for (const Setting& setting : entry.settings) check_value(setting);
  } else if (key == "scales") {
    file.scales       = read_scales(value, source, where);
    file.scales_where = where;
  } else if (key == "tables") {
    file.tables       = read_table_names(value, where);
    file.tables_where = where;
  } else if (key == "exclude") {
    file.excludes      = read_entries(value, source, where, "exclude");
    file.exclude_where = where;
    for (const Entry& entry : file.excludes)
      if (entry.settings.empty())
        fail("{}: an exclude entry with no keys would drop every experiment", entry.where);
  } else {
    fail("{}: unknown top-level key '{}'; valid keys: {}", where, key,
         fmt::join(top_level_keys(), ", "));
  }
}

SweepFile read_sweep_file(const std::string& yaml_text, const std::string& source) {
  const YAML::Node root = io::parse_yaml(yaml_text, source);
  if (!root.IsDefined() || root.IsNull())
    fail("{}: the sweep file is empty; see docs/sweep-format.md", source);
  if (!root.IsMap())
    fail("{}: a sweep file must be a mapping with keys {}, got {}", io::yaml_where(source, root),
         fmt::join(top_level_keys(), ", "), io::yaml_kind(root));

  SweepFile file;
  file.source = source;
  file.name   = std::filesystem::path(source).stem().string();  // unless `name:` says otherwise
  std::string name_where = source;
  auto visit = [&](const YAML::Node& key_node, const YAML::Node& value, const std::string& where) {
    read_top_level_key(file, key_node.Scalar(), value, where, name_where);
  };
  for_each_key(root, source, visit);
  check_sweep_name(file.name, name_where);
  check_overrides(file);
  return file;
}

void apply(core::ExperimentSpec& spec, const Settings& settings) {
  for (const Setting& setting : settings)
    core::set_spec_key(spec, setting.key, setting.value, setting.where);
}

// Applies every override whose key/value matches `matched` (the spec before any override, so
// overrides do not chain); two matching overrides that set one key differently are an error.
void apply_overrides(core::ExperimentSpec& spec, const core::ExperimentSpec& matched,
                     const std::vector<Override>& overrides) {
  std::map<std::string, const Setting*> set_by;
  for (const Override& override : overrides) {
    if (core::get_spec_key(matched, override.key) != override.selector) continue;
    for (const Setting& setting : override.settings) {
      auto [it, first] = set_by.emplace(setting.key, &setting);
      if (!first && it->second->value != setting.value)
        fail(
            "{}: this override and the one at {} both set '{}' for {} ({} vs {}); set it in one "
            "place (an include entry, or one override)",
            setting.where, it->second->where, setting.key, core::default_tag(matched),
            value_text(setting.value), value_text(it->second->value));
      core::set_spec_key(spec, setting.key, setting.value, setting.where);
    }
  }
}

bool matches(const core::ExperimentSpec& spec, const Entry& entry) {
  for (const Setting& setting : entry.settings)
    if (core::get_spec_key(spec, setting.key) != setting.value) return false;
  return true;
}

std::string make_tag(const core::ExperimentSpec& spec, const std::vector<Axis>& axes) {
  std::string tag = core::default_tag(spec);
  for (const Axis& axis : axes)
    if (!in_default_tag(axis.key))
      tag += "_" + axis.key + value_text(core::get_spec_key(spec, axis.key));
  return filesystem_safe(tag);
}

// Every grid point (first axis outermost), minus excluded ones, then the include entries.
std::vector<core::ExperimentSpec> expand(const SweepFile& file) {
  core::ExperimentSpec defaults;
  apply(defaults, file.defaults);

  std::vector<core::ExperimentSpec> specs;
  if (!file.axes.empty()) {
    std::vector<size_t> index(file.axes.size(), 0);
    size_t              points = 0;
    for (bool done = false; !done; ++points) {
      core::ExperimentSpec spec = defaults;
      for (size_t a = 0; a < file.axes.size(); ++a) {
        const Setting& value = file.axes[a].values[index[a]];
        core::set_spec_key(spec, value.key, value.value, value.where);
      }
      const core::ExperimentSpec matched = spec;
      apply_overrides(spec, matched, file.overrides);
      const bool excluded = std::any_of(file.excludes.begin(), file.excludes.end(),
                                        [&](const Entry& entry) { return matches(spec, entry); });
      if (!excluded) specs.push_back(spec);
      // Odometer step: the last axis turns fastest.
      done = true;
      for (size_t a = file.axes.size(); a-- > 0;) {
        if (++index[a] < file.axes[a].values.size()) {
          done = false;
          break;
        }
        index[a] = 0;
      }
    }
    if (specs.empty())
      fail("{}: exclude removes all {} grid points; nothing is left to run", file.exclude_where,
           points);
  }
  for (const Entry& include : file.includes) {
    core::ExperimentSpec spec = defaults;
    apply(spec, include.settings);
    const core::ExperimentSpec matched = spec;
    apply_overrides(spec, matched, file.overrides);
    apply(spec, include.settings);  // an include entry's own keys win over overrides
    specs.push_back(spec);
  }
  if (specs.empty())
    fail("{}: the sweep defines no experiments; give `axes:` and/or `include:`", file.source);
  return specs;
}

bool matches_where(const core::ExperimentSpec& spec, const std::string& key,
                   const std::vector<std::string>& values) {
  const nlohmann::json actual = core::get_spec_key(spec, key);
  for (const std::string& value : values) {
    if (actual.is_string() && actual.get<std::string>() == value) return true;
    if (actual.is_boolean() && (value == "true") == actual.get<bool>() &&
        (value == "true" || value == "false"))
      return true;
    if (actual.is_number()) {
      try {
        size_t used = 0;
        if (std::stod(value, &used) == actual.get<double>() && used == value.size()) return true;
      } catch (const std::exception&) {
      }
    }
  }
  return false;
}

// The scale --scale names, or nullptr for none; an unknown name lists the file's scales.
const Scale* find_scale(const SweepFile& file, const std::string& name) {
  if (name.empty()) return nullptr;
  std::vector<std::string> names;
  for (const Scale& scale : file.scales) {
    if (scale.name == name) return &scale;
    names.push_back(scale.name);
  }
  if (names.empty())
    fail("{}: --scale {}: this sweep file defines no `scales:`; see docs/sweep-format.md",
         file.source, name);
  fail("{}: key 'scales': --scale {}: no such scale; this file defines: {}", file.scales_where,
       name, fmt::join(names, ", "));
}

// Applies `scale` to one expanded experiment: its scalar settings, then its blocks matched on the
// spec before the scale; `matched[i]` records that block i matched some experiment.
void apply_scale(core::ExperimentSpec& spec, const Scale& scale, std::vector<bool>& matched) {
  const core::ExperimentSpec before = spec;
  apply(spec, scale.settings);
  for (size_t i = 0; i < scale.overrides.size(); ++i)
    if (core::get_spec_key(before, scale.overrides[i].key) == scale.overrides[i].selector)
      matched[i] = true;
  apply_overrides(spec, before, scale.overrides);
}

bool kept_by_only(const core::ExperimentSpec& spec, const Scale& scale) {
  for (const Axis& only : scale.only) {
    const json actual = core::get_spec_key(spec, only.key);
    if (std::none_of(only.values.begin(), only.values.end(),
                     [&](const Setting& value) { return value.value == actual; }))
      return false;
  }
  return true;
}

std::vector<PlannedExperiment> plan_experiments(const SweepFile& file, const PlanOptions& options) {
  std::vector<PlannedExperiment> experiments;
  std::map<std::string, size_t>  index_of_id;
  auto                           add = [&](PlannedExperiment experiment) -> PlannedExperiment& {
    auto found = index_of_id.find(experiment.id);
    if (found != index_of_id.end()) return experiments[found->second];
    index_of_id[experiment.id] = experiments.size();
    experiments.push_back(std::move(experiment));
    return experiments.back();
  };
  size_t            unmatched = 0, unrunnable = 0, outside_scale = 0;
  const Scale*      scale = find_scale(file, options.scale);
  std::vector<bool> scale_matched(scale ? scale->overrides.size() : 0, false);
  for (core::ExperimentSpec spec : expand(file)) {
    if (scale) apply_scale(spec, *scale, scale_matched);
    for (const auto& [key, value] : options.set) {
      const std::string where = "--set " + key + "=" + value;
      core::set_spec_key_from_text(spec, key, value, where);
      check_value({key, core::get_spec_key(spec, key), where});
    }
    // --where sees the values the experiment runs with (lr 0 resolved to its default, e.g. 1e-3).
    spec = core::resolve_defaults(spec);
    if (scale && !kept_by_only(spec, *scale)) {
      ++outside_scale;
      continue;
    }
    bool keep = true;
    for (const auto& [key, values] : options.where) keep = keep && matches_where(spec, key, values);
    if (!keep) {
      ++unmatched;
      continue;
    }
    if (options.only_runnable && !unrunnable_reason(spec).empty()) {
      ++unrunnable;
      continue;
    }
    add({spec, core::experiment_id(spec), make_tag(spec, file.axes), estimated_cost(spec)});
  }
  for (size_t i = 0; i < scale_matched.size(); ++i)
    if (!scale_matched[i])
      fail("{}: scale {}: {} '{}' matches no experiment of the grid; a typo?",
           scale->overrides[i].where, scale->name, scale->overrides[i].key,
           value_text(scale->overrides[i].selector));
  if (experiments.empty())
    fail(
        "{}: no experiment is left after the scale's `only` ({} dropped), --where ({} dropped) "
        "and --only-runnable ({} dropped)",
        file.source, outside_scale, unmatched, unrunnable);
  // init: bit needs its body's Bit Memory pretraining, once per body, in the same plan (if the
  // grid itself contains that exact experiment, it is the one that saves its body).
  const size_t grid_size = experiments.size();
  for (size_t index = 0; index < grid_size; ++index) {
    if (experiments[index].spec.init != "bit") continue;
    const core::ExperimentSpec pretraining = core::bit_pretraining_spec(experiments[index].spec);
    const std::string          id          = core::experiment_id(pretraining);
    PlannedExperiment&         provider =
        add({pretraining, id, core::default_tag(pretraining) + "_bit-pretraining",
             estimated_cost(pretraining)});
    provider.provides_body        = true;
    experiments[index].depends_on = id;
  }
  // Different experiments can share a tag (an include entry differing only in a non-axis key):
  // the id's first 8 digits keep their tags, and so their file names, apart.
  std::map<std::string, int> tag_count;
  for (const PlannedExperiment& experiment : experiments) ++tag_count[experiment.tag];
  for (PlannedExperiment& experiment : experiments)
    if (tag_count[experiment.tag] > 1) experiment.tag += "_" + experiment.id.substr(0, 8);

  std::sort(experiments.begin(), experiments.end(),
            [](const PlannedExperiment& a, const PlannedExperiment& b) {
              if (a.provides_body != b.provides_body) return a.provides_body;
              if (a.cost != b.cost) return a.cost > b.cost;
              if (a.tag != b.tag) return a.tag < b.tag;
              return a.id < b.id;
            });
  return experiments;
}

}  // namespace

int ranks_for(const SweepRuntime& runtime, const core::ExperimentSpec& spec, int available_ranks) {
  const auto found = runtime.ranks_per_task.find(spec.task);
  return std::min(
      found != runtime.ranks_per_task.end() ? found->second : runtime.ranks_per_experiment,
      available_ranks);
}

std::filesystem::path bit_body_path(const std::filesystem::path& output_dir,
                                    const std::string&           id) {
  return output_dir / "bodies" / (id + ".safetensors");
}

std::filesystem::path checkpoint_path(const std::filesystem::path& output_dir,
                                      const std::string&           id) {
  return output_dir / "checkpoints" / (id + ".pt");
}

std::string unrunnable_reason(const core::ExperimentSpec& spec) {
  for (const auto& [what, name] : {std::pair<std::string, std::string>{"task", spec.task},
                                   {"body", spec.body},
                                   {"init", spec.init}})
    if (!core::is_available(what, name))
      return fmt::format("{} '{}' is not available in this build yet", what, name);
  return "";
}

SweepPlan parse_sweep(const std::string& yaml_text, const std::string& source_name,
                      const PlanOptions& options) {
  const SweepFile file = read_sweep_file(yaml_text, source_name);
  SweepPlan       plan;
  plan.name       = file.name;
  plan.source     = source_name;
  plan.output_dir = file.output.empty() ? std::filesystem::path("results") / file.name
                                        : std::filesystem::path(file.output);
  plan.scale      = options.scale;
  for (const Scale& scale : file.scales) plan.scale_names.push_back(scale.name);
  // A scaled grid has other ids: its own directory, so it never mixes with the full-size results.
  if (!options.scale.empty()) {
    std::filesystem::path directory = plan.output_dir;
    if (directory.filename().empty()) directory = directory.parent_path();  // "results/x/"
    plan.output_dir =
        directory.parent_path() / (directory.filename().string() + "-" + options.scale);
  }
  for (const auto& [key, values] : options.where) {
    if (!core::is_spec_key(key))
      fail("--where {}: unknown key; valid keys: {}", key, core::valid_spec_keys_text());
    if (values.empty()) fail("--where {}: give one or more comma-separated values", key);
  }
  plan.experiments  = plan_experiments(file, options);
  plan.runtime      = file.runtime;
  plan.tables       = file.tables;
  plan.tables_where = file.tables_where;
  plan.source_text  = yaml_text;
  return plan;
}

SweepPlan load_sweep(const std::filesystem::path& path, const PlanOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(
        "{}: cannot read the sweep file (does it exist? paths are relative to the current "
        "directory)",
        path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_sweep(text.str(), path.string(), options);
}

}  // namespace fpt::sweep
