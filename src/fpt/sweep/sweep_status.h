// Sweep status: what `fpt_sweep status sweeps/X.yaml` prints — the state of every experiment of a
// plan in its results directory, and the counts. Result files are the ground truth for done and
// failed; the ledger (ledger.jsonl) adds running, interrupted and errors whose result file could
// not be written; a checkpoint file marks an experiment the next run resumes. Reads only: safe to
// run while the sweep runs. No torch, no MPI.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fpt/sweep/grid.h"
#include "fpt/sweep/ledger.h"

namespace fpt::sweep {

struct ExperimentStatus {
  const PlannedExperiment* experiment = nullptr;
  // done | failed | damaged (result file unreadable) | running | interrupted | left
  std::string state;
  std::string detail;  // accuracy, error, rank and start time, checkpoint step, ...
};

// The state of each of `plan`'s experiments, in plan order, from its result files, checkpoint
// files and `ledger` (Ledger::read). `sweep_running`: whether an fpt_sweep holds the ledger now
// (Ledger::in_use; nullopt: cannot tell, "running" entries are then believed). An unreadable result
// file is reported as damaged, never thrown.
std::vector<ExperimentStatus> experiment_statuses(const SweepPlan&                          plan,
                                                  const std::map<std::string, LedgerEntry>& ledger,
                                                  std::optional<bool> sweep_running);

// The status report: a header (sweep, directory, whether an fpt_sweep runs there), one line per
// experiment (state, id, tag, detail), the counts and what to do next. A ledger that cannot be
// read (named file:line) or a plan_ids.txt that lists another grid adds a warning line; the
// report then rests on the result and checkpoint files.
std::string describe_status(const SweepPlan& plan);

}  // namespace fpt::sweep
