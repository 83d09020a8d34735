// fpt_sweep: runs a sweep file's whole grid across the MPI ranks it is started on, or reports how
// far a sweep got.
//
//   mpirun -np 2 build/fpt_sweep sweeps/quick.yaml          # run (reruns skip finished work)
//   build/fpt_sweep sweeps/quick.yaml --dry-run             # print the grid, run nothing
//   build/fpt_sweep sweeps/table2.yaml --scale tiny         # the file's `tiny` scale: minutes
//   build/fpt_sweep status sweeps/quick.yaml                # done / running / failed / left
#include <fmt/format.h>
#include <mpi.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/dist/world.h"
#include "fpt/io/atomic_file.h"
#include "fpt/results/tables/paper_tables.h"
#include "fpt/sweep/grid.h"
#include "fpt/sweep/ledger.h"
#include "fpt/sweep/plan_ids.h"
#include "fpt/sweep/run_sweep.h"
#include "fpt/sweep/stop_signal.h"
#include "fpt/sweep/sweep_status.h"

namespace {

enum Setup : int { kReady = 0, kStopOk = 1, kStopError = 2 };

// What a run and `status` both take: the sweep file, the results directory and the command-line
// changes to the grid.
struct PlanArguments {
  std::string              sweep_file;
  std::string              output;
  std::string              scale;
  std::vector<std::string> set_texts;
  std::vector<std::string> where_texts;
  bool                     only_runnable = false;
};

void add_plan_options(CLI::App& app, PlanArguments& arguments) {
  app.add_option("sweep", arguments.sweep_file, "sweep YAML file, e.g. sweeps/quick.yaml")
      ->required();
  app.add_option("--output", arguments.output,
                 "results directory (default: the sweep's, results/<name>, or "
                 "results/<name>-<scale> with --scale)");
  app.add_option("--scale", arguments.scale,
                 "one of the sweep file's `scales:` (e.g. tiny: a few minutes on a laptop), "
                 "applied before --set (changes ids)");
  app.add_option("--set", arguments.set_texts,
                 "KEY=VALUE for every experiment, after the file (changes ids), e.g. "
                 "--set body=gpt2-tiny --set steps=200")
      ->allow_extra_args(false);  // one KEY=VALUE per --set: a sweep file after it stays positional
  app.add_option("--where", arguments.where_texts,
                 "KEY=V1,V2: keep only experiments with one of these values, e.g. --where "
                 "init=random,bit")
      ->allow_extra_args(false);
  app.add_flag("--only-runnable", arguments.only_runnable,
               "drop experiments whose task, body or init this build cannot run yet");
}

// The --set / --where texts as PlanOptions; throws fpt::Error for a malformed one.
fpt::sweep::PlanOptions plan_options(const PlanArguments& arguments) {
  fpt::sweep::PlanOptions options;
  for (const std::string& text : arguments.set_texts) {
    const size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0) fpt::fail("--set {}: expected KEY=VALUE", text);
    options.set.emplace_back(text.substr(0, equals), text.substr(equals + 1));
  }
  for (const std::string& text : arguments.where_texts) {
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
    options.where.emplace_back(text.substr(0, equals), values);
  }
  options.only_runnable = arguments.only_runnable;
  options.scale         = arguments.scale;
  return options;
}

fpt::sweep::SweepPlan load_plan(const PlanArguments&           arguments,
                                const fpt::sweep::PlanOptions& options) {
  fpt::sweep::SweepPlan plan = fpt::sweep::load_sweep(arguments.sweep_file, options);
  // `tables:` names paper tables, which the grid library does not know.
  for (const std::string& table : plan.tables) {
    try {
      fpt::results::tables::find_paper_table(table);
    } catch (const std::exception& error) {
      fpt::fail("{}: key 'tables': {}", plan.tables_where, error.what());
    }
  }
  if (!arguments.output.empty()) plan.output_dir = arguments.output;
  return plan;
}

