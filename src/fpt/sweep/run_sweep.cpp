#include "fpt/sweep/run_sweep.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"
#include "fpt/results/run_file.h"
#include "fpt/results/summary_table.h"
#include "fpt/sweep/progress.h"
#include "fpt/sweep/scheduler.h"
#include "fpt/sweep/worker.h"

namespace fpt::sweep {
namespace {

namespace fs = std::filesystem;

// Rank 0's own worker thread talks to the coordinator through this channel instead of MPI.
class LocalChannel {
 public:
  // Worker side: blocks until the coordinator answers; nullopt means stop.
  std::optional<Assignment> request() {
    std::unique_lock lock(mutex_);
    wants_work_ = true;
    answered_.wait(lock, [&] { return answer_.has_value() || stop_; });
    wants_work_ = false;
    if (answer_) {
      Assignment assignment = std::move(*answer_);
      answer_.reset();
      return assignment;
    }
    return std::nullopt;
  }
  void report(Report report) {
    std::lock_guard lock(mutex_);
    reports_.push_back(std::move(report));
  }

  // Coordinator side.
  bool wants_work() {
    std::lock_guard lock(mutex_);
    return wants_work_ && !answer_ && !stop_;
  }
  void assign(Assignment assignment) {
    std::lock_guard lock(mutex_);
    answer_ = std::move(assignment);
    answered_.notify_all();
  }
  void stop() {
    std::lock_guard lock(mutex_);
    stop_ = true;
    answered_.notify_all();
  }
  std::optional<Report> take_report() {
    std::lock_guard lock(mutex_);
    if (reports_.empty()) return std::nullopt;
    Report report = std::move(reports_.front());
    reports_.pop_front();
    return report;
  }

