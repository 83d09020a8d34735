#include "fpt/sweep/run_sweep.h"

#include <algorithm>
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
#include <torch/cuda.h>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"
#include "fpt/results/run_file.h"
#include "fpt/results/summary_table.h"
#include "fpt/results/tables/available_tables.h"
#include "fpt/sweep/ledger.h"
#include "fpt/sweep/progress.h"
#include "fpt/sweep/scheduler.h"
#include "fpt/sweep/stop_signal.h"
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

// The worker threads ("slots") of one rank: runtime.experiments_per_gpu experiments at once, each
// on its own thread with its share of the rank's CPU threads (and the rank's GPU). Channels are
// shared with the threads so that they outlive the pool if the threads are detached.
class SlotPool {
 public:
  SlotPool(int slots, const WorkerContext& context) {
    for (int slot = 0; slot < slots; ++slot) {
      auto channel = std::make_shared<LocalChannel>();
      channels_.push_back(channel);
      threads_.emplace_back([channel, context] {
        while (auto assignment = channel->request())
          if (auto report = run_assignment(*assignment, context))
            channel->report(std::move(*report));
      });
    }
  }
  ~SlotPool() {
    for (auto& channel : channels_) channel->stop();
    for (auto& thread : threads_)
      if (thread.joinable()) thread.join();
  }
  SlotPool(const SlotPool&)            = delete;
  SlotPool& operator=(const SlotPool&) = delete;

  int           size() const { return static_cast<int>(channels_.size()); }
  LocalChannel& slot(int index) { return *channels_[static_cast<size_t>(index)]; }
  // After an error: stop the threads taking work and let them go (unwinding must not join a
  // thread that is mid-experiment, nor destroy a joinable one).
  void abandon() {
    for (auto& channel : channels_) channel->stop();
    for (auto& thread : threads_)
      if (thread.joinable()) thread.detach();
  }

 private:
  std::vector<std::shared_ptr<LocalChannel>> channels_;
  std::vector<std::thread>                   threads_;
};

int slot_of(const std::string& text) {
  if (text.empty()) return 0;
  return nlohmann::json::parse(text).value("slot", 0);
}
std::string slot_message(int slot) {
  return nlohmann::json{{"slot", slot}}.dump();
}

int threads_for(const SweepPlan& plan, const SweepRunOptions& options) {
  if (options.threads > 0) return options.threads;
  return static_cast<int>(plan.runtime.threads);
}

}  // namespace

std::string result_path(const SweepPlan& plan, const std::string& id) {
  return (plan.output_dir / (id + ".h5")).string();
}

