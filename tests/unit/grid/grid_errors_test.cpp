// Every bad sweep file is rejected with a message naming the file, the 1-based line and the key.
#include <gtest/gtest.h>

#include "grid_test_util.h"

namespace fpt::sweep {
namespace {

using testing::sweep_error;

// Expects an error whose message contains every one of `parts`.
void expect_error(const std::string& yaml, std::initializer_list<std::string> parts) {
  const std::string message = sweep_error(yaml);
  ASSERT_FALSE(message.empty()) << "no error for:\n" << yaml;
  for (const std::string& part : parts)
    EXPECT_NE(message.find(part), std::string::npos)
        << "message lacks '" << part << "':\n  " << message << "\nfor:\n"
        << yaml;
}

const std::string kGood = "defaults: {body: gpt2-tiny}\naxes:\n  task: [bit-xor]\n";

TEST(GridErrors, GoodBaseParses) {
  EXPECT_EQ(sweep_error(kGood), "");
}

TEST(GridErrors, MalformedYaml) {
  expect_error("defaults:\n  body: gpt2-tiny\naxes:\n  task: [bit-xor, listops\n  seed: [0]\n",
               {"sweeps/x.yaml:", "malformed YAML"});
  expect_error("a: b: c\n", {"sweeps/x.yaml:1:", "malformed YAML"});
}

TEST(GridErrors, EmptyOrNotAMapping) {
  expect_error("", {"sweeps/x.yaml", "empty"});
  expect_error("- a\n- b\n", {"sweeps/x.yaml:1", "mapping"});
}

TEST(GridErrors, UnknownTopLevelKey) {
  expect_error(kGood + "overides:\n  task: {}\n", {"sweeps/x.yaml:4", "'overides'", "overrides"});
}

TEST(GridErrors, DuplicateKey) {
  expect_error(kGood + "defaults: {steps: 3}\n", {"sweeps/x.yaml:4", "'defaults'", "twice"});
}

TEST(GridErrors, UnknownSpecKeyInEachPlace) {
  expect_error("defaults:\n  body: gpt2-tiny\n  step: 3\naxes:\n  task: [bit-xor]\n",
               {"sweeps/x.yaml:3", "'step'", "steps", "batch_size"});
  expect_error(kGood + "  learning_rate: [1e-3]\n", {"sweeps/x.yaml:4", "'learning_rate'"});
  expect_error(kGood + "overrides:\n  task:\n    bit-xor: {stepz: 3}\n",
               {"sweeps/x.yaml:6", "'stepz'"});
  expect_error(kGood + "include:\n  - {task: bit-xor, sed: 3}\n", {"sweeps/x.yaml:5", "'sed'"});
  expect_error(kGood + "exclude:\n  - {tsk: bit-xor}\n", {"sweeps/x.yaml:5", "'tsk'"});
}

TEST(GridErrors, WrongValueType) {
  expect_error("defaults:\n  body: gpt2-tiny\n  steps: many\naxes:\n  task: [bit-xor]\n",
               {"sweeps/x.yaml:3", "'steps'", "integer"});
  expect_error(kGood + "  lr: [1e-3, fast]\n", {"sweeps/x.yaml:4", "'lr'", "number"});
  expect_error(kGood + "  seed: [0.5]\n", {"sweeps/x.yaml:4", "'seed'", "integer"});
  expect_error(kGood + "  full_eval: [yes]\n", {"sweeps/x.yaml:4", "'full_eval'", "true or false"});
  expect_error("defaults:\n  body: [gpt2-tiny]\naxes:\n  task: [bit-xor]\n",
               {"sweeps/x.yaml:2", "'body'", "a list"});
  expect_error("defaults:\n  body: gpt2-tiny\n  task: 5\n",
               {"sweeps/x.yaml:3", "'task'", "string"});
}

TEST(GridErrors, AxisNotAListOrEmpty) {
  expect_error("defaults: {body: gpt2-tiny}\naxes:\n  task: bit-xor\n",
               {"sweeps/x.yaml:3", "'task'", "list"});
  expect_error("defaults: {body: gpt2-tiny}\naxes:\n  task: []\n",
               {"sweeps/x.yaml:3", "'task'", "empty"});
  expect_error(kGood + "  seed: [0, 1, 0]\n", {"sweeps/x.yaml:4", "'seed'", "twice"});
}

TEST(GridErrors, UnknownNames) {
  expect_error("defaults: {body: gtp2}\naxes:\n  task: [bit-xor]\n",
               {"sweeps/x.yaml:1", "body", "'gtp2'", "gpt2-tiny"});
  expect_error(kGood + "  init: [random, rnadom]\n", {"sweeps/x.yaml:4", "init", "'rnadom'"});
  expect_error("defaults: {body: gpt2-tiny}\naxes:\n  task:\n    - bit-xor\n    - bit-memroy\n",
               {"sweeps/x.yaml:5", "task", "'bit-memroy'"});
  expect_error(kGood + "include:\n  - {task: lstops}\n", {"sweeps/x.yaml:5", "task", "'lstops'"});
}

TEST(GridErrors, OverrideForAValueNotOnTheAxis) {
  expect_error(kGood + "overrides:\n  task:\n    bit-memory: {steps: 3}\n",
               {"sweeps/x.yaml:6", "task", "'bit-memory'", "bit-xor"});
}

TEST(GridErrors, OverrideSettingAnAxisKey) {
  expect_error(kGood + "  seed: [0, 1]\noverrides:\n  task:\n    bit-xor:\n      seed: 4\n",
               {"sweeps/x.yaml:8", "'seed'", "axis"});
}

TEST(GridErrors, OverrideOfAnUnavailableNonAxisName) {
  expect_error(kGood + "overrides:\n  body:\n    gpt3: {batch_size: 4}\n",
               {"sweeps/x.yaml:6", "body", "'gpt3'"});
}

TEST(GridErrors, ConflictingOverrides) {
  expect_error(kGood +
                   "overrides:\n  task:\n    bit-xor: {steps: 3}\n  body:\n"
                   "    gpt2-tiny: {steps: 4}\n",
               {"sweeps/x.yaml:6", "sweeps/x.yaml:8", "'steps'"});
}

TEST(GridErrors, NonPositiveStepsOrBatch) {
  expect_error("defaults:\n  body: gpt2-tiny\n  steps: 0\naxes:\n  task: [bit-xor]\n",
               {"sweeps/x.yaml:3", "'steps'", "positive"});
  expect_error(kGood + "  batch_size: [8, -1]\n", {"sweeps/x.yaml:4", "'batch_size'", "positive"});
  expect_error(kGood + "overrides:\n  task:\n    bit-xor: {steps: -5}\n",
               {"sweeps/x.yaml:6", "'steps'", "positive"});
}

TEST(GridErrors, ExcludeRemovingEverything) {
  expect_error(kGood + "exclude:\n  - {task: bit-xor}\n", {"sweeps/x.yaml:4", "exclude"});
}

TEST(GridErrors, NoExperiments) {
  expect_error("defaults: {body: gpt2-tiny}\n", {"sweeps/x.yaml", "no experiments"});
}

TEST(GridErrors, BadRuntime) {
  expect_error(kGood + "runtime:\n  threads: -1\n", {"sweeps/x.yaml:5", "threads"});
  expect_error(kGood + "runtime:\n  thread: 2\n", {"sweeps/x.yaml:5", "'runtime.thread'"});
  expect_error(kGood + "runtime:\n  status_every_seconds: 0\n",
               {"sweeps/x.yaml:5", "status_every_seconds"});
}

TEST(GridErrors, BadTables) {
  expect_error(kGood + "tables: table2\n", {"sweeps/x.yaml:4", "'tables'", "list of table names"});
  expect_error(kGood + "tables: []\n", {"sweeps/x.yaml:4", "'tables'"});
  expect_error(kGood + "tables: [table2, table2]\n", {"sweeps/x.yaml:4", "'table2'", "twice"});
  expect_error(kGood + "tables: [{a: b}]\n", {"sweeps/x.yaml:4", "'tables'"});
}

TEST(GridErrors, TablesAreKeptWithWhereTheyAreListed) {
  const SweepPlan plan = parse_sweep(kGood + "tables: [table2, convergence]\n", "sweeps/x.yaml");
  EXPECT_EQ(plan.tables, (std::vector<std::string>{"table2", "convergence"}));
  EXPECT_EQ(plan.tables_where, "sweeps/x.yaml:4");
  EXPECT_TRUE(parse_sweep(kGood, "sweeps/x.yaml").tables.empty());
}

TEST(GridErrors, BadName) {
  expect_error(kGood + "name: my sweep/2\n", {"sweeps/x.yaml:4", "'my sweep/2'"});
}

TEST(GridErrors, MissingFile) {
  try {
    load_sweep("/nonexistent/dir/nothing.yaml");
    FAIL() << "no error for a missing file";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/dir/nothing.yaml"), std::string::npos);
  }
}

}  // namespace
}  // namespace fpt::sweep
