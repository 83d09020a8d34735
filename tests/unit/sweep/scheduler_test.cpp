// The sweep's scheduling of `init: bit`: the grid adds one Bit Memory pretraining per body, runs
// it first, the dependents wait for it, and fail without running if it failed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fpt/core/experiment_spec.h"
#include "fpt/results/run_file.h"
#include "fpt/sweep/grid.h"
#include "fpt/sweep/scheduler.h"

namespace {

namespace fs = std::filesystem;
using fpt::sweep::PlannedExperiment;
using fpt::sweep::Scheduler;
using fpt::sweep::SweepPlan;

SweepPlan bit_plan(const std::string& name) {
  const fs::path output = fs::path(::testing::TempDir()) / ("fpt_scheduler_" + name);
  fs::remove_all(output);
  fs::create_directories(output);
  return fpt::sweep::parse_sweep(R"(
name: bits
output: )" + output.string() + R"(
defaults: {body: gpt2-tiny, steps: 10, bit_pretrain_steps: 7}
axes:
  task: [bit-xor, listops]
  init: [random, bit]
  seed: [0, 1]
)",
                                 "bits.yaml");
}

void write_status(const SweepPlan& plan, const PlannedExperiment& experiment,
                  const std::string& status) {
  fpt::core::RunResult result;
  result.spec = experiment.spec, result.id = experiment.id, result.tag = experiment.tag;
  result.status = status;
  if (status == "failed") result.error = "boom";
  fpt::results::write_run_file((plan.output_dir / (experiment.id + ".h5")).string(), result);
}

TEST(BitInitPlan, OnePretrainingPerBodyRunsFirstAndDependentsPointAtIt) {
  const SweepPlan plan = bit_plan("plan");
  ASSERT_EQ(plan.experiments.size(), 9u);  // 2 tasks x 2 inits x 2 seeds + 1 pretraining
  const PlannedExperiment& first = plan.experiments.front();
  EXPECT_TRUE(first.provides_body);
  EXPECT_EQ(first.spec.task, "bit-memory");
  EXPECT_EQ(first.spec.trains, "full");
  EXPECT_EQ(first.spec.init, "random");
  EXPECT_EQ(first.spec.steps, 7);
  EXPECT_EQ(first.spec.lr, 1e-3);  // resolved default
  EXPECT_NE(first.tag.find("bit-pretraining"), std::string::npos);
  int dependents = 0;
  for (const auto& experiment : plan.experiments) {
    if (experiment.spec.init == "bit") {
      EXPECT_EQ(experiment.depends_on, first.id) << experiment.tag;
      ++dependents;
    } else {
      EXPECT_TRUE(experiment.depends_on.empty()) << experiment.tag;
    }
  }
  EXPECT_EQ(dependents, 4);
  EXPECT_NE(fpt::sweep::describe_plan(plan).find("(after " + first.id + ")"), std::string::npos);
}

TEST(Scheduler, DependentsWaitForThePretrainingThenRun) {
  const SweepPlan plan = bit_plan("wait");
  Scheduler       scheduler(plan, false);
  EXPECT_EQ(scheduler.to_run(), 9);
  const PlannedExperiment* pretraining = scheduler.next();
  ASSERT_NE(pretraining, nullptr);
  EXPECT_TRUE(pretraining->provides_body);
  // While it runs, only the four random-init experiments can start.
  for (int i = 0; i < 4; ++i) {
    const PlannedExperiment* experiment = scheduler.next();
    ASSERT_NE(experiment, nullptr);
    EXPECT_EQ(experiment->spec.init, "random");
  }
  EXPECT_EQ(scheduler.next(), nullptr);
  EXPECT_FALSE(scheduler.exhausted());
  scheduler.finished(pretraining->id, true);
  for (int i = 0; i < 4; ++i) {
    const PlannedExperiment* experiment = scheduler.next();
    ASSERT_NE(experiment, nullptr);
    EXPECT_EQ(experiment->spec.init, "bit");
  }
  EXPECT_TRUE(scheduler.exhausted());
  EXPECT_TRUE(scheduler.take_blocked().empty());
}

TEST(Scheduler, AFailedPretrainingFailsItsDependentsWithoutRunningThem) {
  const SweepPlan          plan = bit_plan("fail");
  Scheduler                scheduler(plan, false);
  const PlannedExperiment* pretraining = scheduler.next();
  scheduler.finished(pretraining->id, false, "loss became nan");
  int started = 0;
  while (scheduler.next() != nullptr) ++started;
  EXPECT_EQ(started, 4);  // the random-init ones
  const auto blocked = scheduler.take_blocked();
  ASSERT_EQ(blocked.size(), 4u);
  for (const auto& [experiment, reason] : blocked) {
    EXPECT_EQ(experiment->spec.init, "bit");
    EXPECT_NE(reason.find("loss became nan"), std::string::npos) << reason;
    EXPECT_NE(reason.find(pretraining->id), std::string::npos) << reason;
  }
  EXPECT_TRUE(scheduler.exhausted());
}

