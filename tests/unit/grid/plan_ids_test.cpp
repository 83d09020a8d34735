// Plan ids: the record of which grid a results directory holds, and the refusal message when a
// different grid (an edited sweep file) would run into it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fpt/core/error.h"
#include "fpt/sweep/grid.h"
#include "fpt/sweep/plan_ids.h"

namespace fpt::sweep {
namespace {

namespace fs = std::filesystem;

fs::path fresh_directory(const std::string& name) {
  const fs::path directory = fs::path(::testing::TempDir()) / ("fpt_plan_ids_" + name);
  fs::remove_all(directory);
  fs::create_directories(directory);
  return directory;
}

SweepPlan plan_with_steps(int steps) {
  return parse_sweep("defaults: {body: gpt2-tiny, steps: " + std::to_string(steps) +
                         "}\naxes:\n  task: [bit-xor, listops]\n  seed: [0, 1]\n",
                     "ids.yaml");
}

TEST(PlanIds, AreThePlansSortedIds) {
  const SweepPlan             plan = plan_with_steps(20);
  const std::set<std::string> ids  = plan_ids(plan);
  ASSERT_EQ(ids.size(), 4u);
  for (const PlannedExperiment& experiment : plan.experiments)
    EXPECT_TRUE(ids.count(experiment.id));
}

TEST(PlanIds, RoundTripAndSameGridIsAccepted) {
  const fs::path directory = fresh_directory("round_trip");
  EXPECT_FALSE(read_plan_ids(directory).has_value());
  const std::set<std::string> ids = plan_ids(plan_with_steps(20));
  EXPECT_EQ(grid_change_error(directory, ids), "");  // nothing recorded yet
  write_plan_ids(directory, ids);
  EXPECT_EQ(read_plan_ids(directory), std::optional<std::set<std::string>>(ids));
  EXPECT_EQ(grid_change_error(directory, ids), "");
}

TEST(PlanIds, EditedSweepIsRefusedWithCountsAndWaysOut) {
  const fs::path directory = fresh_directory("edited");
  write_plan_ids(directory, plan_ids(plan_with_steps(20)));
  const std::string error = grid_change_error(directory, plan_ids(plan_with_steps(30)));
  EXPECT_NE(error.find(directory.string() + " holds the results of a different grid"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("4 of this grid's 4 experiment ids are not in it and 4 of its 4"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("--output"), std::string::npos) << error;
  EXPECT_NE(error.find("--force"), std::string::npos) << error;

  // A grid that grew (one more seed) is a different grid too.
  std::set<std::string> grown = plan_ids(plan_with_steps(20));
  grown.insert("0123456789abcdef");
  EXPECT_NE(grid_change_error(directory, grown).find("1 of this grid's 5"), std::string::npos);
}

TEST(PlanIds, ALineThatIsNotAnIdNamesFileAndLine) {
  const fs::path directory = fresh_directory("bad_line");
  std::ofstream(plan_ids_file(directory)) << "0123456789abcdef\nnot-an-id\n";
  try {
    read_plan_ids(directory);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("plan_ids.txt:2: 'not-an-id' is not an experiment id"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace fpt::sweep
