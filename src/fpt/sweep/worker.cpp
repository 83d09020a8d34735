#include "fpt/sweep/worker.h"

#include <H5public.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "fpt/core/error.h"
#include "fpt/core/time_stamp.h"
#include "fpt/dist/group_communicator.h"
#include "fpt/dist/world.h"
#include "fpt/results/run_file.h"
#include "fpt/sweep/build_info.h"
#include "fpt/sweep/stop_signal.h"
#include "fpt/train/trainer.h"

namespace fpt::sweep {

std::map<std::string, std::string> library_versions() {
  return {{"fpt", build_version()},
          {"libtorch", TORCH_VERSION},
          {"hdf5", fmt::format("{}.{}.{}", H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE)},
          {"mpi", dist::World::mpi_library_version()},
          {"compiler", fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__)}};
}

namespace {

// The GPU of this rank where there are GPUs (local rank mod visible count), else the CPU.
torch::Device training_device(int local_rank) {
  if (!torch::cuda::is_available()) return torch::kCPU;
  const int count = static_cast<int>(torch::cuda::device_count());
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank % count));
}

}  // namespace

std::optional<Report> run_assignment(const Assignment& assignment, const WorkerContext& context) {
  const bool      in_group = assignment.group_ranks.size() > 1;
  const bool      leader   = !in_group || assignment.group_ranks.front() == context.rank;
  core::RunResult result;
  result.spec                    = assignment.spec;
  result.id                      = assignment.id;
  result.tag                     = assignment.tag;
  const std::string   started_at = core::utc_now();
  const auto          started    = std::chrono::steady_clock::now();
  const torch::Device device     = training_device(context.local_rank);

  try {
    train::TrainerOptions options;
    options.threads         = assignment.threads > 0 ? assignment.threads : context.default_threads;
    options.device          = device;
    options.save_body_file  = assignment.save_body_path;
    options.init_body_file  = assignment.init_body_path;
    options.checkpoint_file = assignment.checkpoint_path;
    options.checkpoint_every = assignment.checkpoint_every;
    options.micro_batches    = assignment.micro_batches;
    options.stop_requested   = [] { return stop_requested(); };
    options.on_trained       = context.on_trained;
    std::unique_ptr<dist::Communicator> group;
    if (in_group) {
      group = dist::make_group_communicator(assignment.group_ranks, assignment.group_tag,
                                            options.device);
      options.communicator = group.get();
    }
    options.on_resume = [&](int64_t step) {
      if (!leader) return;
      fmt::print("  [rank {}] resuming {} from step {} ({})\n", context.rank, assignment.tag, step,
                 assignment.checkpoint_path);
      std::fflush(stdout);
    };
    auto last_print       = started;
    options.on_evaluation = [&](const core::CurvePoint& point) {
      const auto now = std::chrono::steady_clock::now();
      if (context.progress_every_seconds <= 0 ||
          std::chrono::duration<double>(now - last_print).count() < context.progress_every_seconds)
        return;
      last_print = now;
      fmt::print("  [rank {}] {} step {}/{}: train loss {:.4f} acc {:.1f}%, eval acc {:.1f}%\n",
                 context.rank, assignment.tag, point.step, assignment.spec.steps, point.train_loss,
                 100 * point.train_accuracy, 100 * point.eval_accuracy);
      std::fflush(stdout);
    };
    result = train::train_experiment(assignment.spec, options);
  } catch (const std::exception& error) {
    result.status = "failed";
    result.error  = error.what();
    result.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  result.id          = assignment.id;
  result.tag         = assignment.tag;
  result.sweep       = assignment.sweep;
  result.host        = context.host;
  result.device      = device.str();
  result.rank        = context.rank;
  result.started_at  = started_at;
  result.finished_at = core::utc_now();
  result.git_commit  = build_git_commit();
  result.versions    = library_versions();
  if (!leader) return std::nullopt;  // the group leader reports for the group

  // Interrupted: the checkpoint holds the progress and no result file is written, so a rerun
  // resumes the experiment instead of skipping it.
  if (result.status == "interrupted") return report_for(result, false);

  bool written = false;
  try {
    results::write_run_file(assignment.result_path, result);
    written = true;
  } catch (const std::exception& error) {
    result.status = "failed";
    result.error  = (result.error.empty() ? "" : result.error + "; ") +
                   "could not write the result file: " + error.what();
  }
  // Completed and safely on disk: the checkpoint has served its purpose. A failed experiment keeps
  // it, so that --retry-failed continues from there.
  if (written && result.completed() && !assignment.checkpoint_path.empty()) {
    std::error_code ignored;
    std::filesystem::remove(assignment.checkpoint_path, ignored);
  }
  return report_for(result, written);
}

}  // namespace fpt::sweep