TEST(Scheduler, CompletedPretrainingIsReusedOnlyIfItsBodyFileExists) {
  const SweepPlan          plan        = bit_plan("reuse");
  const PlannedExperiment& pretraining = plan.experiments.front();
  write_status(plan, pretraining, "completed");
  {
    Scheduler scheduler(plan, false);  // result says completed, but the body file is gone
    EXPECT_EQ(scheduler.to_run(), 9);
  }
  const fs::path body = fpt::sweep::bit_body_path(plan.output_dir, pretraining.id);
  fs::create_directories(body.parent_path());
  std::ofstream(body) << "x";
  Scheduler scheduler(plan, false);
  EXPECT_EQ(scheduler.to_run(), 8);
  EXPECT_EQ(scheduler.already_completed(), 1);
  const PlannedExperiment* experiment = scheduler.next();
  ASSERT_NE(experiment, nullptr);
  EXPECT_EQ(experiment->spec.init, "bit");  // runnable at once: longest first among the rest
}

TEST(Scheduler, AMissingBodyIsNotRecomputedWhenEveryDependentIsFinished) {
  const SweepPlan plan = bit_plan("finished");
  for (const PlannedExperiment& experiment : plan.experiments)
    if (experiment.provides_body || experiment.spec.init == "bit")
      write_status(plan, experiment, "completed");
  Scheduler scheduler(plan, false);  // no body file, but nothing left needs it
  EXPECT_EQ(scheduler.to_run(), 4);  // the four init: random experiments
  EXPECT_EQ(scheduler.already_completed(), 5);
  for (const PlannedExperiment* experiment = scheduler.next(); experiment;
       experiment                          = scheduler.next())
    EXPECT_EQ(experiment->spec.init, "random");
}

TEST(Scheduler, EarlierFailuresAreSkippedUnlessRetrying) {
  const SweepPlan plan = bit_plan("retry");
  write_status(plan, plan.experiments.back(), "failed");
  EXPECT_EQ(Scheduler(plan, false).to_run(), 8);
  EXPECT_EQ(Scheduler(plan, false).already_failed(), 1);
  EXPECT_EQ(Scheduler(plan, true).to_run(), 9);
}

// Worker groups: an experiment whose group needs more idle ranks than there are is skipped for
// one that fits (the idle ranks never wait while runnable work fits them), keeps its place, and
// starts first once enough ranks are idle; an interrupted experiment is neither done nor failed.
SweepPlan group_plan(const std::string& name) {
  const fs::path output = fs::path(::testing::TempDir()) / ("fpt_scheduler_" + name);
  fs::remove_all(output);
  fs::create_directories(output);
  return fpt::sweep::parse_sweep(R"(
name: groups
output: )" + output.string() + R"(
runtime: {ranks_per_experiment: 1, ranks_per_task: {listops: 2}}
defaults: {body: gpt2-tiny, steps: 10, batch_size: 8}
axes:
  task: [listops, bit-xor]
  seed: [0, 1]
)",
                                 "groups.yaml");
}

TEST(Scheduler, AGroupThatDoesNotFitLetsSmallerWorkStartAndKeepsItsPlace) {
  const SweepPlan plan = group_plan("fits");
  ASSERT_EQ(fpt::sweep::ranks_for(plan.runtime, plan.experiments.front().spec), 2);  // longest
  Scheduler scheduler(plan, false);
  int       idle_ranks = 1;
  auto      fits       = [&](const PlannedExperiment& candidate) {
    return fpt::sweep::ranks_for(plan.runtime, candidate.spec) <= idle_ranks;
  };
  const PlannedExperiment* small = scheduler.next(fits);
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->spec.task, "bit-xor");  // listops (2 ranks) skipped, not dropped
  idle_ranks                     = 2;
  const PlannedExperiment* group = scheduler.next(fits);
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->spec.task, "listops");
  idle_ranks = 0;
  EXPECT_EQ(scheduler.next(fits), nullptr);
  EXPECT_FALSE(scheduler.exhausted());
  EXPECT_EQ(scheduler.left(), 2u);

  scheduler.interrupted(group->id);  // stopped with a checkpoint: not failed, blocks nothing
  EXPECT_TRUE(scheduler.take_blocked().empty());
  EXPECT_EQ(scheduler.left(), 2u);  // not requeued in this run
}

TEST(Scheduler, GroupSizesComeFromTheTaskOverrideElseTheDefault) {
  const SweepPlan plan = group_plan("sizes");
  for (const PlannedExperiment& experiment : plan.experiments)
    EXPECT_EQ(fpt::sweep::ranks_for(plan.runtime, experiment.spec),
              experiment.spec.task == "listops" ? 2 : 1)
        << experiment.tag;
}

}  // namespace
