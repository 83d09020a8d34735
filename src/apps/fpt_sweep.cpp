// fpt_sweep: runs a sweep file's whole grid across the MPI ranks it is started on.
//
//   mpirun -np 2 build/fpt_sweep sweeps/quick.yaml          # run (reruns skip finished work)
//   build/fpt_sweep sweeps/quick.yaml --dry-run             # print the grid, run nothing
#include <fmt/format.h>
#include <mpi.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/dist/world.h"
#include "fpt/io/atomic_file.h"
#include "fpt/sweep/grid.h"
#include "fpt/sweep/run_sweep.h"

namespace {

enum Setup : int { kReady = 0, kStopOk = 1, kStopError = 2 };

}  // namespace

int main(int argc, char** argv) {
  fpt::dist::World world(&argc, &argv);

  CLI::App    app{"fpt_sweep: run a sweep's grid of frozen-pretrained-transformer experiments"};
  std::string sweep_file;
  std::string output;
  bool        dry_run = false;
  fpt::sweep::SweepRunOptions options;
  app.add_option("sweep", sweep_file, "sweep YAML file, e.g. sweeps/quick.yaml")->required();
  app.add_flag("--dry-run", dry_run, "print the grid (ids, tags, estimated cost) and exit");
  app.add_flag("--retry-failed", options.retry_failed, "rerun experiments that failed before");
  app.add_option("--threads", options.threads, "intra-op threads per rank (default: auto)");
  app.add_option("--output", output, "results directory (default: the sweep's, results/<name>)");
  std::vector<std::string> set_texts, where_texts;
  fpt::sweep::PlanOptions  plan_options;
  app.add_option("--set", set_texts,
                 "KEY=VALUE for every experiment, after the file (changes ids), e.g. "
                 "--set body=gpt2-tiny --set steps=200")
      ->allow_extra_args(false);  // one KEY=VALUE per --set: a sweep file after it stays positional
  app.add_option("--where", where_texts,
                 "KEY=V1,V2: keep only experiments with one of these values, e.g. --where "
                 "init=random,bit")
      ->allow_extra_args(false);
  app.add_flag("--only-runnable", plan_options.only_runnable,
               "drop experiments whose task, body or init this build cannot run yet");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = world.rank() == 0 ? app.exit(error) : (error.get_exit_code() != 0);
    return code;
  }

  // Rank 0 reads and checks everything before any rank starts training.
  fpt::sweep::SweepPlan plan;
  int                   setup = kReady;
  if (world.rank() == 0) {
    try {
      for (const std::string& text : set_texts) {
        const size_t equals = text.find('=');
        if (equals == std::string::npos || equals == 0)
          fpt::fail("--set {}: expected KEY=VALUE", text);
        plan_options.set.emplace_back(text.substr(0, equals), text.substr(equals + 1));
      }
      for (const std::string& text : where_texts) {
        const size_t equals = text.find('=');
        if (equals == std::string::npos || equals == 0)
          fpt::fail("--where {}: expected KEY=V1,V2,...", text);
        std::vector<std::string> values;
        std::string              rest = text.substr(equals + 1);
        for (size_t start = 0; start <= rest.size();) {
          const size_t comma = std::min(rest.find(',', start), rest.size());
          if (comma > start) values.push_back(rest.substr(start, comma - start));
          start = comma + 1;
        }
        plan_options.where.emplace_back(text.substr(0, equals), values);
      }
      plan = fpt::sweep::load_sweep(sweep_file, plan_options);
      if (!output.empty()) plan.output_dir = output;
      if (dry_run) {
        fmt::print("{}", fpt::sweep::describe_plan(plan));
        setup = kStopOk;
      } else {
        std::vector<std::string> unrunnable;
        for (const auto& experiment : plan.experiments) {
          const std::string reason = fpt::sweep::unrunnable_reason(experiment.spec);
          if (!reason.empty()) unrunnable.push_back(experiment.tag + ": " + reason);
        }
        if (!unrunnable.empty())
          fpt::fail(
              "{}: {} of {} experiments cannot run in this build (e.g. {}); run the others with "
              "--only-runnable, or see them all with --dry-run",
              sweep_file, unrunnable.size(), plan.experiments.size(), unrunnable.front());
        fpt::io::ensure_writable_directory(plan.output_dir);
        // The file as run, with the command-line changes that shaped this grid on top.
        std::string header;
        for (const std::string& text : set_texts) header += "# fpt_sweep --set " + text + "\n";
        for (const std::string& text : where_texts) header += "# fpt_sweep --where " + text + "\n";
        if (plan_options.only_runnable) header += "# fpt_sweep --only-runnable\n";
        fpt::io::write_text_atomically(plan.output_dir / "sweep.yaml", header + plan.source_text);
      }
    } catch (const std::exception& error) {
      fmt::print(stderr, "fpt_sweep: error: {}\n", error.what());
      setup = kStopError;
    }
  }
  setup = world.broadcast_int(setup);
  if (setup == kStopOk) return 0;
  if (setup == kStopError) return 2;

  try {
    return fpt::sweep::run_sweep(plan, world, options);
  } catch (const std::exception& error) {
    fmt::print(stderr, "fpt_sweep: rank {}: fatal: {}\n", world.rank(), error.what());
    MPI_Abort(MPI_COMM_WORLD, 3);
    return 3;
  }
}
