// run_sweep: runs a sweep plan on every rank of the MPI world. Rank 0 is the coordinator: it
// skips experiments whose result file says completed, hands the rest out one at a time, longest
// first, to whichever worker asks next, prints progress, and at the end prints the results table.
// Every rank is a worker — runtime.experiments_per_gpu worker threads per rank, each running one
// experiment at a time; rank 0's run beside the coordinator, so `-np 1` works. An experiment with
// a worker group of N ranks runs on one worker of each of N distinct ranks (one allreduce per
// step). A stop signal makes every running experiment checkpoint; run_sweep then returns 75.
#pragma once

#include <string>

#include "fpt/dist/world.h"
#include "fpt/sweep/grid.h"

namespace fpt::sweep {

struct SweepRunOptions {
  bool retry_failed = false;  // rerun experiments whose result file says failed
  int  threads      = 0;      // intra-op threads per worker (0: sweep runtime, else auto)
};

// Collective: every rank calls it. `plan` matters on rank 0 only. Returns the process exit code:
// 0 when every experiment of the plan completed, 1 when any failed, 75 (kInterruptedExitCode) when
// stopped by a signal with the unfinished experiments checkpointed.
int run_sweep(const SweepPlan& plan, const dist::World& world, const SweepRunOptions& options);

// Worker side of the protocol for ranks > 0 (called by run_sweep): `slots` worker threads, each
// with `threads_per_slot` intra-op threads, relayed to the coordinator by the calling thread.
void run_remote_worker(const dist::World& world, int slots, int threads_per_slot);

// Path of an experiment's result file in the sweep's output directory.
std::string result_path(const SweepPlan& plan, const std::string& id);

}  // namespace fpt::sweep
