// The end-of-sweep summary: a Markdown table of headline accuracy (%) with rows for each
// (body, init, trains) and one column per task, aggregated over seeds as mean ± sample std.
#pragma once

#include <string>
#include <vector>

#include "fpt/core/run_result.h"

namespace fpt::results {

// Rows are the distinct (body, init, trains) in first-seen order — split further by any extra axis
// a sweep's tags carry (e.g. "gpt2 / random / fpt lr0.0001"), so only seeds are averaged — columns
// the tasks in the paper's order (core::known_tasks(); unknown names last). A cell aggregates
// headline_accuracy() × 100 over the completed runs that landed in it:
//   "95.0 ± 7.1 (n=2)"            mean ± sample standard deviation (n − 1), one decimal
//   "99.8 (n=1)"                  a single completed run
//   "99.8 (n=1), failed 1/2"      some runs failed (failed / all runs in the cell)
//   "failed"                      every run failed
//   "—"                           no run for this (row, column)
// A completed run without a measured accuracy (NaN) is left out of the mean and counted as
// "unmeasured k/n" like a failure. Every result is counted: the caller passes one result per
// experiment (and filters out other settings, e.g. a second learning rate, if it wants them apart).
std::string markdown_summary_table(const std::vector<core::RunResult>& results);

}  // namespace fpt::results
