// Scales (`scales:` in a sweep file, fpt_sweep --scale NAME): scalar settings for every experiment,
// per-value blocks matched before the scale, `only`, the ids and the results directory they change,
// and the errors (unknown scale, typo in a block, bad values) naming the file, line and key.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "fpt/core/error.h"
#include "fpt/core/experiment_spec.h"
#include "fpt/sweep/grid.h"

namespace fpt::sweep {
namespace {

const char* kScaled = R"(name: paper
defaults:
  trains: fpt
  batch_size: 16
axes:
  body: [gpt2, lstm]
  init: [pretrained, random]
  task: [bit-xor, bit-memory, cifar10]
  seed: [0, 1]
exclude:
  - {body: lstm, init: pretrained}
overrides:
  task:
    bit-xor: {steps: 20000}
    bit-memory: {steps: 40000}
    cifar10: {steps: 400000}
scales:
  tiny:
    steps: 40
    batch_size: 8
    task:
      bit-memory: {bits_n: 100, bits_patch: 10, steps: 60}
    body:
      gpt2: {body: minilm}
      lstm: {body: lstm-tiny}
    only:
      task: [bit-xor, bit-memory]
      seed: [0]
  oneseed:
    seed: 0
)";

PlanOptions scaled(const std::string& name) {
  PlanOptions options;
  options.scale = name;
  return options;
}

std::map<std::string, const PlannedExperiment*> by_tag(const SweepPlan& plan) {
  std::map<std::string, const PlannedExperiment*> out;
  for (const PlannedExperiment& experiment : plan.experiments) out[experiment.tag] = &experiment;
  return out;
}

// The spec the grid computes for `tag`, built by hand key by key (independent of the scale code).
core::ExperimentSpec expected_spec(const std::string& body, const std::string& init,
                                   const std::string& task, int64_t steps) {
  core::ExperimentSpec spec;
  spec.body       = body;
  spec.init       = init;
  spec.task       = task;
  spec.trains     = "fpt";
  spec.seed       = 0;
  spec.batch_size = 8;
  spec.steps      = steps;
  if (task == "bit-memory") {
    spec.bits_n     = 100;
    spec.bits_patch = 10;
  }
  return core::resolve_defaults(spec);
}

TEST(GridScale, FullSizeIgnoresScales) {
  const SweepPlan plan = parse_sweep(kScaled, "sweeps/paper.yaml");
  // 2 bodies x 2 inits x 3 tasks x 2 seeds = 24, minus lstm/pretrained (6).
  EXPECT_EQ(plan.experiments.size(), 18u);
  EXPECT_EQ(plan.scale, "");
  EXPECT_EQ(plan.output_dir, std::filesystem::path("results/paper"));
  for (const PlannedExperiment& experiment : plan.experiments)
    EXPECT_GE(experiment.spec.steps, 20000) << experiment.tag;
}

TEST(GridScale, TinyAppliesSettingsBlocksAndOnly) {
  const SweepPlan plan = parse_sweep(kScaled, "sweeps/paper.yaml", scaled("tiny"));
  EXPECT_EQ(plan.scale, "tiny");
  EXPECT_EQ(plan.output_dir, std::filesystem::path("results/paper-tiny"));
  const auto tags = by_tag(plan);
  // only: two tasks, seed 0; bodies swapped by the blocks (matched on the body before the scale).
  const std::set<std::string> expected_tags = {
      "minilm_bit-xor_pretrained_fpt_s0",    "minilm_bit-xor_random_fpt_s0",
      "minilm_bit-memory_pretrained_fpt_s0", "minilm_bit-memory_random_fpt_s0",
      "lstm-tiny_bit-xor_random_fpt_s0",     "lstm-tiny_bit-memory_random_fpt_s0"};
  std::set<std::string> actual_tags;
  for (const auto& [tag, experiment] : tags) actual_tags.insert(tag);
  EXPECT_EQ(actual_tags, expected_tags);
  // Scalars for every experiment, the task block's steps win over the scalar.
  for (const auto& [tag, experiment] : tags) {
    const core::ExperimentSpec& spec  = experiment->spec;
    const int64_t               steps = spec.task == "bit-memory" ? 60 : 40;
    const core::ExperimentSpec  want  = expected_spec(spec.body, spec.init, spec.task, steps);
    EXPECT_EQ(core::canonical_spec_text(spec), core::canonical_spec_text(want)) << tag;
    EXPECT_EQ(experiment->id, core::experiment_id(want)) << tag;
  }
  // The cost the dry run prints is the scaled one.
  const std::string text = describe_plan(plan);
  EXPECT_NE(text.find("sweep 'paper' at scale tiny from sweeps/paper.yaml: 6 experiments, "
                      "results in results/paper-tiny"),
            std::string::npos)
      << text;
  double total = 0;
  for (const PlannedExperiment& experiment : plan.experiments) {
    EXPECT_DOUBLE_EQ(experiment.cost, estimated_cost(experiment.spec));
    total += experiment.cost;
  }
  EXPECT_NE(text.find(fmt::format("cost {:.3e}", total)), std::string::npos) << text;
}

TEST(GridScale, ScaleChangesIdsAndSetStillWins) {
  const SweepPlan full  = parse_sweep(kScaled, "sweeps/paper.yaml");
  const SweepPlan small = parse_sweep(kScaled, "sweeps/paper.yaml", scaled("oneseed"));
  ASSERT_EQ(small.experiments.size(), 9u);  // seed: 0 everywhere: seeds 0 and 1 collapse
  std::set<std::string> full_ids;
  for (const PlannedExperiment& experiment : full.experiments) full_ids.insert(experiment.id);
  // seed 0 experiments are unchanged by `seed: 0`: the same ids as at full size.
  for (const PlannedExperiment& experiment : small.experiments)
    EXPECT_TRUE(full_ids.count(experiment.id)) << experiment.tag;

  PlanOptions options = scaled("tiny");
  options.set         = {{"steps", "7"}};
  const SweepPlan set = parse_sweep(kScaled, "sweeps/paper.yaml", options);
  for (const PlannedExperiment& experiment : set.experiments) EXPECT_EQ(experiment.spec.steps, 7);
}

TEST(GridScale, OutputKeyGetsTheScaleSuffix) {
  const std::string yaml =
      "output: results/mine/\naxes:\n  task: [bit-xor]\nscales:\n  tiny: {steps: 5}\n";
  EXPECT_EQ(parse_sweep(yaml, "x.yaml", scaled("tiny")).output_dir,
            std::filesystem::path("results/mine-tiny"));
}

TEST(GridScale, UnknownScaleListsTheDefinedOnes) {
  try {
    parse_sweep(kScaled, "sweeps/paper.yaml", scaled("huge"));
    FAIL() << "no error for an unknown scale";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("sweeps/paper.yaml:17"), std::string::npos) << message;  // `scales:`
    EXPECT_NE(message.find("'scales'"), std::string::npos) << message;
    EXPECT_NE(message.find("huge"), std::string::npos) << message;
    EXPECT_NE(message.find("tiny, oneseed"), std::string::npos) << message;
  }
  try {
    parse_sweep("axes:\n  task: [bit-xor]\n", "sweeps/plain.yaml", scaled("tiny"));
    FAIL() << "no error for a scale of a file without scales";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("sweeps/plain.yaml"), std::string::npos) << message;
    EXPECT_NE(message.find("defines no `scales:`"), std::string::npos) << message;
  }
}

