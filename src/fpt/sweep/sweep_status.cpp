#include "fpt/sweep/sweep_status.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "fpt/results/run_file.h"
#include "fpt/sweep/plan_ids.h"

namespace fpt::sweep {
namespace {

namespace fs = std::filesystem;

const char* const kStates[] = {"done", "failed", "damaged", "running", "interrupted", "left"};

std::string rank_text(int rank) {
  return rank >= 0 ? fmt::format("rank {}", rank) : "a rank";
}

std::string done_detail(const core::RunResult& result) {
  const double accuracy = result.headline_accuracy();
  return fmt::format("{}, {} steps, {:.0f} s",
                     std::isnan(accuracy) ? std::string("accuracy not measured")
                                          : fmt::format("{:.1f}% accuracy", 100.0 * accuracy),
                     result.steps_done, result.wall_seconds);
}

ExperimentStatus status_of(const SweepPlan& plan, const PlannedExperiment& experiment,
                           const LedgerEntry* last, std::optional<bool> sweep_running) {
  ExperimentStatus status;
  status.experiment          = &experiment;
  const fs::path  result     = plan.output_dir / (experiment.id + ".h5");
  const fs::path  checkpoint = checkpoint_path(plan.output_dir, experiment.id);
  std::error_code error;
  const bool      has_result     = fs::exists(result, error);
  const bool      has_checkpoint = fs::exists(checkpoint, error);

  // A live "running" entry wins over an older result file: a --retry-failed rerun is under way.
  if (last && last->status == "running" && sweep_running.value_or(true)) {
    status.state  = "running";
    status.detail = fmt::format("on {} since {}", rank_text(last->rank), last->time);
    if (has_checkpoint) status.detail += ", resumed from a checkpoint";
    if (!sweep_running)
      status.detail += " (cannot tell whether fpt_sweep still runs; if not, it was interrupted)";
    return status;
  }
  if (has_result) {
    try {
      const core::RunResult run = results::read_run_file(result);
      if (run.completed()) {
        status.state  = "done";
        status.detail = done_detail(run);
      } else {
        status.state  = "failed";
        status.detail = !run.error.empty() ? run.error
                        : last && last->status == "failed" && !last->error.empty()
                            ? last->error
                            : "no error recorded";
      }
    } catch (const std::exception& failure) {
      status.state  = "damaged";
      status.detail = fmt::format("{}; delete it to run this experiment again", failure.what());
    }
    return status;
  }
  if (has_checkpoint) {
    status.state  = "interrupted";
    status.detail = last && last->status == "interrupted" && last->step > 0
                        ? fmt::format("checkpoint at step {}", last->step)
                        : fmt::format("checkpoint {}", checkpoint.string());
    status.detail += "; the next run resumes it";
    return status;
  }
  if (!last) {
    status.state = "left";
    if (!experiment.depends_on.empty())
      for (const PlannedExperiment& other : plan.experiments)
        if (other.id == experiment.depends_on) status.detail = "after " + other.tag;
    return status;
  }
  if (last->status == "running" || last->status == "interrupted") {
    status.state  = "interrupted";
    status.detail = fmt::format(
        "{} on {} at {}; no checkpoint: the next run starts it again",
        last->status == "running" || last->error.empty() ? std::string("stopped") : last->error,
        rank_text(last->rank), last->time);
  } else if (last->status == "failed") {
    status.state  = "failed";
    status.detail = fmt::format("{} (no result file: the next run tries it again)",
                                last->error.empty() ? "no error recorded" : last->error);
  } else {  // completed, but the result file is gone
    status.state  = "left";
    status.detail = fmt::format("completed at {} but {} is gone; the next run runs it again",
                                last->time, result.string());
  }
  return status;
}

}  // namespace

std::vector<ExperimentStatus> experiment_statuses(const SweepPlan&                          plan,
                                                  const std::map<std::string, LedgerEntry>& ledger,
                                                  std::optional<bool> sweep_running) {
  std::vector<ExperimentStatus> statuses;
  for (const PlannedExperiment& experiment : plan.experiments) {
    const auto found = ledger.find(experiment.id);
    statuses.push_back(status_of(plan, experiment, found == ledger.end() ? nullptr : &found->second,
                                 sweep_running));
  }
  return statuses;
}

std::string describe_status(const SweepPlan& plan) {
  const std::optional<bool> running  = Ledger::in_use(plan.output_dir);
  const char*               activity = !running   ? "cannot tell whether an fpt_sweep runs there: "
                                                    "its ledger cannot be locked"
                                       : *running ? "an fpt_sweep is running there now"
                                                  : "no fpt_sweep is running there";
  std::string text = fmt::format("sweep '{}' from {}: {} experiments, results in {} ({})\n",
                                 plan.name, plan.source.string(), plan.experiments.size(),
                                 plan.output_dir.string(), activity);

  std::map<std::string, LedgerEntry> ledger;
  try {
    ledger = Ledger::read(plan.output_dir);
  } catch (const std::exception& error) {
    text += fmt::format("warning: {}; showing what the result and checkpoint files say\n",
                        error.what());
  }
  try {
    const auto recorded = read_plan_ids(plan.output_dir);
    if (recorded) {
      size_t unknown = 0;
      for (const PlannedExperiment& experiment : plan.experiments)
        unknown += !recorded->count(experiment.id);
      if (unknown > 0)
        text += fmt::format(
            "warning: {} of these experiments are not in the grid last run into {} ({}); was the "
            "sweep file or a --set changed since?\n",
            unknown, plan.output_dir.string(), plan_ids_file(plan.output_dir).filename().string());
    }
  } catch (const std::exception& error) {
    text += fmt::format("warning: {}\n", error.what());
  }

  const std::vector<ExperimentStatus> statuses  = experiment_statuses(plan, ledger, running);
  size_t                              tag_width = 3;
  for (const ExperimentStatus& status : statuses)
    tag_width = std::max(tag_width, status.experiment->tag.size());
  text += fmt::format("{:<11}  {:<16}  {:<{}}  {}\n", "state", "id", "tag", tag_width, "detail");
  std::map<std::string, int> count;
  for (const ExperimentStatus& status : statuses) {
    ++count[status.state];
    text += fmt::format("{:<11}  {:<16}  {:<{}}  {}\n", status.state, status.experiment->id,
                        status.experiment->tag, tag_width, status.detail);
  }
  std::string counts;
  for (const char* state : kStates)
    if (count[state] > 0 || std::string(state) != "damaged")
      counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", count[state], state);
  text += fmt::format("{} of {} experiments\n", counts, statuses.size());

  if (running && *running) return text;
  if (count["interrupted"] + count["left"] > 0)
    text +=
        "To finish: run the same fpt_sweep command again (interrupted experiments resume from "
        "their checkpoints).\n";
  if (count["failed"] > 0) text += "To rerun the failed experiments: add --retry-failed.\n";
  if (count["damaged"] > 0)
    text += "To redo the damaged ones: delete their result files and run again.\n";
  return text;
}

}  // namespace fpt::sweep
