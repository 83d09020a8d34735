// Learning curves of a sweep's results: per task, one line per configuration (everything but the
// seed: usually the init), each the evaluation accuracy (the periodic running estimate, %) against
// the step, averaged over the seeds with a band of ± one sample standard deviation. Written as
// gnuplot data (one block per line) for fpt_figures.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fpt/core/run_result.h"

namespace fpt::results {

// The accuracy (%) at one step over the runs of a line that evaluated at that step.
struct CurveStatistic {
  int64_t step = 0;
  int64_t runs = 0;  // seeds averaged here
  double  mean = 0;
  double  std  = 0;  // sample standard deviation (n − 1); 0 for a single run
  double  min  = 0;
  double  max  = 0;
};

// The runs of one configuration (they differ only in seed).
struct CurveLine {
  std::string              label;  // the settings that tell the task's lines apart, e.g. "random"
  std::vector<std::string> tags;   // the runs averaged, sorted
  std::vector<CurveStatistic> points;  // by step
};

struct TaskCurves {
  std::string            task;
  std::vector<CurveLine> lines;  // sorted by label
};

// A results directory read for figures and tables: completed runs, and what was left out.
struct ResultsDirectory {
  std::vector<core::RunResult> completed;
  std::vector<std::string>     failed;      // "tag: error" of failed experiments
  std::vector<std::string>     unreadable;  // "file: reason" of .h5 files that are not run files
};

// Every `*.h5` directly in `directory` (temporary `*.h5.tmp.*` files are not). Throws fpt::Error
// when the directory does not exist or holds no run file at all.
ResultsDirectory read_results_directory(const std::filesystem::path& directory);

// The curves of `runs`, tasks in the paper's order. Bit Memory pretrainings (`init: bit`'s shared
// body, tag ending "_bit-pretraining") are no row of any table and are left out, as are points
// whose accuracy was not measured. A line's label lists the spec keys whose values differ between
// the task's lines (body, init and trains by value, others as key=value), or body, init and
// trains when the task has a single line.
std::vector<TaskCurves> learning_curves(const std::vector<core::RunResult>& runs);

// gnuplot data for one task: `#` comment lines, then per line a block of rows
//   step  runs  mean  lower  upper  std  min  max       (lower/upper = mean ∓ std)
// blocks separated by two blank lines (gnuplot `index 0`, `index 1`, ...).
std::string curve_data_text(const TaskCurves& curves);

}  // namespace fpt::results