void run_remote_worker(const dist::World& world, int slots, int threads_per_slot) {
  SlotPool          pool(slots, worker_context(world, threads_per_slot));
  std::vector<bool> requested(static_cast<size_t>(slots), false);
  std::vector<bool> stopped(static_cast<size_t>(slots), false);
  int               running = slots;
  // This thread relays between the coordinator and the slots; the slots never wait on MPI here.
  try {
    while (running > 0) {
      bool busy = false;
      for (int slot = 0; slot < slots; ++slot) {
        if (stopped[static_cast<size_t>(slot)]) continue;
        // A slot reports, then asks for work: read the request first, so that its report (already
        // queued) goes out before it — the coordinator never stops a slot with a report pending.
        const bool wants = pool.slot(slot).wants_work();
        while (auto report = pool.slot(slot).take_report()) {
          world.send_text(0, kReportTag, to_json(*report).dump());
          busy = true;
        }
        if (wants && !requested[static_cast<size_t>(slot)]) {
          world.send_text(0, kRequestTag, slot_message(slot));
          requested[static_cast<size_t>(slot)] = true;
          busy                                 = true;
        }
      }
      if (auto message = world.try_receive_any()) {
        busy           = true;
        const int slot = slot_of(message->text);
        if (slot < 0 || slot >= slots) fail("coordinator addressed slot {} of {}", slot, slots);
        requested[static_cast<size_t>(slot)] = false;
        if (message->tag == kStopTag) {
          pool.slot(slot).stop();
          stopped[static_cast<size_t>(slot)] = true;
          --running;
        } else if (message->tag == kAssignTag) {
          pool.slot(slot).assign(assignment_from_json(nlohmann::json::parse(message->text)));
        }
      }
      if (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  } catch (...) {
    pool.abandon();
    throw;
  }
}

namespace {

// Every experiment's worker group must split its global batch evenly, and groups need
// MPI_THREAD_MULTIPLE; checked before any experiment starts.
void check_group_sizes(const SweepPlan& plan, int world_size, bool thread_multiple) {
  for (const PlannedExperiment& experiment : plan.experiments) {
    const int ranks = ranks_for(plan.runtime, experiment.spec, world_size);
    if (ranks > 1 && !thread_multiple)
      fail(
          "{}: {} needs a worker group of {} ranks, but this MPI library does not provide "
          "MPI_THREAD_MULTIPLE on every rank; use an MPI built with thread support, or set "
          "runtime.ranks_per_experiment / ranks_per_task to 1",
          plan.source.string(), experiment.tag, ranks);
    const int64_t parts = ranks * plan.runtime.micro_batches;
    if (experiment.spec.batch_size % parts != 0)
      fail(
          "{}: {} ({}): batch_size {} does not split into {} ranks × {} micro-batches; choose a "
          "batch size divisible by {} or change runtime.ranks_per_experiment / ranks_per_task / "
          "micro_batches",
          plan.source.string(), experiment.tag, experiment.id, experiment.spec.batch_size, ranks,
          plan.runtime.micro_batches, parts);
  }
}

}  // namespace

int run_sweep(const SweepPlan& plan, const dist::World& world, const SweepRunOptions& options) {
  // Every rank stops on the sweep's stop signals (only rank 0 read the sweep file).
  install_stop_signal_handlers(signals_from_mask(
      world.broadcast_int(world.rank() == 0 ? signal_mask(plan.runtime.stop_signals) : 0)));
  // Worker slots per rank and their intra-op threads (a rank's threads shared among its slots).
  const int slots = world.broadcast_int(
      world.rank() == 0 ? static_cast<int>(plan.runtime.experiments_per_gpu) : 0);
  const int rank_threads = world.rank() == 0 ? threads_for(plan, options) : 0;
  const int threads_per_slot =
      world.broadcast_int(rank_threads > 0 ? std::max(1, rank_threads / slots) : 0);
  if (world.rank() != 0) {
    run_remote_worker(
        world, slots,
        threads_per_slot > 0 ? threads_per_slot : std::max(1, world.default_threads() / slots));
    return 0;
  }
  const int threads = threads_per_slot;
  check_group_sizes(plan, world.size(), world.thread_multiple());
  // Two NCCL groups sharing GPUs from different threads can enqueue their kernels in different
  // orders on different GPUs: a deadlock NCCL cannot resolve. On GPUs, pack or group — not both.
  if (slots > 1 && torch::cuda::is_available())
    for (const PlannedExperiment& experiment : plan.experiments)
      if (ranks_for(plan.runtime, experiment.spec, world.size()) > 1)
        fail(
            "{}: runtime.experiments_per_gpu {} with worker groups ({} needs {} ranks) on GPUs "
            "can deadlock NCCL; set experiments_per_gpu: 1 or ranks_per_experiment/ranks_per_task "
            "to 1",
            plan.source.string(), slots, experiment.tag, ranks_for(plan.runtime, experiment.spec));

  // What is left to do: result files that say completed (or failed, unless retrying) are kept.
  Ledger ledger(plan.output_dir);
  // With the ledger locked no other sweep writes here: what a crashed run left half-written goes.
  const size_t stale = io::remove_stale_temporaries(plan.output_dir) +
                       io::remove_stale_temporaries(plan.output_dir / "checkpoints");
  if (stale > 0)
    fmt::print("removed {} temporary files a crashed run left in {}\n", stale,
               plan.output_dir.string());
  Scheduler scheduler(plan, options.retry_failed);
  fmt::print(
      "sweep {}{}: {} experiments, {} to run, {} already completed, {} failed earlier{} | "
      "{} ranks, {} threads each | results in {}\n",
      plan.name, plan.scale.empty() ? "" : " at scale " + plan.scale, plan.experiments.size(),
      scheduler.to_run(), scheduler.already_completed(), scheduler.already_failed(),
      scheduler.already_failed() && !options.retry_failed ? " (--retry-failed reruns them)" : "",
      world.size(), threads > 0 ? fmt::to_string(threads) : "auto", plan.output_dir.string());
  std::fflush(stdout);

  Progress                      progress(scheduler.to_run(), scheduler.total_cost());
  std::map<std::string, double> cost_of;
  for (const auto& experiment : plan.experiments) cost_of[experiment.id] = experiment.cost;
  std::vector<Report> reports;
  int                 interrupted = 0;
  bool                draining    = false;  // a stop signal: hand out nothing more

  auto record = [&](const Report& report) {
    if (report.status == "interrupted") {
      ++interrupted;
      draining = true;  // one worker stopping means the job is being stopped
      progress.interrupted(report);
      scheduler.interrupted(report.id);
      ledger.append(ledger_entry(report.id, report.tag, "interrupted", report.rank,
                                 report.steps_done, report.error));
      return;
    }
    progress.finished(report, cost_of[report.id]);
    scheduler.finished(report.id, report.status == "completed", report.error);
    ledger.append(ledger_entry(report.id, report.tag, report.status, report.rank, 0, report.error));
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

  // Rank 0's worker slots (threads that never call MPI outside a worker group).
  SlotPool pool(
      slots,
      worker_context(world, threads > 0 ? threads : std::max(1, world.default_threads() / slots)));
  struct Worker {
    int rank = 0;
    int slot = 0;
  };
  std::deque<Worker> idle;  // workers that asked for work and have none yet
  std::vector<bool>  local_idle(static_cast<size_t>(slots), false);
  int                active         = world.size() * slots;  // workers not yet told to stop
  int                next_group_tag = 1;
  // Requests seen so far: the first assignments wait until every worker has asked once, so the
  // longest experiments (often the widest groups) start first instead of losing their ranks to
  // whichever single-rank experiment the first worker to ask could take.
  int workers_seen = 0;
  // Distinct ranks among the idle workers (a group needs one worker on each of its ranks).
  auto idle_ranks = [&]() {
    std::vector<int> ranks;
    for (const Worker& worker : idle)
      if (std::find(ranks.begin(), ranks.end(), worker.rank) == ranks.end())
        ranks.push_back(worker.rank);
    return ranks;
  };
  // Takes one idle worker of `rank` out of the idle list.
  auto take_worker = [&](int rank) {
    for (auto it = idle.begin(); it != idle.end(); ++it)
      if (it->rank == rank) {
        Worker worker = *it;
        idle.erase(it);
        return worker;
      }
    fail("internal: no idle worker on rank {}", rank);
  };

  // Hands out as much work as the idle ranks can take: the first experiment (plan order: longest
  // first) whose worker group fits the idle ranks, again and again — so a group never waits while
  // an experiment it could run is left.
  auto assign_work = [&]() -> bool {
    bool assigned = false;
    if (workers_seen < world.size() * slots && !scheduler.exhausted()) return false;
    while (!idle.empty() && !draining) {
      const size_t             single_capacity = idle.size();
      const size_t             group_capacity  = idle_ranks().size();
      const PlannedExperiment* experiment = scheduler.next([&](const PlannedExperiment& candidate) {
        const int ranks = ranks_for(plan.runtime, candidate.spec, world.size());
        return ranks == 1 ? single_capacity >= 1 : group_capacity >= static_cast<size_t>(ranks);
      });
      record_blocked();
      if (!experiment) break;
      const int ranks = ranks_for(plan.runtime, experiment->spec, world.size());
      // Members: one idle worker on each of `ranks` distinct ranks — remote ranks first, so rank 0
      // keeps coordinating promptly — led by the lowest rank.
      std::vector<Worker> members;
      if (ranks == 1) {
        members.push_back(idle.front());
        idle.pop_front();
      } else {
        std::vector<int> candidates = idle_ranks();
        std::stable_partition(candidates.begin(), candidates.end(), [](int r) { return r != 0; });
        candidates.resize(static_cast<size_t>(ranks));
        std::sort(candidates.begin(), candidates.end());
        for (int rank : candidates) members.push_back(take_worker(rank));
      }

      Assignment assignment;
      assignment.id               = experiment->id;
      assignment.tag              = experiment->tag;
      assignment.sweep            = plan.name;
      assignment.result_path      = result_path(plan, experiment->id);
      assignment.threads          = threads;
      assignment.spec             = experiment->spec;
      assignment.checkpoint_path  = checkpoint_path(plan.output_dir, experiment->id).string();
      assignment.checkpoint_every = plan.runtime.checkpoint_every;
      assignment.micro_batches    = plan.runtime.micro_batches;
      if (ranks > 1) {
        for (const Worker& member : members) assignment.group_ranks.push_back(member.rank);
        assignment.group_tag = next_group_tag++;
      }
      if (experiment->provides_body)
        assignment.save_body_path = bit_body_path(plan.output_dir, experiment->id).string();
      if (!experiment->depends_on.empty())
        assignment.init_body_path = bit_body_path(plan.output_dir, experiment->depends_on).string();

      progress.started(assignment.tag, members.front().rank, assignment.group_ranks);
      ledger.append(ledger_entry(assignment.id, assignment.tag, "running", members.front().rank));
      for (const Worker& member : members) {
        assignment.slot = member.slot;
        if (member.rank == 0) {
          local_idle[static_cast<size_t>(member.slot)] = false;
          pool.slot(member.slot).assign(assignment);
        } else {
          world.send_text(member.rank, kAssignTag, to_json(assignment).dump());
        }
      }
      assigned = true;
    }
    return assigned;
  };

  // A coordinator error (e.g. a report it cannot parse) leaves the worker thread running: stop
  // it from taking more work and detach it before rethrowing, so unwinding does not destroy a
  // joinable std::thread (std::terminate); fpt_sweep then aborts the whole MPI job with the error.
  try {
    while (active > 0) {
      bool busy = false;
      if (!draining && stop_requested()) {
        draining = true;
        fmt::print("{} received: every running experiment saves its checkpoint and stops\n",
                   stop_signal_name().empty() ? "stop request" : stop_signal_name());
        std::fflush(stdout);
      }
      if (auto message = world.try_receive_any()) {
        busy = true;
        if (message->tag == kRequestTag) {
          idle.push_back({message->source, slot_of(message->text)});
          ++workers_seen;
        } else if (message->tag == kReportTag) {
          record(report_from_json(nlohmann::json::parse(message->text)));
        }
      }
      for (int slot = 0; slot < slots; ++slot) {
        const bool wants = pool.slot(slot).wants_work();  // before its reports (see the relay)
        while (auto report = pool.slot(slot).take_report()) {
          busy = true;
          record(*report);
        }
        if (wants && !local_idle[static_cast<size_t>(slot)]) {
          local_idle[static_cast<size_t>(slot)] = true;
          idle.push_back({0, slot});
          ++workers_seen;
          busy = true;
        }
      }
      if (assign_work()) busy = true;
      // Nothing more will come for idle workers: everything is handed out (or we are stopping).
      if (scheduler.exhausted() || draining) {
        while (!idle.empty()) {
          const Worker worker = idle.front();
          idle.pop_front();
          if (worker.rank == 0)
            pool.slot(worker.slot).stop();
          else
            world.send_text(worker.rank, kStopTag, slot_message(worker.slot));
          --active;
          busy = true;
        }
      }
      progress.maybe_print_status(plan.runtime.status_every_seconds);
      if (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } catch (...) {
    pool.abandon();
    throw;
  }
  for (int slot = 0; slot < slots; ++slot)
    while (auto report = pool.slot(slot).take_report()) record(*report);
  progress.maybe_print_status(0, true);
  if (draining) {
    const int not_started = static_cast<int>(scheduler.left());
    fmt::print(
        "sweep {} interrupted: {} experiments saved a checkpoint, {} not started; rerun the same "
        "command to continue (finished results are kept){}\n",
        plan.name, interrupted, not_started,
        stop_signal_name().empty() ? "" : fmt::format(" [{}]", stop_signal_name()));
    std::fflush(stdout);
    return kInterruptedExitCode;
  }

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
  // The paper's tables these results can fill, the merged results/<sweep>.h5, where files are.
  fmt::print("{}", results::tables::render_available_tables(plan.output_dir, plan.tables));
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
