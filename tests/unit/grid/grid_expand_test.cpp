// Grid expansion: size, order, defaults/axes/overrides/include/exclude, ids, tags, dedup.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include <unistd.h>

#include "fpt/core/experiment_spec.h"
#include "fpt/sweep/grid.h"

namespace fpt::sweep {
namespace {

const char* kQuick = R"(
name: quick
defaults:
  body: gpt2-tiny
  steps: 300
axes:
  task: [bit-xor, bit-memory, listops]
  init: [random]
  seed: [0, 1]
overrides:
  task:
    bit-memory: {steps: 600}
    listops: {listops_max_tokens: 64, listops_max_length: 60}
  body:
    gpt2: {batch_size: 4}
include:
  - {task: bit-xor, body: gpt2-mini, seed: 0}
exclude:
  - {task: listops, seed: 1}
)";

const PlannedExperiment& find_tag(const SweepPlan& plan, const std::string& tag) {
  for (const PlannedExperiment& experiment : plan.experiments)
    if (experiment.tag == tag) return experiment;
  throw std::runtime_error("no experiment tagged " + tag);
}

std::set<std::string> tags(const SweepPlan& plan) {
  std::set<std::string> out;
  for (const PlannedExperiment& experiment : plan.experiments) out.insert(experiment.tag);
  return out;
}

TEST(GridExpand, QuickSweepSizeTagsAndSettings) {
  const SweepPlan plan = parse_sweep(kQuick, "sweeps/quick.yaml");
  EXPECT_EQ(plan.name, "quick");
  EXPECT_EQ(plan.output_dir, std::filesystem::path("results/quick"));
  // 3 tasks x 1 init x 2 seeds = 6, minus listops seed 1, plus one include.
  ASSERT_EQ(plan.experiments.size(), 6u);
  EXPECT_EQ(tags(plan),
            (std::set<std::string>{
                "gpt2-tiny_bit-xor_random_fpt_s0", "gpt2-tiny_bit-xor_random_fpt_s1",
                "gpt2-tiny_bit-memory_random_fpt_s0", "gpt2-tiny_bit-memory_random_fpt_s1",
                "gpt2-tiny_listops_random_fpt_s0", "gpt2-mini_bit-xor_random_fpt_s0"}));

  const PlannedExperiment& memory = find_tag(plan, "gpt2-tiny_bit-memory_random_fpt_s1");
  EXPECT_EQ(memory.spec.steps, 600);  // override
  EXPECT_EQ(memory.spec.body, "gpt2-tiny");
  EXPECT_EQ(memory.spec.seed, 1);
  const PlannedExperiment& xor_tiny = find_tag(plan, "gpt2-tiny_bit-xor_random_fpt_s0");
  EXPECT_EQ(xor_tiny.spec.steps, 300);  // defaults only
  EXPECT_EQ(xor_tiny.spec.listops_max_tokens, 0);
  const PlannedExperiment& listops = find_tag(plan, "gpt2-tiny_listops_random_fpt_s0");
  EXPECT_EQ(listops.spec.listops_max_tokens, 64);
  EXPECT_EQ(listops.spec.listops_max_length, 60);
  const PlannedExperiment& mini = find_tag(plan, "gpt2-mini_bit-xor_random_fpt_s0");
  EXPECT_EQ(mini.spec.body, "gpt2-mini");
  EXPECT_EQ(mini.spec.steps, 300);
  EXPECT_EQ(mini.spec.batch_size, 16);
}

TEST(GridExpand, IdsAreExperimentIdsOfTheSpec) {
  const SweepPlan      plan = parse_sweep(kQuick, "sweeps/quick.yaml");
  core::ExperimentSpec hand_built;
  hand_built.body                 = "gpt2-tiny";
  hand_built.task                 = "bit-memory";
  hand_built.init                 = "random";
  hand_built.seed                 = 1;
  hand_built.steps                = 600;
  hand_built.lr                   = 1e-3;  // lr 0 (default) resolves to the paper's 1e-3
  const PlannedExperiment& memory = find_tag(plan, "gpt2-tiny_bit-memory_random_fpt_s1");
  EXPECT_EQ(memory.id, core::experiment_id(hand_built));
  EXPECT_EQ(memory.id.size(), 16u);
  for (const PlannedExperiment& experiment : plan.experiments) {
    EXPECT_EQ(experiment.id, core::experiment_id(experiment.spec));
    EXPECT_DOUBLE_EQ(experiment.cost, estimated_cost(experiment.spec));
  }
}

TEST(GridExpand, IdsDoNotDependOnKeyOrderOrSpelling) {
  const char*                        one   = R"(
defaults: {body: gpt2-tiny, steps: 300, lr: 1e-3, batch_size: 16}
axes:
  task: [bit-xor]
  seed: [0, 1]
)";
  const char*                        other = R"(
axes:
  seed: [0, 1]
  task: [bit-xor]
defaults:
  batch_size: 16
  lr: 0.001
  steps: 3e2
  body: gpt2-tiny
)";
  const SweepPlan                    a     = parse_sweep(one, "a.yaml");
  const SweepPlan                    b     = parse_sweep(other, "b.yaml");
  std::map<std::string, std::string> ids_a, ids_b;
  for (const auto& e : a.experiments) ids_a[e.tag] = e.id;
  for (const auto& e : b.experiments) ids_b[e.tag] = e.id;
  EXPECT_EQ(ids_a.size(), 2u);
  EXPECT_EQ(ids_a, ids_b);
  // And a second parse of the same text gives the same ids.
  const SweepPlan again = parse_sweep(one, "a.yaml");
  for (size_t i = 0; i < a.experiments.size(); ++i)
    EXPECT_EQ(a.experiments[i].id, again.experiments[i].id);
}

