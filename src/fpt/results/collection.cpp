#include "fpt/results/collection.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "fpt/core/error.h"
#include "fpt/core/experiment_spec.h"
#include "fpt/io/atomic_file.h"
#include "fpt/io/hdf5_file.h"
#include "fpt/io/yaml_value.h"
#include "fpt/results/compound_table.h"
#include "fpt/results/run_file.h"

namespace fpt::results {

namespace fs = std::filesystem;
using Kind   = CompoundColumn::Kind;

namespace {

// `name:` of the sweep file fpt_sweep keeps in the results directory, or "" without one.
std::string recorded_sweep_name(const fs::path& dir) {
  const fs::path  path = dir / "sweep.yaml";
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return "";
  std::ifstream      in(path);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) fail("{}: cannot read the sweep file kept with these results", path.string());
  const YAML::Node root = io::parse_yaml(text.str(), path.string());
  if (!root.IsMap() || !root["name"] || !root["name"].IsScalar()) return "";
  return root["name"].as<std::string>();
}

std::vector<fs::path> run_file_paths(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error))
    fail("{}: not a results directory (expected results/<sweep>/ with one <id>.h5 per experiment)",
         dir.string());
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".h5" && entry.is_regular_file()) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Why `result` does not belong to this directory's sweep and grid, or "".
std::string foreign_reason(const core::RunResult& result, const std::string& sweep,
                           const CollectOptions& options, const fs::path& dir) {
  if (!sweep.empty() && result.sweep != sweep)
    return fmt::format("written by sweep '{}', but {} holds sweep '{}'", result.sweep, dir.string(),
                       sweep);
  if (options.plan_ids && !options.plan_ids->count(result.id))
    return fmt::format("experiment {} is not in {} (a result of another grid)", result.id,
                       (dir / "plan_ids.txt").string());
  return "";
}

// Files of several sweeps and no name to pick one by: refused, naming the sweeps.
void check_single_sweep(const std::vector<core::RunResult>& results, const fs::path& dir) {
  std::map<std::string, int> counts;
  for (const auto& result : results) ++counts[result.sweep];
  if (counts.size() <= 1) return;
  std::string names;
  for (const auto& [name, count] : counts)
    names += fmt::format("{}'{}': {}", names.empty() ? "" : ", ", name, count);
  fail(
      "{}: run files of {} different sweeps ({}) and no sweep.yaml naming the sweep; choose one "
      "with --sweep NAME",
      dir.string(), counts.size(), names);
}

void refuse_foreign(const Collection& collection) {
  std::string listed;
  for (size_t i = 0; i < collection.foreign.size() && i < 5; ++i)
    listed += fmt::format("\n  {}: {}", collection.foreign[i].path.string(),
                          collection.foreign[i].reason);
  if (collection.foreign.size() > 5)
    listed += fmt::format("\n  ... and {} more", collection.foreign.size() - 5);
  fail(
      "{}: {} run file(s) belong to another sweep or grid:{}\nMove them away, or pass "
      "--foreign skip (leave them out) or --foreign include (tabulate them anyway)",
      collection.directory.string(), collection.foreign.size(), listed);
}

}  // namespace

ForeignFiles parse_foreign_files(const std::string& text) {
  if (text == "refuse") return ForeignFiles::refuse;
  if (text == "skip") return ForeignFiles::skip;
  if (text == "include") return ForeignFiles::include;
  fail("--foreign: '{}' is not one of refuse, skip, include", text);
}

Collection collect_run_files(const fs::path& dir, const CollectOptions& options) {
  Collection collection;
  collection.directory = dir;
  collection.sweep     = options.sweep_name.empty() ? recorded_sweep_name(dir) : options.sweep_name;
  for (const fs::path& path : run_file_paths(dir)) {
    core::RunResult result;
    try {
      result = read_run_file(path);
    } catch (const std::exception& error) {
      collection.corrupted.push_back({path, error.what()});
      continue;
    }
    const std::string reason = foreign_reason(result, collection.sweep, options, dir);
    if (!reason.empty()) {
      collection.foreign.push_back({path, reason});
      if (options.foreign != ForeignFiles::include) continue;
    }
    collection.results.push_back(std::move(result));
  }
  if (!collection.foreign.empty() && options.foreign == ForeignFiles::refuse)
    refuse_foreign(collection);
  collection.foreign_included = options.foreign == ForeignFiles::include;
  if (collection.sweep.empty() && !collection.foreign_included)
    check_single_sweep(collection.results, dir);
  std::sort(collection.results.begin(), collection.results.end(),
            [](const core::RunResult& a, const core::RunResult& b) {
              return std::tie(a.tag, a.id) < std::tie(b.tag, b.id);
            });
  return collection;
}

fs::path collection_path(const fs::path& dir) {
  fs::path clean = dir.lexically_normal();
  if (clean.filename().empty()) clean = clean.parent_path();  // "results/table2/"
  return clean.parent_path() / (clean.filename().string() + ".h5");
}