// The grid a results directory is recorded to hold (plan_ids.txt): the sweep file with its --set
// changes. --where and --only-runnable only pick part of it, so they never count as a change.
std::set<std::string> whole_grid_ids(const PlanArguments&    arguments,
                                     fpt::sweep::PlanOptions options) {
  options.where.clear();
  options.only_runnable = false;
  return fpt::sweep::plan_ids(fpt::sweep::load_sweep(arguments.sweep_file, options));
}

// `fpt_sweep status SWEEP [options]`: one process, no MPI; reads the results directory only.
int run_status(int argc, char** argv) {
  CLI::App app{
      "fpt_sweep status: what each experiment of a sweep is doing (done, failed with its "
      "error, running, interrupted, left), from its results directory"};
  app.name("fpt_sweep status");
  PlanArguments arguments;
  add_plan_options(app, arguments);
  CLI11_PARSE(app, argc, argv);
  try {
    const fpt::sweep::SweepPlan plan = load_plan(arguments, plan_options(arguments));
    fmt::print("{}", fpt::sweep::describe_status(plan));
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "fpt_sweep status: error: {}\n", error.what());
    return 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // `status` only reads files: it runs before (and without) MPI.
  if (argc > 1 && std::string(argv[1]) == "status") return run_status(argc - 1, argv + 1);

  fpt::dist::World world(&argc, &argv);
  // A stop signal during setup is remembered (the run then stops at once with exit 75) rather
  // than killing the process; run_sweep switches to the sweep's runtime.stop_signals.
  fpt::sweep::install_stop_signal_handlers(fpt::sweep::SweepRuntime{}.stop_signals);

  CLI::App app{
      "fpt_sweep: run a sweep's grid of frozen-pretrained-transformer experiments "
      "(`fpt_sweep status SWEEP` reports on one)"};
  PlanArguments               arguments;
  bool                        dry_run = false;
  bool                        force   = false;
  fpt::sweep::SweepRunOptions options;
  add_plan_options(app, arguments);
  app.add_flag("--dry-run", dry_run, "print the grid (ids, tags, estimated cost) and exit");
  app.add_flag("--retry-failed", options.retry_failed, "rerun experiments that failed before");
  app.add_option("--threads", options.threads, "intra-op threads per rank (default: auto)");
  app.add_flag("--force", force,
               "run even if the results directory holds a different grid (an edited sweep file)");
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
      const fpt::sweep::PlanOptions changes = plan_options(arguments);
      plan                                  = load_plan(arguments, changes);
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
              arguments.sweep_file, unrunnable.size(), plan.experiments.size(), unrunnable.front());
        fpt::io::ensure_writable_directory(plan.output_dir);
        // Refused before this run writes anything there (the coordinator's Ledger checks again).
        if (fpt::sweep::Ledger::in_use(plan.output_dir).value_or(false))
          fpt::fail(
              "{}: another fpt_sweep is running into {} (it holds {}); wait for it to finish "
              "or stop it, or use --output for another results directory",
              arguments.sweep_file, plan.output_dir.string(),
              fpt::sweep::Ledger::file(plan.output_dir).string());
        // An edited sweep file rerun into its old results directory would mix two grids.
        const std::set<std::string> grid = whole_grid_ids(arguments, changes);
        if (!force) {
          const std::string change = fpt::sweep::grid_change_error(plan.output_dir, grid);
          if (!change.empty()) fpt::fail("{}: {}", arguments.sweep_file, change);
        }
        fpt::sweep::write_plan_ids(plan.output_dir, grid);
        // The file as run, with the command-line changes that shaped this grid on top.
        std::string header;
        if (!arguments.scale.empty()) header += "# fpt_sweep --scale " + arguments.scale + "\n";
        for (const std::string& text : arguments.set_texts)
          header += "# fpt_sweep --set " + text + "\n";
        for (const std::string& text : arguments.where_texts)
          header += "# fpt_sweep --where " + text + "\n";
        if (arguments.only_runnable) header += "# fpt_sweep --only-runnable\n";
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
