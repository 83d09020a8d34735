#include "fpt/sweep/scheduler.h"

#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "fpt/results/run_file.h"

namespace fpt::sweep {

Scheduler::Scheduler(const SweepPlan& plan, bool retry_failed) : plan_(plan) {
  std::map<std::string, std::string> status_of;
  for (const PlannedExperiment& experiment : plan.experiments)
    status_of[experiment.id] =
        results::read_run_status((plan.output_dir / (experiment.id + ".h5")).string()).value_or("");
  // A pretraining whose saved body went missing runs again, but only if a dependent that will run
  // needs the file (when all of them are finished, the body is not needed any more).
  std::set<std::string> body_needed;
  for (const PlannedExperiment& experiment : plan.experiments) {
    const std::string& status = status_of[experiment.id];
    if (!experiment.depends_on.empty() && status != "completed" &&
        (status != "failed" || retry_failed))
      body_needed.insert(experiment.depends_on);
  }
  for (const PlannedExperiment& experiment : plan.experiments) {
    tag_[experiment.id]       = experiment.tag;
    const std::string& status = status_of[experiment.id];
    const bool         body_missing =
        experiment.provides_body && body_needed.count(experiment.id) &&
        !std::filesystem::exists(bit_body_path(plan.output_dir, experiment.id));
    if (status == "completed" && !body_missing) {
      state_[experiment.id] = State::completed;
      ++already_completed_;
    } else if (status == "failed" && !retry_failed) {
      state_[experiment.id] = State::failed;
      error_[experiment.id] = "failed in an earlier run (--retry-failed reruns it)";
      ++already_failed_;
    } else {
      state_[experiment.id] = State::pending;
      queue_.push_back(&experiment);
      total_cost_ += experiment.cost;
    }
  }
  to_run_ = static_cast<int>(queue_.size());
}

const PlannedExperiment* Scheduler::next(
    const std::function<bool(const PlannedExperiment&)>& fits) {
  for (auto it = queue_.begin(); it != queue_.end();) {
    const PlannedExperiment* experiment = *it;
    if (!experiment->depends_on.empty()) {
      const auto  dependency = state_.find(experiment->depends_on);
      const State state      = dependency == state_.end() ? State::failed : dependency->second;
      if (state == State::failed) {
        blocked_.emplace_back(experiment,
                              fmt::format("its Bit Memory pretraining {} ({}) failed: {}",
                                          tag_[experiment->depends_on], experiment->depends_on,
                                          error_[experiment->depends_on]));
        state_[experiment->id] = State::failed;
        it                     = queue_.erase(it);
        continue;
      }
      if (state != State::completed) {
        ++it;  // waits for the pretraining
        continue;
      }
    }
    if (fits && !fits(*experiment)) {
      ++it;  // needs more ranks than are idle; a smaller one may start meanwhile
      continue;
    }
    queue_.erase(it);
    state_[experiment->id] = State::running;
    return experiment;
  }
  return nullptr;
}

std::vector<std::pair<const PlannedExperiment*, std::string>> Scheduler::take_blocked() {
  return std::exchange(blocked_, {});
}

void Scheduler::interrupted(const std::string& id) {
  state_[id] = State::pending;
}

void Scheduler::finished(const std::string& id, bool completed, const std::string& error) {
  state_[id] = completed ? State::completed : State::failed;
  if (!completed) error_[id] = error;
}

}  // namespace fpt::sweep
