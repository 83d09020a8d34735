#include "fpt/results/tables/load_sweep_results.h"

#include "fpt/sweep/plan_ids.h"

namespace fpt::results::tables {

Collection load_sweep_results(const std::filesystem::path& dir, CollectOptions options) {
  if (!options.plan_ids) options.plan_ids = sweep::read_plan_ids(dir);
  return collect_run_files(dir, options);
}

}  // namespace fpt::results::tables