 private:
  std::mutex                mutex_;
  std::condition_variable   answered_;
  bool                      wants_work_ = false;
  bool                      stop_       = false;
  std::optional<Assignment> answer_;
  std::deque<Report>        reports_;
};

WorkerContext worker_context(const dist::World& world, int threads) {
  WorkerContext context;
  context.rank            = world.rank();
  context.local_rank      = world.local_rank();
  context.host            = world.host();
  context.default_threads = threads > 0 ? threads : world.default_threads();
  return context;
}

int threads_for(const SweepPlan& plan, const SweepRunOptions& options) {
  if (options.threads > 0) return options.threads;
  return static_cast<int>(plan.runtime.threads);
}

}  // namespace

std::string result_path(const SweepPlan& plan, const std::string& id) {
  return (plan.output_dir / (id + ".h5")).string();
}

void run_remote_worker(const dist::World& world) {
  WorkerContext context = worker_context(world, 0);
  for (;;) {
    world.send_text(0, kRequestTag, "");
    dist::ReceivedText message = world.receive_any();
    if (message.tag == kStopTag) return;
    Assignment assignment = assignment_from_json(nlohmann::json::parse(message.text));
    Report     report     = run_assignment(assignment, context);
    world.send_text(0, kReportTag, to_json(report).dump());
  }
}

int run_sweep(const SweepPlan& plan, const dist::World& world, const SweepRunOptions& options) {
  if (world.rank() != 0) {
    run_remote_worker(world);
    return 0;
  }
  const int threads = threads_for(plan, options);

  // What is left to do: result files that say completed (or failed, unless retrying) are kept.
  Scheduler scheduler(plan, options.retry_failed);
  fmt::print(
      "sweep {}: {} experiments, {} to run, {} already completed, {} failed earlier{} | "
      "{} ranks, {} threads each | results in {}\n",
      plan.name, plan.experiments.size(), scheduler.to_run(), scheduler.already_completed(),
      scheduler.already_failed(),
      scheduler.already_failed() && !options.retry_failed ? " (--retry-failed reruns them)" : "",
      world.size(), threads > 0 ? fmt::to_string(threads) : "auto", plan.output_dir.string());
  std::fflush(stdout);

  Progress                      progress(scheduler.to_run(), scheduler.total_cost());
  std::map<std::string, double> cost_of;
  for (const auto& experiment : plan.experiments) cost_of[experiment.id] = experiment.cost;
  std::vector<Report> reports;

  auto record = [&](const Report& report) {
    progress.finished(report, cost_of[report.id]);
    scheduler.finished(report.id, report.status == "completed", report.error);
    reports.push_back(report);
  };
  // An experiment whose pretraining failed is recorded failed (with a result file, so that a
  // rerun with --retry-failed runs it again) without running.
  auto record_blocked = [&]() {
    for (const auto& [experiment, reason] : scheduler.take_blocked()) {
      core::RunResult result;
      result.spec = experiment->spec, result.id = experiment->id, result.tag = experiment->tag;
      result.sweep = plan.name, result.status = "failed", result.error = reason;
      bool written = false;
      try {
        results::write_run_file(result_path(plan, experiment->id), result);
        written = true;
      } catch (const std::exception& error) {
        result.error += std::string("; could not write the result file: ") + error.what();
      }
      progress.started(experiment->tag, 0);
      record(report_for(result, written));
    }
  };
  auto next_assignment = [&]() -> std::optional<Assignment> {
    const PlannedExperiment* experiment = scheduler.next();
    record_blocked();
    if (!experiment) return std::nullopt;
    Assignment assignment;
    assignment.id          = experiment->id;
    assignment.tag         = experiment->tag;
    assignment.sweep       = plan.name;
    assignment.result_path = result_path(plan, experiment->id);
    assignment.threads     = threads;
    assignment.spec        = experiment->spec;
    if (experiment->provides_body)
      assignment.save_body_path = bit_body_path(plan.output_dir, experiment->id).string();
    if (!experiment->depends_on.empty())
      assignment.init_body_path = bit_body_path(plan.output_dir, experiment->depends_on).string();
    return assignment;
  };

  // Rank 0's worker thread (never calls MPI).
  // The channel is shared with the thread so that it outlives this frame if the thread is detached.
  auto          channel = std::make_shared<LocalChannel>();
  LocalChannel& local   = *channel;
  std::thread   local_worker([channel, context = worker_context(world, threads)] {
    while (auto assignment = channel->request())
      channel->report(run_assignment(*assignment, context));
  });
  bool          local_running = true;
  int           remote_active = world.size() - 1;
  // Ranks that asked for work while everything left waited for a pretraining; answered later.
  std::deque<int> waiting_ranks;

  // A coordinator error (e.g. a report it cannot parse) leaves the worker thread running: stop
  // it from taking more work and detach it before rethrowing, so unwinding does not destroy a
  // joinable std::thread (std::terminate); fpt_sweep then aborts the whole MPI job with the error.
  try {
    while (local_running || remote_active > 0) {
      bool busy = false;
      if (auto message = world.try_receive_any()) {
        busy = true;
        if (message->tag == kRequestTag) {
          waiting_ranks.push_back(message->source);
        } else if (message->tag == kReportTag) {
          record(report_from_json(nlohmann::json::parse(message->text)));
        }
      }
      while (auto report = local.take_report()) {
        busy = true;
        record(*report);
      }
      while (!waiting_ranks.empty()) {
        const int rank = waiting_ranks.front();
        if (auto assignment = next_assignment()) {
          progress.started(assignment->tag, rank);
          world.send_text(rank, kAssignTag, to_json(*assignment).dump());
        } else if (scheduler.exhausted()) {
          world.send_text(rank, kStopTag, "");
          --remote_active;
        } else {
          break;  // everything left waits for a running pretraining
        }
        waiting_ranks.pop_front();
        busy = true;
      }
      if (local_running && local.wants_work()) {
        if (auto assignment = next_assignment()) {
          busy = true;
          progress.started(assignment->tag, 0);
          local.assign(std::move(*assignment));
        } else if (scheduler.exhausted()) {
          busy = true;
          local.stop();
          local_running = false;
        }
      }
      progress.maybe_print_status(plan.runtime.status_every_seconds);
      if (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } catch (...) {
    local.stop();
    local_worker.detach();
    throw;
  }
  local_worker.join();
  while (auto report = local.take_report()) record(*report);
  progress.maybe_print_status(0, true);

  // The table covers the whole plan: this run's results and earlier ones, read back from files.
  std::vector<core::RunResult>         results_for_table;
  int                                  failed = 0;
  std::map<std::string, const Report*> report_of;
  for (const Report& report : reports) report_of[report.id] = &report;
  for (const PlannedExperiment& experiment : plan.experiments) {
    const std::string path = result_path(plan, experiment.id);
    try {
      results_for_table.push_back(results::read_run_file(path));
    } catch (const std::exception& error) {
      // No readable file (e.g. the worker could not write it): the report still says what failed.
      core::RunResult missing;
      missing.id = experiment.id, missing.tag = experiment.tag, missing.spec = experiment.spec;
      missing.status = "failed";
      auto found     = report_of.find(experiment.id);
      missing.error  = found != report_of.end() ? found->second->error : error.what();
      results_for_table.push_back(missing);
    }
    if (!results_for_table.back().completed()) ++failed;
  }
  const std::string table = results::markdown_summary_table(results_for_table);
  fmt::print("\nResults of sweep {} (accuracy %, mean ± std over seeds):\n\n{}\n", plan.name,
             table);
  const fs::path summary = plan.output_dir / "summary.md";
  try {
    io::write_text_atomically(summary, "# Sweep " + plan.name + "\n\n" + table);
    fmt::print("Result files: {}/<id>.h5 ({} experiments); this table: {}\n",
               plan.output_dir.string(), plan.experiments.size(), summary.string());
  } catch (const std::exception& error) {
    fmt::print(stderr, "warning: {}\n", error.what());
  }
  if (failed > 0) {
    fmt::print(stderr, "{} of {} experiments failed:\n", failed, plan.experiments.size());
    for (const auto& result : results_for_table)
      if (!result.completed())
        fmt::print(stderr, "  {} ({}): {}\n", result.tag, result.id, result.error);
  }
  std::fflush(stdout);
  return failed > 0 ? 1 : 0;
}

}  // namespace fpt::sweep
