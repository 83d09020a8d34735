// Grid: a sweep file (YAML, see docs/sweep-format.md) read, validated and expanded into the list of
// experiments it names, each with its stable id (hash of the canonical spec), a readable tag and a
// relative cost. Pure data, no torch: the coordinator hands the experiments out, longest first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
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
  // init: bit — the id of the Bit Memory pretraining experiment (in the same plan) whose saved
  // body this experiment starts from; it runs only after that one completed. "" = none.
  std::string depends_on;
  // This experiment's trained body is saved (bit_body_path) for the experiments that depend on it.
  bool provides_body = false;
};

// Where the body trained by the pretraining experiment `id` is saved inside a results directory.
std::filesystem::path bit_body_path(const std::filesystem::path& output_dir, const std::string& id);

// Where the trainable-state checkpoint of experiment `id` is kept while it is unfinished
// (`<output_dir>/checkpoints/<id>.pt`); removed when the experiment completes.
std::filesystem::path checkpoint_path(const std::filesystem::path& output_dir,
                                      const std::string&           id);

// Settings of how a sweep runs, not of what it computes: they never change an experiment id.
struct SweepRuntime {
  int64_t threads              = 0;    // intra-op threads per rank; 0 = let LibTorch decide
  double  status_every_seconds = 30;   // how often rank 0 logs progress
  int64_t checkpoint_every     = 200;  // steps between trainable-state checkpoints; 0 = only on
                                       // a stop signal
  int ranks_per_experiment = 1;        // data-parallel worker group size (capped at the ranks)
  std::map<std::string, int> ranks_per_task;  // per-task group size, e.g. {cifar10: 4}
  int64_t micro_batches = 1;  // gradient accumulation: micro-batches per rank and step
  // experiments each rank runs at once, on its GPU (or splitting its CPU threads): packs small
  // experiments that alone would leave a device idle
  int64_t experiments_per_gpu = 1;
  // signals that make every worker checkpoint and fpt_sweep exit (75) for a later resume
  std::vector<std::string> stop_signals = {"TERM", "USR2", "HUP"};
};

// The worker group size of `spec` in a sweep with `runtime`: ranks_per_task[task], else
// ranks_per_experiment, capped at `available_ranks` (the ranks the sweep was started on).
int ranks_for(const SweepRuntime& runtime, const core::ExperimentSpec& spec,
              int available_ranks = std::numeric_limits<int>::max());

struct SweepPlan {
  std::string           name;        // `name:` or the file stem
  std::filesystem::path source;      // the sweep file as given
  std::filesystem::path output_dir;  // `output:` or results/<name>; "-<scale>" appended when scaled
  std::string           scale;       // the `scales:` entry applied (--scale), "" = full size
  std::vector<std::string> scale_names;  // every `scales:` entry of the file, in file order
  // unique ids; body providers (bit pretraining) first, then cost descending, ties by tag
  std::vector<PlannedExperiment> experiments;
  SweepRuntime                   runtime;
  std::string                    source_text;  // the file's text, kept with the results
  // `tables:` the paper's tables the sweep is written to fill (fpt_tables names): printed in full
  // at its end, beside those whose definition names this sweep. Checked by fpt_sweep (the grid
  // does not know the tables).
  std::vector<std::string> tables;
  std::string              tables_where;  // "file:line" of `tables:` for messages
};

// Command-line changes to a sweep file's grid (fpt_sweep --scale / --set / --where /
// --only-runnable).
struct PlanOptions {
  // A `scales:` entry of the file (--scale tiny), applied to every experiment after the file's own
  // settings and before --set: it changes the ids and, by default, the results directory
  // (results/<name>-<scale>). An unknown name is an error listing the file's scales.
  std::string scale;
  // KEY=VALUE applied to every experiment after the file's own settings (they change the ids:
  // e.g. --set body=gpt2-tiny --set steps=200 runs a paper grid at a small size).
  std::vector<std::pair<std::string, std::string>> set;
  // Keep only experiments whose KEY has one of the values (--where init=random,bit).
  std::vector<std::pair<std::string, std::vector<std::string>>> where;
  // Drop experiments whose body, init or task this build cannot run yet.
  bool only_runnable = false;
};

// Reads `path` and expands it; every error names the file, the 1-based line and the key.
SweepPlan load_sweep(const std::filesystem::path& path, const PlanOptions& options = {});

// The same from text; `source_name` stands for the file in messages and gives the default name.
SweepPlan parse_sweep(const std::string& yaml_text, const std::string& source_name,
                      const PlanOptions& options = {});

// Why this build cannot run `spec` ("task 'mnist' is not available in this build yet"), or "".
std::string unrunnable_reason(const core::ExperimentSpec& spec);

// The --dry-run text: a header, one line per experiment (index, id, tag, steps, cost and its share
// of the total) and the totals.
std::string describe_plan(const SweepPlan& plan);

}  // namespace fpt::sweep
