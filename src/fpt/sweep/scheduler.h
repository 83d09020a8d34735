// Scheduler: the coordinator's queue of a sweep — which experiments are left (result files that
// say completed, or failed unless retrying, are skipped), in plan order (bit pretraining first,
// then longest first), and which may start now: an `init: bit` experiment waits until its Bit
// Memory pretraining completed and saved its body, and fails without running if that pretraining
// failed. Pure bookkeeping, no MPI, so it is tested on its own.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "fpt/sweep/grid.h"

namespace fpt::sweep {

class Scheduler {
 public:
  Scheduler(const SweepPlan& plan, bool retry_failed);

  // The next experiment that can start now (marked running), or nullptr if none can: either
  // nothing is left (exhausted()), everything left waits for a running pretraining, or — with
  // `fits` — no waiting experiment fits (e.g. its worker group needs more idle ranks). Plan order
  // (longest first) otherwise.
  const PlannedExperiment* next(
      const std::function<bool(const PlannedExperiment&)>& fits = nullptr);
  // Experiments whose pretraining failed, each with the reason; they leave the queue.
  std::vector<std::pair<const PlannedExperiment*, std::string>> take_blocked();
  // A started experiment finished.
  void finished(const std::string& id, bool completed, const std::string& error = "");
  // A started experiment stopped with a checkpoint (a stop signal): not finished, not requeued
  // in this run (the sweep is stopping); a rerun resumes it.
  void interrupted(const std::string& id);
  // Experiments still queued (never started in this run).
  size_t left() const { return queue_.size(); }

  bool   exhausted() const { return queue_.empty(); }
  int    to_run() const { return to_run_; }
  int    already_completed() const { return already_completed_; }
  int    already_failed() const { return already_failed_; }
  double total_cost() const { return total_cost_; }

 private:
  enum class State { pending, running, completed, failed };
  const SweepPlan&                                              plan_;
  std::vector<const PlannedExperiment*>                         queue_;  // plan order
  std::map<std::string, State>                                  state_;
  std::map<std::string, std::string>                            error_;
  std::map<std::string, std::string>                            tag_;
  std::vector<std::pair<const PlannedExperiment*, std::string>> blocked_;
  int                                                           to_run_            = 0;
  int                                                           already_completed_ = 0;
  int                                                           already_failed_    = 0;
  double                                                        total_cost_        = 0;
};

}  // namespace fpt::sweep