TEST(GridExpand, IdsDifferWhenAnyKeyDiffers) {
  const std::string     base    = "axes:\n  task: [bit-xor]\ndefaults:\n  body: gpt2-tiny\n";
  const std::string     base_id = parse_sweep(base, "x.yaml").experiments.at(0).id;
  std::set<std::string> ids     = {base_id};
  for (const char* change :
       {"  lr: 0.0005\n", "  steps: 999\n", "  seed: 3\n", "  full_eval: false\n",
        "  trains: full\n", "  bits_n: 7\n", "  listops_mode: corrected\n", "  dropout: 0.0\n"}) {
    const std::string id = parse_sweep(base + change, "x.yaml").experiments.at(0).id;
    EXPECT_TRUE(ids.insert(id).second) << "id did not change for " << change;
  }
}

TEST(GridExpand, NonIdentityAxesExtendTheTag) {
  const SweepPlan plan = parse_sweep(R"(
defaults: {body: gpt2-tiny}
axes:
  task: [bit-xor]
  lr: [1e-3, 1e-4]
  trains: ["input,output", fpt]
  full_eval: [false]
)",
                                     "x.yaml");
  EXPECT_EQ(tags(plan), (std::set<std::string>{
                            "gpt2-tiny_bit-xor_random_input+output_s0_lr0.001_full_evalfalse",
                            "gpt2-tiny_bit-xor_random_input+output_s0_lr0.0001_full_evalfalse",
                            "gpt2-tiny_bit-xor_random_fpt_s0_lr0.001_full_evalfalse",
                            "gpt2-tiny_bit-xor_random_fpt_s0_lr0.0001_full_evalfalse"}));
  for (const auto& experiment : plan.experiments)
    EXPECT_EQ(experiment.tag.find_first_not_of(
                  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-"),
              std::string::npos);
}

TEST(GridExpand, OrderIsCostDescendingThenTag) {
  const SweepPlan plan = parse_sweep(R"(
defaults: {body: gpt2-tiny, steps: 100}
axes:
  task: [bit-xor, listops, bit-memory]
  seed: [1, 0]
overrides:
  task:
    listops: {listops_max_tokens: 64}
)",
                                     "x.yaml");
  ASSERT_EQ(plan.experiments.size(), 6u);
  // bit-memory 120 tokens > listops 64 > bit-xor 10; seeds tie and sort by tag (s0 first).
  const std::vector<std::string> expected = {
      "gpt2-tiny_bit-memory_random_fpt_s0", "gpt2-tiny_bit-memory_random_fpt_s1",
      "gpt2-tiny_listops_random_fpt_s0",    "gpt2-tiny_listops_random_fpt_s1",
      "gpt2-tiny_bit-xor_random_fpt_s0",    "gpt2-tiny_bit-xor_random_fpt_s1"};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(plan.experiments[i].tag, expected[i]);
  for (size_t i = 1; i < plan.experiments.size(); ++i)
    EXPECT_GE(plan.experiments[i - 1].cost, plan.experiments[i].cost);
}

TEST(GridExpand, GridSizeIsTheProductOfAxes) {
  const SweepPlan plan = parse_sweep(R"(
defaults: {body: gpt2-tiny}
axes:
  task: [bit-xor, bit-memory]
  seed: [0, 1, 2]
  lr: [1e-3, 3e-4, 1e-4]
  batch_size: [8, 16]
)",
                                     "x.yaml");
  EXPECT_EQ(plan.experiments.size(), 2u * 3u * 3u * 2u);
  std::set<std::string> ids;
  for (const auto& e : plan.experiments) ids.insert(e.id);
  EXPECT_EQ(ids.size(), plan.experiments.size());
}

TEST(GridExpand, IncludeDuplicatingAGridPointIsMerged) {
  const SweepPlan plan = parse_sweep(R"(
defaults: {body: gpt2-tiny}
axes:
  task: [bit-xor, bit-memory]
include:
  - {task: bit-xor}
  - {task: bit-xor, seed: 5}
)",
                                     "x.yaml");
  EXPECT_EQ(tags(plan), (std::set<std::string>{"gpt2-tiny_bit-xor_random_fpt_s0",
                                               "gpt2-tiny_bit-memory_random_fpt_s0",
                                               "gpt2-tiny_bit-xor_random_fpt_s5"}));
}