TEST(GridScale, BadScalesNameFileLineAndKey) {
  const std::string base      = "axes:\n  task: [bit-xor, bit-memory]\nscales:\n";
  auto              error_for = [&](const std::string& scales, const std::string& scale = "") {
    try {
      parse_sweep(base + scales, "sweeps/x.yaml", scaled(scale));
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  // Checked when the file loads, whatever scale is asked for.
  std::string message = error_for("  tiny:\n    stepz: 3\n");
  EXPECT_NE(message.find("sweeps/x.yaml:5"), std::string::npos) << message;
  EXPECT_NE(message.find("'stepz'"), std::string::npos) << message;
  message = error_for("  tiny:\n    steps: 0\n");
  EXPECT_NE(message.find("sweeps/x.yaml:5"), std::string::npos) << message;
  EXPECT_NE(message.find("positive"), std::string::npos) << message;
  message = error_for("  tiny:\n    body: {gpt2: {body: gpt3}}\n");
  EXPECT_NE(message.find("sweeps/x.yaml:5"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown body 'gpt3'"), std::string::npos) << message;
  message = error_for("  tiny:\n    seed: [0, 1]\n");
  EXPECT_NE(message.find("sweeps/x.yaml:5"), std::string::npos) << message;
  EXPECT_NE(message.find("only"), std::string::npos) << message;
  message = error_for("  tiny:\n    only: {task: bit-xor}\n");
  EXPECT_NE(message.find("sweeps/x.yaml:5"), std::string::npos) << message;
  EXPECT_NE(message.find("scales.tiny.only 'task' must be a list"), std::string::npos) << message;
  message = error_for("  ti/ny: {steps: 3}\n");
  EXPECT_NE(message.find("sweeps/x.yaml:4"), std::string::npos) << message;
  EXPECT_NE(message.find("scale name"), std::string::npos) << message;
  // Checked when the scale is applied: a block for a value no experiment has is a typo.
  message = error_for("  tiny:\n    task: {bit-memroy: {steps: 3}}\n", "tiny");
  EXPECT_NE(message.find("sweeps/x.yaml:5"), std::string::npos) << message;
  EXPECT_NE(message.find("task 'bit-memroy' matches no experiment"), std::string::npos) << message;
  message = error_for("  tiny:\n    only: {task: [listops]}\n", "tiny");
  EXPECT_NE(message.find("sweeps/x.yaml"), std::string::npos) << message;
  EXPECT_NE(message.find("no experiment is left after the scale's `only` (2 dropped)"),
            std::string::npos)
      << message;
  // Two blocks setting one key differently for the same experiment.
  message =
      error_for("  tiny:\n    task: {bit-xor: {steps: 3}}\n    seed: {0: {steps: 4}}\n", "tiny");
  EXPECT_NE(message.find("both set 'steps'"), std::string::npos) << message;
}

}  // namespace
}  // namespace fpt::sweep
