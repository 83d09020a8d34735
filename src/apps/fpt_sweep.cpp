// fpt_sweep: runs a sweep file's whole grid across the MPI ranks it is started on.
//
//   mpirun -np 2 build/fpt_sweep sweeps/quick.yaml          # run (reruns skip finished work)
//   build/fpt_sweep sweeps/quick.yaml --dry-run             # print the grid, run nothing
#include <fmt/format.h>
#include <mpi.h>
#include <CLI/CLI.hpp>

#include <filesystem>

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
      plan = fpt::sweep::load_sweep(sweep_file);
      if (!output.empty()) plan.output_dir = output;
      if (dry_run) {
        fmt::print("{}", fpt::sweep::describe_plan(plan));
        setup = kStopOk;
      } else {
        fpt::io::ensure_writable_directory(plan.output_dir);
        fpt::io::write_text_atomically(plan.output_dir / "sweep.yaml", plan.source_text);
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