TEST(GridExpand, IncludeKeysWinOverOverridesAndOverridesMatchIncludes) {
  const SweepPlan          plan = parse_sweep(R"(
defaults: {body: gpt2-tiny}
axes:
  task: [bit-xor]
overrides:
  body:
    gpt2-mini: {batch_size: 4, steps: 50}
include:
  - {task: bit-memory, body: gpt2-mini, steps: 70}
)",
                                              "x.yaml");
  const PlannedExperiment& mini = find_tag(plan, "gpt2-mini_bit-memory_random_fpt_s0");
  EXPECT_EQ(mini.spec.batch_size, 4);  // override matched the include's body
  EXPECT_EQ(mini.spec.steps, 70);      // the include's own key wins
  const PlannedExperiment& tiny = find_tag(plan, "gpt2-tiny_bit-xor_random_fpt_s0");
  EXPECT_EQ(tiny.spec.batch_size, 16);
}

TEST(GridExpand, OverridesOnNumericAxisValues) {
  const SweepPlan plan = parse_sweep(R"(
defaults: {body: gpt2-tiny, task: bit-xor}
axes:
  lr: [1e-3, 1e-4]
overrides:
  lr:
    0.0001: {steps: 2000}
)",
                                     "x.yaml");
  ASSERT_EQ(plan.experiments.size(), 2u);
  for (const auto& e : plan.experiments) EXPECT_EQ(e.spec.steps, e.spec.lr < 5e-4 ? 2000 : 1000);
}

TEST(GridExpand, ExcludeDropsPointsMatchingAllKeys) {
  const SweepPlan plan = parse_sweep(R"(
defaults: {body: gpt2-tiny}
axes:
  task: [bit-xor, bit-memory]
  seed: [0, 1]
exclude:
  - {task: bit-memory, seed: 1}
  - {task: listops}
)",
                                     "x.yaml");
  EXPECT_EQ(tags(plan), (std::set<std::string>{"gpt2-tiny_bit-xor_random_fpt_s0",
                                               "gpt2-tiny_bit-xor_random_fpt_s1",
                                               "gpt2-tiny_bit-memory_random_fpt_s0"}));
}

TEST(GridExpand, TagsCollidingForDifferentIdsGetIdSuffix) {
  const SweepPlan plan = parse_sweep(R"(
defaults: {body: gpt2-tiny}
axes:
  task: [bit-xor]
include:
  - {task: bit-xor, steps: 50}
)",
                                     "x.yaml");
  ASSERT_EQ(plan.experiments.size(), 2u);
  EXPECT_NE(plan.experiments[0].tag, plan.experiments[1].tag);
  for (const auto& e : plan.experiments)
    EXPECT_EQ(e.tag, "gpt2-tiny_bit-xor_random_fpt_s0_" + e.id.substr(0, 8));
}

TEST(GridExpand, RuntimeOutputAndDefaultName) {
  const SweepPlan plan = parse_sweep(R"(
output: /tmp/somewhere/else
runtime: {threads: 2, status_every_seconds: 5}
include:
  - {body: gpt2-tiny}
)",
                                     "sweeps/my-sweep.yaml");
  EXPECT_EQ(plan.name, "my-sweep");
  EXPECT_EQ(plan.output_dir, std::filesystem::path("/tmp/somewhere/else"));
  EXPECT_EQ(plan.runtime.threads, 2);
  EXPECT_DOUBLE_EQ(plan.runtime.status_every_seconds, 5.0);
  ASSERT_EQ(plan.experiments.size(), 1u);

  // Runtime settings never change ids.
  const SweepPlan other = parse_sweep("include:\n  - {body: gpt2-tiny}\n", "sweeps/my-sweep.yaml");
  EXPECT_EQ(other.runtime.threads, 0);
  EXPECT_DOUBLE_EQ(other.runtime.status_every_seconds, 30.0);
  EXPECT_EQ(other.experiments.at(0).id, plan.experiments.at(0).id);
}

TEST(GridExpand, LoadSweepReadsFileAndKeepsText) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("fpt_grid_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / "from-file.yaml";
  {
    std::ofstream out(path);
    out << kQuick;
  }
  const SweepPlan plan = load_sweep(path);
  EXPECT_EQ(plan.source, path);
  EXPECT_EQ(plan.source_text, kQuick);
  EXPECT_EQ(plan.experiments.size(), 6u);
  EXPECT_EQ(plan.name, "quick");
  std::filesystem::remove_all(dir);
}

TEST(GridDescribe, MentionsEveryIdTagAndTotals) {
  const SweepPlan   plan = parse_sweep(kQuick, "sweeps/quick.yaml");
  const std::string text = describe_plan(plan);
  for (const auto& e : plan.experiments) {
    EXPECT_NE(text.find(e.id), std::string::npos) << e.id;
    EXPECT_NE(text.find(e.tag), std::string::npos) << e.tag;
  }
  EXPECT_NE(text.find("quick"), std::string::npos);
  EXPECT_NE(text.find("total: 6 experiments"), std::string::npos) << text;
  int64_t steps = 0;
  for (const auto& e : plan.experiments) steps += e.spec.steps;
  EXPECT_NE(text.find(std::to_string(steps) + " optimizer steps"), std::string::npos) << text;
}

}  // namespace
}  // namespace fpt::sweep
