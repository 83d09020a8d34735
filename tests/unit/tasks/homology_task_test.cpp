// Remote homology task: shape and splits on the TAPE fixture, the length filter and its counts,
// length-bucketed batches (deterministic, uniform over examples, little padding, each batch padded
// to its own longest), full-pass order and ranges, make_task through FPT_DATA_DIR, bad options.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "../error_message.h"
#include "fpt/core/error.h"
#include "fpt/tasks/homology_task.h"
#include "fpt/tasks/iupac_tokenizer.h"
#include "fpt/tasks/length_bucket_sampler.h"
#include "fpt/tasks/tape_reader.h"

namespace fpt::tasks {

using fpt::test::error_of;
namespace {

namespace fs = std::filesystem;

const fs::path kFixture = fs::path(FPT_SOURCE_DIR) / "tests" / "data" / "tape";

nlohmann::json expected_fixture() {
  std::ifstream in(kFixture / "expected.json");
  return nlohmann::json::parse(in);
}

// Synthetic split: example i has lengths[i] tokens (<cls> 5... <sep>) and label i % 1195.
ExampleArrays synthetic(const std::vector<int64_t>& lengths) {
  std::vector<int16_t> values;
  std::vector<int64_t> offsets = {0}, labels;
  for (size_t i = 0; i < lengths.size(); ++i) {
    values.push_back(kIupacCls);
    for (int64_t t = 2; t < lengths[i]; ++t) values.push_back(static_cast<int16_t>(5 + t % 25));
    values.push_back(kIupacSep);
    offsets.push_back(static_cast<int64_t>(values.size()));
    labels.push_back(static_cast<int64_t>(i % 1195));
  }
  ExampleArrays arrays;
  arrays.values =
      torch::tensor(std::vector<int64_t>(values.begin(), values.end())).to(torch::kShort);
  arrays.offsets = torch::tensor(offsets, torch::kLong);
  arrays.labels  = torch::tensor(labels, torch::kLong);
  return arrays;
}

std::vector<int64_t> random_lengths(int64_t count, int64_t low, int64_t high, uint32_t seed) {
  std::mt19937                           random(seed);
  std::uniform_int_distribution<int64_t> length(low, high);
  std::vector<int64_t>                   lengths;
  for (int64_t i = 0; i < count; ++i) lengths.push_back(length(random));
  return lengths;
}

std::unique_ptr<HomologyTask> synthetic_task(const std::vector<int64_t>& train_lengths,
                                             int64_t                     max_tokens) {
  std::vector<std::pair<std::string, ExampleArrays>> evals;
  evals.emplace_back("valid", synthetic({5, 9, 7, 30}));
  evals.emplace_back("test_fold_holdout", synthetic({12, 4}));
  return std::make_unique<HomologyTask>(synthetic(train_lengths), std::move(evals), max_tokens);
}

// Tokens of a row that are not padding, i.e. the example's length.
int64_t row_length(const torch::Tensor& inputs, int64_t row) {
  return inputs[row].ne(kIupacPad).sum().item<int64_t>();
}

TEST(HomologyTask, FixtureShapeAndSplits) {
  HomologyTaskOptions options;
  options.data_root             = kFixture / "lmdb";
  options.max_tokens            = 0;  // keep all
  const auto           task     = HomologyTask::load(options);
  const nlohmann::json expected = expected_fixture();
  const TaskShape      shape    = task->shape();
  EXPECT_EQ(task->name(), "remote-homology");
  EXPECT_EQ(shape.input_kind, InputKind::tokens);
  EXPECT_EQ(shape.input_dim, 30);
  EXPECT_EQ(shape.output_tokens, 1);
  EXPECT_EQ(shape.output_dim, 1195);
  EXPECT_EQ(shape.num_classes, 1195);
  int64_t longest = 0;
  for (const auto& [split, data] : expected.items())
    for (const auto& primary : data["primary"])
      longest =
          std::max<int64_t>(longest, static_cast<int64_t>(primary.get<std::string>().size()) + 2);
  EXPECT_EQ(shape.sequence_length, longest);

  const std::vector<EvalSplit> splits = task->eval_splits();
  ASSERT_EQ(splits.size(), 4u);
  const std::vector<std::string> names = {"valid", "test_fold_holdout", "test_superfamily_holdout",
                                          "test_family_holdout"};
  for (size_t i = 0; i < splits.size(); ++i) {
    EXPECT_EQ(splits[i].name, names[i]);
    EXPECT_EQ(splits[i].size, static_cast<int64_t>(expected[names[i]]["ids"].size()));
    EXPECT_EQ(splits[i].excluded, 0);
    EXPECT_TRUE(splits[i].corrected);
  }
  EXPECT_EQ(task->eval_split_name(), "valid");  // the headline split, for single-split callers
  EXPECT_EQ(task->eval_split_size(), splits[0].size);
  EXPECT_EQ(task->train_split().kept.size(), expected["train"]["ids"].size());
}

TEST(HomologyTask, LengthFilterExcludesLongProteinsFromEverySplit) {
  constexpr int64_t   kMax = 20;
  HomologyTaskOptions options;
  options.data_root                = kFixture / "json";
  options.max_tokens               = kMax;
  const auto           task        = HomologyTask::load(options);
  const nlohmann::json want        = expected_fixture();
  auto                 excluded_in = [&](const std::string& split) {
    int64_t count = 0;
    for (const auto& primary : want[split]["primary"])
      if (static_cast<int64_t>(primary.get<std::string>().size()) + 2 > kMax) ++count;
    return count;
  };
  EXPECT_EQ(task->train_split().excluded, excluded_in("train"));
  EXPECT_GT(task->train_split().excluded, 0);  // the fixture has proteins on both sides of 20
  EXPECT_GT(task->train_split().kept.size(), 0u);
  for (const EvalSplit& split : task->eval_splits()) {
    EXPECT_EQ(split.excluded, excluded_in(split.name)) << split.name;
    EXPECT_EQ(split.size + split.excluded, static_cast<int64_t>(want[split.name]["ids"].size()));
  }
  EXPECT_LE(task->shape().sequence_length, kMax);

  auto generator = at::make_generator<at::CPUGeneratorImpl>(3);
  for (int i = 0; i < 50; ++i) {
    const Batch batch = task->train_batch(4, generator);
    EXPECT_LE(batch.inputs.size(1), kMax);
    for (int64_t row = 0; row < 4; ++row) EXPECT_LE(row_length(batch.inputs, row), kMax);
  }
}

TEST(HomologyTask, BatchesAreDeterministicGivenTheGenerator) {
  const auto task           = synthetic_task(random_lengths(500, 3, 300, 1), 0);
  auto       a              = at::make_generator<at::CPUGeneratorImpl>(42);
  auto       b              = at::make_generator<at::CPUGeneratorImpl>(42);
  auto       c              = at::make_generator<at::CPUGeneratorImpl>(43);
  bool       any_difference = false;
  for (int i = 0; i < 20; ++i) {
    const Batch first = task->train_batch(8, a), second = task->train_batch(8, b);
    const Batch other = task->train_batch(8, c);
    EXPECT_TRUE(torch::equal(first.inputs, second.inputs));
    EXPECT_TRUE(torch::equal(first.targets, second.targets));
    if (!first.inputs.sizes().equals(other.inputs.sizes()) ||
        !torch::equal(first.targets, other.targets))
      any_difference = true;
  }
  EXPECT_TRUE(any_difference);
}

TEST(HomologyTask, BatchesArePaddedToTheirOwnLongestWithLittlePadding) {
  const std::vector<int64_t> lengths   = random_lengths(3000, 10, 1000, 2);
  const auto                 task      = synthetic_task(lengths, 0);
  auto                       generator = at::make_generator<at::CPUGeneratorImpl>(5);
  double                     padding = 0, cells = 0;
  for (int i = 0; i < 200; ++i) {
    const Batch batch = task->train_batch(16, generator);
    ASSERT_EQ(batch.inputs.dim(), 2);
    EXPECT_EQ(batch.inputs.scalar_type(), torch::kLong);
    EXPECT_EQ(batch.targets.sizes().vec(), (std::vector<int64_t>{16, 1}));
    int64_t longest = 0;
    for (int64_t row = 0; row < 16; ++row) {
      const int64_t length = row_length(batch.inputs, row);
      longest              = std::max(longest, length);
      // row = <cls> ... <sep> then zeros; its label is its example's
      EXPECT_EQ(batch.inputs[row][0].item<int64_t>(), kIupacCls);
      EXPECT_EQ(batch.inputs[row][length - 1].item<int64_t>(), kIupacSep);
    }
    EXPECT_EQ(batch.inputs.size(1), longest);  // padded to this batch's longest only
    padding += static_cast<double>(batch.inputs.eq(kIupacPad).sum().item<int64_t>());
    cells += static_cast<double>(batch.inputs.numel());
  }
  // uniform draws from lengths 10..1000 would pad ~45 % of the cells; buckets of 64 neighbours
  // of 3000 proteins span ~21 tokens
  EXPECT_LT(padding / cells, 0.05) << "padding fraction " << padding / cells;
}

TEST(HomologyTask, BucketedDrawsAreUniformOverExamples) {
  std::vector<int64_t> ids(200), lengths = random_lengths(200, 3, 500, 9);
  for (int64_t i = 0; i < 200; ++i) ids[static_cast<size_t>(i)] = 1000 + i;
  const LengthBucketSampler sampler(ids, lengths, 64, "t");  // buckets of 64, 64, 72
  EXPECT_EQ(sampler.bucket_count(), 3);
  auto                       generator = at::make_generator<at::CPUGeneratorImpl>(11);
  std::map<int64_t, int64_t> counts;
  for (int i = 0; i < 20000; ++i)
    for (int64_t id : sampler.next(8, generator)) ++counts[id];
  ASSERT_EQ(counts.size(), 200u);
  for (const auto& [id, count] : counts) {  // expected 800 each; 6 sigma ~ 170
    EXPECT_GT(count, 630) << id;
    EXPECT_LT(count, 970) << id;
  }
  // a batch never repeats an example when its bucket is large enough
  for (int i = 0; i < 100; ++i) {
    std::vector<int64_t> batch = sampler.next(16, generator);
    std::sort(batch.begin(), batch.end());
    EXPECT_EQ(std::adjacent_find(batch.begin(), batch.end()), batch.end());
  }
  EXPECT_EQ(sampler.next(100, generator).size(), 100u);  // larger than a bucket: with replacement
}

TEST(HomologyTask, FullPassVisitsKeptExamplesInLengthOrder) {
  const auto task = synthetic_task(random_lengths(100, 3, 50, 4), 10);  // valid 5 9 7 30 -> 3 kept
  const std::vector<EvalSplit> splits = task->eval_splits();
  ASSERT_EQ(splits.size(), 2u);
  EXPECT_EQ(splits[0].size, 3);
  EXPECT_EQ(splits[0].excluded, 1);
  EXPECT_EQ(splits[1].size, 1);
  EXPECT_EQ(splits[1].excluded, 1);
  const Batch all = task->eval_split_examples(0, 0, 3);
  EXPECT_EQ(all.inputs.size(1), 9);
  EXPECT_EQ(row_length(all.inputs, 0), 5);
  EXPECT_EQ(row_length(all.inputs, 1), 7);
  EXPECT_EQ(row_length(all.inputs, 2), 9);
  // labels follow their examples: valid example i has label i
  EXPECT_TRUE(torch::equal(all.targets.flatten(), torch::tensor({0, 2, 1}, torch::kLong)));
  const Batch last = task->eval_split_examples(0, 2, 3);
  EXPECT_EQ(last.inputs.size(1), 9);
  EXPECT_TRUE(torch::equal(task->eval_split_batch(0, 3).inputs, all.inputs));
  EXPECT_EQ(task->eval_split_examples(1, 0, 1).inputs.size(1), 4);

  EXPECT_THROW(task->eval_split_examples(0, 0, 4), fpt::Error);
  EXPECT_THROW(task->eval_split_examples(0, 2, 2), fpt::Error);
  EXPECT_THROW(task->eval_split_examples(2, 0, 1), fpt::Error);
  EXPECT_LE(task->shape().sequence_length, 10);
}

TEST(HomologyTask, SplitWithNothingKeptIsAnError) {
  std::vector<std::pair<std::string, ExampleArrays>> evals;
  evals.emplace_back("valid", synthetic({50, 60}));
  const std::string message = error_of([&] {
    HomologyTask(synthetic({5, 6}), std::move(evals), 20);
  });
  EXPECT_NE(message.find("valid"), std::string::npos) << message;
  EXPECT_NE(message.find("longer than homology_max_tokens 20"), std::string::npos) << message;
}

TEST(HomologyTask, MakeTaskReadsFromTheDataDirectory) {
  const fs::path root = fs::temp_directory_path() / ("fpt_homology_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const char*       previous = std::getenv("FPT_DATA_DIR");
  const std::string saved    = previous ? previous : "";
  ::setenv("FPT_DATA_DIR", root.c_str(), 1);

  core::ExperimentSpec spec;
  spec.task                 = "remote-homology";
  const std::string missing = error_of([&] { make_task(spec); });
  EXPECT_NE(missing.find((root / "remote-homology").string()), std::string::npos) << missing;
  EXPECT_NE(missing.find(kHomologyReleaseUrl), std::string::npos) << missing;

  fs::create_directory_symlink(kFixture / "lmdb", root / "remote-homology");
  const auto task = make_task(spec);
  EXPECT_EQ(task->name(), "remote-homology");
  EXPECT_EQ(task->eval_splits().size(), 4u);

  spec.homology_max_tokens = -1;
  EXPECT_NE(error_of([&] { make_task(spec); }).find("homology_max_tokens -1"), std::string::npos);

  if (previous)
    ::setenv("FPT_DATA_DIR", saved.c_str(), 1);
  else
    ::unsetenv("FPT_DATA_DIR");
  fs::remove_all(root);
}

}  // namespace
}  // namespace fpt::tasks
