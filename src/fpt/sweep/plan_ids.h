// Plan ids: which grid a results directory holds — `<output_dir>/plan_ids.txt`, the sorted ids of
// the grid last run into it (the sweep file with its --set changes, before --where and
// --only-runnable pick a part of it). fpt_sweep compares a new run's grid with it to catch the
// usual mistake of editing a sweep file (new steps or lr: all new ids) and rerunning into the old
// results directory, which would mix two grids' results in one table. No torch, no MPI.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fpt/sweep/grid.h"

namespace fpt::sweep {

// `<output_dir>/plan_ids.txt`.
std::filesystem::path plan_ids_file(const std::filesystem::path& output_dir);

// The ids of `plan`'s experiments, sorted and unique.
std::set<std::string> plan_ids(const SweepPlan& plan);

// The ids recorded in `output_dir`, or nullopt when none are (a new directory, or one from before
// this record existed). Throws fpt::Error naming file:line for a line that is not an id.
std::optional<std::set<std::string>> read_plan_ids(const std::filesystem::path& output_dir);

// Records `ids` as the grid of `output_dir` (atomically: a crash leaves the old or the new list).
void write_plan_ids(const std::filesystem::path& output_dir, const std::set<std::string>& ids);

// "" when `grid` may run into `output_dir`: no ids recorded there, or the same set. Otherwise the
// reason it may not: the directory, how many ids differ each way, and the two ways out (--output
// for a new directory, --force to run this grid into it anyway).
std::string grid_change_error(const std::filesystem::path& output_dir,
                              const std::set<std::string>& grid);

}  // namespace fpt::sweep
