// Grid: a sweep file (YAML, see docs/sweep-format.md) read, validated and expanded into the list of
// experiments it names, each with its stable id (hash of the canonical spec), a readable tag and a
// relative cost. Pure data, no torch: the coordinator hands the experiments out, longest first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fpt/core/experiment_spec.h"
#include "fpt/sweep/grid_cost.h"

namespace fpt::sweep {

struct PlannedExperiment {
  core::ExperimentSpec spec;      // defaults, axis values, overrides, include keys all applied
  std::string          id;        // core::experiment_id(spec): 16 hex digits
  std::string          tag;       // default_tag + "_<key><value>" per other axis; filesystem-safe
  double               cost = 0;  // estimated_cost(spec), relative
};

// Settings of how a sweep runs, not of what it computes: they never change an experiment id.
struct SweepRuntime {
  int64_t threads              = 0;   // intra-op threads per rank; 0 = let LibTorch decide
  double  status_every_seconds = 30;  // how often rank 0 logs progress
};

struct SweepPlan {
  std::string                    name;         // `name:` or the file stem
  std::filesystem::path          source;       // the sweep file as given
  std::filesystem::path          output_dir;   // `output:` or results/<name>
  std::vector<PlannedExperiment> experiments;  // unique ids, cost descending, ties by tag
  SweepRuntime                   runtime;
  std::string                    source_text;  // the file's text, kept with the results
};

// Reads `path` and expands it; every error names the file, the 1-based line and the key.
SweepPlan load_sweep(const std::filesystem::path& path);

// The same from text; `source_name` stands for the file in messages and gives the default name.
SweepPlan parse_sweep(const std::string& yaml_text, const std::string& source_name);

// The --dry-run text: a header, one line per experiment (index, id, tag, steps, cost and its share
// of the total) and the totals.
std::string describe_plan(const SweepPlan& plan);

}  // namespace fpt::sweep
