// Helpers for the collection and table tests: run results built in code and written as real run
// files (results::write_run_file) into a fresh directory, with the plan_ids.txt and sweep.yaml
// that fpt_sweep keeps beside them.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "fpt/core/experiment_spec.h"
#include "fpt/core/run_result.h"
#include "fpt/results/run_file.h"

namespace fpt::results::testing {

namespace fs = std::filesystem;

// A result with a learning curve whose eval accuracy rises to `accuracy` (fraction) at the last
// of four points (steps 10..40); `converged_step` is where it first reaches 99 % of that.
inline core::RunResult make_result(const std::string& body, const std::string& init,
                                   const std::string& trains, const std::string& task, int64_t seed,
                                   double accuracy, const std::string& status = "completed",
                                   const std::string& sweep = "t2", int64_t converged_step = 30) {
  core::RunResult result;
  result.spec.body   = body;
  result.spec.init   = init;
  result.spec.trains = trains;
  result.spec.task   = task;
  result.spec.seed   = seed;
  result.spec.steps  = 40;
  result.spec        = core::resolve_defaults(result.spec);
  result.id          = core::experiment_id(result.spec);
  result.tag         = core::default_tag(result.spec);
  result.sweep       = sweep;
  result.status      = status;
  if (status != "completed") {
    result.error = "diverged (test)";
    return result;
  }
  for (int64_t step = 10; step <= 40; step += 10) {
    core::CurvePoint point;
    point.step          = step;
    point.eval_accuracy = step >= converged_step ? accuracy : accuracy * 0.5;
    result.curve.push_back(point);
  }
  result.final_eval_accuracy = accuracy;
  result.steps_done          = 40;
  result.wall_seconds        = 1.5;
  return result;
}

// A fresh directory per test with helpers to write run files and the sweep's records.
class ResultsDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_            = fs::temp_directory_path() /
            ("fpt_tables_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    dir_ = root_ / "t2";
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Writes the run file and records the id in the grid (plan_ids.txt, sweep.yaml: name
  // sweep_name_).
  void write(const core::RunResult& result, bool in_plan = true) {
    write_run_file(dir_ / (result.id + ".h5"), result);
    if (in_plan) plan_.insert(result.id);
    std::ofstream ids(dir_ / "plan_ids.txt");
    for (const auto& id : plan_) ids << id << "\n";
    std::ofstream(dir_ / "sweep.yaml") << "name: " << sweep_name_ << "\naxes:\n  seed: [0, 1, 2]\n";
  }

  void write_corrupted(const std::string& name) {
    std::ofstream(dir_ / name) << "this is not an HDF5 file";
  }

  fs::path              root_;
  fs::path              dir_;
  std::string           sweep_name_ = "t2";  // the run files' sweep (make_result's argument)
  std::set<std::string> plan_;
};

}  // namespace fpt::results::testing
