// Sweep status: each state from real result files (results::write_run_file), a ledger and
// checkpoint files in a temporary results directory — done, failed (from the file and from the
// ledger alone), damaged, running, interrupted (with and without a checkpoint), left — and the
// report's lines, counts and warnings.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "fpt/core/run_result.h"
#include "fpt/results/run_file.h"
#include "fpt/sweep/grid.h"
#include "fpt/sweep/ledger.h"
#include "fpt/sweep/plan_ids.h"
#include "fpt/sweep/sweep_status.h"

namespace fpt::sweep {
namespace {

namespace fs = std::filesystem;

SweepPlan eight_seeds(const std::string& name) {
  const fs::path output = fs::path(::testing::TempDir()) / ("fpt_status_" + name);
  fs::remove_all(output);
  fs::create_directories(output);
  return parse_sweep("name: eight\noutput: " + output.string() +
                         "\ndefaults: {body: gpt2-tiny, task: bit-xor, steps: 20}\n"
                         "axes:\n  seed: [0, 1, 2, 3, 4, 5, 6, 7]\n",
                     "eight.yaml");
}

const PlannedExperiment& seed(const SweepPlan& plan, int64_t value) {
  for (const PlannedExperiment& experiment : plan.experiments)
    if (experiment.spec.seed == value) return experiment;
  throw std::runtime_error("no such seed");
}

void write_result(const SweepPlan& plan, const PlannedExperiment& experiment,
                  const std::string& status, const std::string& error = "") {
  core::RunResult result;
  result.spec = experiment.spec, result.id = experiment.id, result.tag = experiment.tag;
  result.sweep = plan.name, result.status = status, result.error = error;
  if (status == "completed") {
    result.final_eval_accuracy = 0.875;
    result.steps_done          = 20;
    result.wall_seconds        = 3.2;
  }
  results::write_run_file(plan.output_dir / (experiment.id + ".h5"), result);
}

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "checkpoint";
}

// Seeds 0..7: done, failed (file), failed (ledger only), damaged, running, interrupted at a
// checkpoint of step 40, checkpoint without a ledger entry, left.
void make_results(const SweepPlan& plan, Ledger& ledger) {
  write_result(plan, seed(plan, 0), "completed");
  ledger.append(ledger_entry(seed(plan, 0).id, seed(plan, 0).tag, "completed", 0));
  write_result(plan, seed(plan, 1), "failed", "listops data missing");
  ledger.append(ledger_entry(seed(plan, 2).id, seed(plan, 2).tag, "failed", 1, 0,
                             "could not write the result file"));
  std::ofstream(plan.output_dir / (seed(plan, 3).id + ".h5")) << "not hdf5";
  ledger.append(ledger_entry(seed(plan, 4).id, seed(plan, 4).tag, "running", 1));
  ledger.append(ledger_entry(seed(plan, 5).id, seed(plan, 5).tag, "interrupted", 0, 40));
  touch(checkpoint_path(plan.output_dir, seed(plan, 5).id));
  touch(checkpoint_path(plan.output_dir, seed(plan, 6).id));
}

std::map<int64_t, ExperimentStatus> by_seed(const std::vector<ExperimentStatus>& statuses) {
  std::map<int64_t, ExperimentStatus> map;
  for (const ExperimentStatus& status : statuses) map[status.experiment->spec.seed] = status;
  return map;
}

std::string line_of(const std::string& text, const std::string& id) {
  const size_t at = text.find(id);
  if (at == std::string::npos) return "";
  const size_t start = text.rfind('\n', at) + 1;
  return text.substr(start, text.find('\n', at) - start);
}

TEST(SweepStatus, EveryStateFromFilesAndLedger) {
  const SweepPlan plan = eight_seeds("states");
  Ledger          ledger(plan.output_dir);
  make_results(plan, ledger);
  auto statuses = by_seed(experiment_statuses(plan, Ledger::read(plan.output_dir), true));

  EXPECT_EQ(statuses[0].state, "done");
  EXPECT_EQ(statuses[0].detail, "87.5% accuracy, 20 steps, 3 s");
  EXPECT_EQ(statuses[1].state, "failed");
  EXPECT_EQ(statuses[1].detail, "listops data missing");
  EXPECT_EQ(statuses[2].state, "failed");
  EXPECT_EQ(statuses[2].detail,
            "could not write the result file (no result file: the next run tries it again)");
  EXPECT_EQ(statuses[3].state, "damaged");
  EXPECT_NE(statuses[3].detail.find(seed(plan, 3).id + ".h5"), std::string::npos)
      << statuses[3].detail;
  EXPECT_EQ(statuses[4].state, "running");
  EXPECT_NE(statuses[4].detail.find("on rank 1 since 20"), std::string::npos) << statuses[4].detail;
  EXPECT_EQ(statuses[5].state, "interrupted");
  EXPECT_EQ(statuses[5].detail, "checkpoint at step 40; the next run resumes it");
  EXPECT_EQ(statuses[6].state, "interrupted");
  EXPECT_NE(statuses[6].detail.find("checkpoints/" + seed(plan, 6).id + ".pt"), std::string::npos)
      << statuses[6].detail;
  EXPECT_EQ(statuses[7].state, "left");
  EXPECT_EQ(statuses[7].detail, "");

  // With no fpt_sweep alive, the "running" entry was cut off: interrupted, starts again.
  statuses = by_seed(experiment_statuses(plan, Ledger::read(plan.output_dir), false));
  EXPECT_EQ(statuses[4].state, "interrupted");
  EXPECT_NE(statuses[4].detail.find("stopped on rank 1 at"), std::string::npos)
      << statuses[4].detail;
  EXPECT_NE(statuses[4].detail.find("no checkpoint: the next run starts it again"),
            std::string::npos);
}

TEST(SweepStatus, ReportWhileRunningAndAfter) {
  const SweepPlan plan = eight_seeds("report");
  std::string     text;
  {
    Ledger ledger(plan.output_dir);
    make_results(plan, ledger);
    text = describe_status(plan);
    EXPECT_NE(text.find("sweep 'eight' from eight.yaml: 8 experiments, results in " +
                        plan.output_dir.string() + " (an fpt_sweep is running there now)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("1 done, 2 failed, 1 damaged, 1 running, 2 interrupted, 1 left of 8 "
                        "experiments\n"),
              std::string::npos)
        << text;
    const std::string done = line_of(text, seed(plan, 0).id);
    EXPECT_EQ(done.rfind("done ", 0), 0u) << done;
    EXPECT_NE(done.find(seed(plan, 0).tag), std::string::npos) << done;
    EXPECT_NE(done.find("87.5% accuracy"), std::string::npos) << done;
    EXPECT_EQ(line_of(text, seed(plan, 1).id).rfind("failed ", 0), 0u);
    EXPECT_NE(line_of(text, seed(plan, 1).id).find("listops data missing"), std::string::npos);
    EXPECT_EQ(line_of(text, seed(plan, 3).id).rfind("damaged ", 0), 0u);
    EXPECT_EQ(text.find("To finish"), std::string::npos) << "no advice while it runs";
  }
  text = describe_status(plan);
  EXPECT_NE(text.find("(no fpt_sweep is running there)"), std::string::npos) << text;
  EXPECT_NE(text.find("1 done, 2 failed, 1 damaged, 0 running, 3 interrupted, 1 left of 8"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("To finish: run the same fpt_sweep command again"), std::string::npos);
  EXPECT_NE(text.find("--retry-failed"), std::string::npos);
  EXPECT_NE(text.find("delete their result files"), std::string::npos);
}

TEST(SweepStatus, EmptyDirectoryIsAllLeftWithoutDamagedCount) {
  const SweepPlan   plan = eight_seeds("empty");
  const std::string text = describe_status(plan);
  EXPECT_NE(text.find("0 done, 0 failed, 0 running, 0 interrupted, 8 left of 8 experiments"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("warning"), std::string::npos) << text;
}

TEST(SweepStatus, CorruptLedgerAndOtherGridAreWarningsNotCrashes) {
  const SweepPlan plan = eight_seeds("warnings");
  write_result(plan, seed(plan, 0), "completed");
  std::ofstream(Ledger::file(plan.output_dir)) << "garbage\n{\"id\":\"x\"}\n";
  write_plan_ids(plan.output_dir, {"0123456789abcdef"});
  const std::string text = describe_status(plan);
  EXPECT_NE(text.find("warning: " + Ledger::file(plan.output_dir).string() + ":1:"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("warning: 8 of these experiments are not in the grid last run into"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("1 done, 0 failed, 0 running, 0 interrupted, 7 left"), std::string::npos)
      << text;
}

TEST(SweepStatus, LeftExperimentNamesThePretrainingItWaitsFor) {
  const fs::path output = fs::path(::testing::TempDir()) / "fpt_status_bit";
  fs::remove_all(output);
  const SweepPlan plan = parse_sweep("output: " + output.string() +
                                         "\ndefaults: {body: gpt2-tiny, task: bit-xor, init: bit, "
                                         "steps: 10, bit_pretrain_steps: 5}\naxes:\n  seed: [0]\n",
                                     "bit.yaml");
  ASSERT_EQ(plan.experiments.size(), 2u);
  const auto statuses = experiment_statuses(plan, {}, false);
  EXPECT_EQ(statuses[0].detail, "");  // the pretraining comes first
  EXPECT_EQ(statuses[1].detail, "after " + plan.experiments[0].tag);
}

}  // namespace
}  // namespace fpt::sweep
