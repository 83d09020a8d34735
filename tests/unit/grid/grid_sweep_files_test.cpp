// Every sweep file shipped in the repository (sweeps/*.yaml) loads and expands without error.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "fpt/sweep/grid.h"

namespace fpt::sweep {
namespace {

TEST(SweepFiles, EveryRepositorySweepLoads) {
  const std::filesystem::path directory = std::filesystem::path(FPT_SOURCE_DIR) / "sweeps";
  std::set<std::string>       loaded;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string extension = entry.path().extension().string();
    if (extension != ".yaml" && extension != ".yml") continue;
    SCOPED_TRACE(entry.path().string());
    SweepPlan plan;
    EXPECT_NO_THROW(plan = load_sweep(entry.path()));
    EXPECT_FALSE(plan.experiments.empty());
    EXPECT_FALSE(describe_plan(plan).empty());
    loaded.insert(entry.path().filename().string());
  }
  EXPECT_TRUE(loaded.count("ci.yaml")) << "sweeps/ci.yaml is missing";
}

TEST(SweepFiles, CiSweepIsSmall) {
  const SweepPlan plan = load_sweep(std::filesystem::path(FPT_SOURCE_DIR) / "sweeps" / "ci.yaml");
  EXPECT_EQ(plan.name, "ci");
  std::set<std::string> tasks;
  for (const PlannedExperiment& experiment : plan.experiments) {
    tasks.insert(experiment.spec.task);
    EXPECT_EQ(experiment.spec.body, "gpt2-tiny");
    EXPECT_LE(experiment.spec.steps, 500);
    EXPECT_LE(sequence_tokens(experiment.spec), 128) << experiment.tag;
  }
  EXPECT_EQ(tasks, (std::set<std::string>{"bit-xor", "bit-memory", "listops"}));
}

}  // namespace
}  // namespace fpt::sweep