namespace {

CompoundColumn text_column(const std::string& name, const std::vector<core::RunResult>& results,
                           std::string (*get)(const core::RunResult&)) {
  CompoundColumn column{name, Kind::text, {}, {}, {}};
  for (const auto& result : results) column.texts.push_back(get(result));
  return column;
}
CompoundColumn real_column(const std::string& name, const std::vector<core::RunResult>& results,
                           double (*get)(const core::RunResult&)) {
  CompoundColumn column{name, Kind::real, {}, {}, {}};
  for (const auto& result : results) column.reals.push_back(get(result));
  return column;
}
CompoundColumn integer_column(const std::string& name, const std::vector<core::RunResult>& results,
                              int64_t (*get)(const core::RunResult&)) {
  CompoundColumn column{name, Kind::integer, {}, {}, {}};
  for (const auto& result : results) column.integers.push_back(get(result));
  return column;
}

// Every spec key as a column of its own type (the axes of any sweep are among them).
CompoundColumn spec_column(const core::SpecKey& key, const std::vector<core::RunResult>& results) {
  const Kind     kinds[] = {Kind::text, Kind::integer, Kind::real, Kind::boolean};
  CompoundColumn column{key.name, kinds[static_cast<int>(key.type)], {}, {}, {}};
  for (const auto& result : results) {
    const nlohmann::json value = core::get_spec_key(result.spec, key.name);
    switch (key.type) {
      case core::KeyType::text:
        column.texts.push_back(value.get<std::string>());
        break;
      case core::KeyType::integer:
        column.integers.push_back(value.get<int64_t>());
        break;
      case core::KeyType::real:
        column.reals.push_back(value.get<double>());
        break;
      case core::KeyType::boolean:
        column.integers.push_back(value.get<bool>() ? 1 : 0);
        break;
    }
  }
  return column;
}

std::vector<CompoundColumn> summary_columns(const std::vector<core::RunResult>& results) {
  using R                             = core::RunResult;
  std::vector<CompoundColumn> columns = {
      text_column("id", results, [](const R& r) { return r.id; }),
      text_column("tag", results, [](const R& r) { return r.tag; }),
      text_column("sweep", results, [](const R& r) { return r.sweep; }),
  };
  for (const auto& key : core::spec_keys()) columns.push_back(spec_column(key, results));
  const std::vector<CompoundColumn> outcome = {
      text_column("status", results, [](const R& r) { return r.status; }),
      text_column("error", results, [](const R& r) { return r.error; }),
      real_column("headline_accuracy", results, [](const R& r) { return r.headline_accuracy(); }),
      real_column("final_eval_accuracy", results, [](const R& r) { return r.final_eval_accuracy; }),
      real_column("final_eval_loss", results, [](const R& r) { return r.final_eval_loss; }),
      real_column("final_train_accuracy", results,
                  [](const R& r) { return r.final_train_accuracy; }),
      real_column("final_train_loss", results, [](const R& r) { return r.final_train_loss; }),
      text_column("full_eval_split", results, [](const R& r) { return r.full_eval_split; }),
      integer_column("full_eval_examples", results,
                     [](const R& r) { return r.full_eval_examples; }),
      real_column("full_eval_accuracy", results, [](const R& r) { return r.full_eval_accuracy; }),
      real_column("full_eval_loss", results, [](const R& r) { return r.full_eval_loss; }),
      integer_column("steps_done", results, [](const R& r) { return r.steps_done; }),
      real_column("wall_seconds", results, [](const R& r) { return r.wall_seconds; }),
      real_column("samples_per_second", results, [](const R& r) { return r.samples_per_second; }),
      integer_column("group_size", results,
                     [](const R& r) { return static_cast<int64_t>(r.group_size); }),
      integer_column("resumed_from_step", results, [](const R& r) { return r.resumed_from_step; }),
      text_column("host", results, [](const R& r) { return r.host; }),
      text_column("started_at", results, [](const R& r) { return r.started_at; }),
      text_column("finished_at", results, [](const R& r) { return r.finished_at; }),
      text_column("git_commit", results, [](const R& r) { return r.git_commit; }),
  };
  columns.insert(columns.end(), outcome.begin(), outcome.end());
  return columns;
}

void write_curves(const io::Hdf5Node& root, const std::vector<core::RunResult>& results) {
  const io::Hdf5Node curves = root.create_group("curves");
  for (const auto& result : results) write_curve_columns(curves, result.id, result.curve);
}

void write_skipped(const io::Hdf5Node& root, const Collection& collection) {
  std::vector<std::string> files, kinds, reasons;
  for (const auto& skipped : collection.corrupted) {
    files.push_back(skipped.path.filename().string());
    kinds.push_back("corrupted");
    reasons.push_back(skipped.reason);
  }
  for (const auto& skipped : collection.foreign) {
    files.push_back(skipped.path.filename().string());
    kinds.push_back(collection.foreign_included ? "foreign-included" : "foreign");
    reasons.push_back(skipped.reason);
  }
  const io::Hdf5Node group = root.create_group("skipped");
  group.write_dataset("file", files);
  group.write_dataset("kind", kinds);
  group.write_dataset("reason", reasons);
}

}  // namespace

void write_collection(const fs::path& path, const Collection& collection) {
  try {
    io::write_atomically(path, [&](const fs::path& temporary) {
      io::Hdf5File        file = io::Hdf5File::create(temporary);
      const io::Hdf5Node& root = file.root();
      root.write_attribute("format", kCollectionFormat);
      root.write_attribute("format_version", kCollectionFormatVersion);
      root.write_attribute("sweep", collection.sweep);
      root.write_attribute("directory", collection.directory.string());
      root.write_attribute("experiments", static_cast<int64_t>(collection.results.size()));
      write_compound_table(root, "summary", summary_columns(collection.results));
      write_curves(root, collection.results);
      write_skipped(root, collection);
      file.close();
    });
  } catch (const Error& error) {
    fail("cannot write the collection {}: {}", path.string(), error.what());
  }
}

std::string describe_skipped(const Collection& collection) {
  std::string text;
  for (const auto& skipped : collection.corrupted)
    text += fmt::format("skipped corrupted file {}: {}\n", skipped.path.string(), skipped.reason);
  for (const auto& skipped : collection.foreign)
    text += fmt::format("{} foreign file {}: {}\n",
                        collection.foreign_included ? "included" : "skipped", skipped.path.string(),
                        skipped.reason);
  return text;
}

}  // namespace fpt::results
