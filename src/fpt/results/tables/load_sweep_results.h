// Loading a sweep's results directory for tables: collect_run_files with the grid recorded in
// the directory's plan_ids.txt (sweep::read_plan_ids), so results of another grid are caught.
#pragma once

#include <filesystem>

#include "fpt/results/collection.h"

namespace fpt::results::tables {

// `options.plan_ids` is filled from <dir>/plan_ids.txt when the directory has one (and the
// caller gave none). Throws fpt::Error as collect_run_files does.
Collection load_sweep_results(const std::filesystem::path& dir, CollectOptions options = {});

}  // namespace fpt::results::tables
