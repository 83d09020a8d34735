// Worker: runs one assigned experiment — trains it, records where and with what it ran, writes its
// HDF5 result file atomically — and turns every failure (bad spec, diverged loss, exception,
// unwritable file) into a failed Report instead of taking the sweep down.
#pragma once

#include <torch/nn/module.h>

#include <functional>
#include <optional>
#include <string>

#include "fpt/sweep/protocol.h"

namespace fpt::sweep {

struct WorkerContext {
  int         rank       = 0;
  int         local_rank = 0;  // rank on this node: picks the GPU where there are several
  std::string host;
  int         default_threads        = 1;
  double      progress_every_seconds = 20.0;  // per-experiment progress lines (0: none)
  // Called with the trained model before its final evaluation (TrainerOptions::on_trained):
  // fpt_train --attention-map reads attention probabilities there.
  std::function<void(torch::nn::Module&)> on_trained;
};

// Runs the assignment (creating its worker group first when it names several ranks). Returns the
// report for the coordinator — nullopt on a group member that is not the leader (the leader
// reports and writes the result for the whole group). An interrupted experiment writes no result
// file (its checkpoint holds the progress); a completed or failed one removes its checkpoint once
// the result file is written.
std::optional<Report> run_assignment(const Assignment& assignment, const WorkerContext& context);

// Library versions recorded in every result file.
std::map<std::string, std::string> library_versions();

}  // namespace fpt::sweep
