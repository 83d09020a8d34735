// ListOpsTask end to end: data generated into a temporary FPT_DATA_DIR, written as LRA TSV files,
// reused on the next load, tokenised in both modes; batch shapes, id ranges, the evaluation split,
// reading an LRA-style directory, and the errors for bad keys and missing files.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "fpt/core/error.h"
#include "fpt/tasks/listops_dataset.h"
#include "fpt/tasks/listops_task.h"

namespace {

namespace fs = std::filesystem;
using fpt::tasks::ListOpsTask;

class ListOpsTaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("fpt_listops_task_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    const char* previous = std::getenv("FPT_DATA_DIR");
    had_previous_        = previous != nullptr;
    if (had_previous_) previous_ = previous;
    ::setenv("FPT_DATA_DIR", directory_.c_str(), 1);
  }
  void TearDown() override {
    if (had_previous_)
      ::setenv("FPT_DATA_DIR", previous_.c_str(), 1);
    else
      ::unsetenv("FPT_DATA_DIR");
    fs::remove_all(directory_);
  }

  static fpt::core::ExperimentSpec small_spec(const std::string& mode) {
    fpt::core::ExperimentSpec spec;
    spec.task               = "listops";
    spec.listops_mode       = mode;
    spec.listops_min_length = 10;
    spec.listops_max_length = 60;
    spec.listops_train_size = 200;
    spec.listops_eval_size  = 50;
    return spec;
  }

  static std::string error_of(const fpt::core::ExperimentSpec& spec) {
    try {
      fpt::tasks::make_listops_task(spec);
    } catch (const fpt::Error& error) {
      return error.what();
    }
    return "";
  }

  fs::path    directory_;
  bool        had_previous_ = false;
  std::string previous_;
};

TEST_F(ListOpsTaskTest, PaperModeGeneratesDataWithTheRightShapes) {
  const auto spec = small_spec("paper");
  auto       task = fpt::tasks::make_listops_task(spec);
  EXPECT_EQ(task->name(), "listops");
  const auto shape = task->shape();
  EXPECT_EQ(shape.input_kind, fpt::tasks::InputKind::tokens);
  EXPECT_EQ(shape.input_dim, 15);
  EXPECT_EQ(shape.sequence_length, 512);
  EXPECT_EQ(shape.output_tokens, 1);
  EXPECT_EQ(shape.output_dim, 10);
  EXPECT_EQ(shape.num_classes, 10);
  EXPECT_EQ(task->eval_split_name(), "basic_val");
  EXPECT_EQ(task->eval_split_size(), 50);

  auto       generator = at::make_generator<at::CPUGeneratorImpl>(3);
  const auto batch     = task->train_batch(16, generator);
  EXPECT_EQ(batch.inputs.sizes(), (std::vector<int64_t>{16, 512}));
  EXPECT_EQ(batch.inputs.scalar_type(), torch::kLong);
  EXPECT_EQ(batch.targets.sizes(), (std::vector<int64_t>{16, 1}));
  EXPECT_EQ(batch.targets.scalar_type(), torch::kLong);
  EXPECT_GE(batch.inputs.min().item<int64_t>(), 0);
  EXPECT_LT(batch.inputs.max().item<int64_t>(), 15);
  EXPECT_GE(batch.targets.min().item<int64_t>(), 0);
  EXPECT_LE(batch.targets.max().item<int64_t>(), 9);
  // short expressions (length < 60) never reach 512 tokens: the tail is padding, the head is not
  EXPECT_TRUE(batch.inputs.select(1, 511).eq(0).all().item<bool>());
  EXPECT_TRUE(batch.inputs.select(1, 0).gt(10).all().item<bool>());  // an operator opens each
  // paper mode has no ']' token (id 15) by construction: ids < 15 above

  const auto eval = task->eval_batch(8, generator);
  EXPECT_EQ(eval.inputs.sizes(), (std::vector<int64_t>{8, 512}));
  EXPECT_EQ(eval.targets.sizes(), (std::vector<int64_t>{8, 1}));

  // the files exist in the cache directory named by the settings' hash
  const fs::path data = fpt::tasks::listops_generated_directory(
      fpt::tasks::listops_options_from_spec(spec).generated);
  EXPECT_EQ(data.parent_path(), directory_ / "listops-generated");
  for (const char* file : {"basic_train.tsv", "basic_val.tsv", "basic_test.tsv"})
    EXPECT_TRUE(fs::is_regular_file(data / file)) << file;
  EXPECT_EQ(fpt::tasks::read_listops_tsv(data / "basic_train.tsv").size(), 200u);
  EXPECT_EQ(fpt::tasks::read_listops_tsv(data / "basic_test.tsv").size(), 50u);
}

TEST_F(ListOpsTaskTest, SameGeneratorDrawsTheSameBatch) {
  auto       task   = fpt::tasks::make_listops_task(small_spec("paper"));
  auto       first  = at::make_generator<at::CPUGeneratorImpl>(9);
  auto       second = at::make_generator<at::CPUGeneratorImpl>(9);
  const auto a      = task->train_batch(32, first);
  const auto b      = task->train_batch(32, second);
  EXPECT_TRUE(torch::equal(a.inputs, b.inputs));
  EXPECT_TRUE(torch::equal(a.targets, b.targets));
  const auto c = task->train_batch(32, first);
  EXPECT_FALSE(torch::equal(a.inputs, c.inputs));
}

TEST_F(ListOpsTaskTest, GeneratedFilesAreReusedAndReloadIdentically) {
  const auto     spec  = small_spec("corrected");
  auto           first = ListOpsTask::load(fpt::tasks::listops_options_from_spec(spec));
  const fs::path data  = fpt::tasks::listops_generated_directory(
       fpt::tasks::listops_options_from_spec(spec).generated);
  const auto written = fs::last_write_time(data / "basic_train.tsv");
  auto       second  = ListOpsTask::load(fpt::tasks::listops_options_from_spec(spec));
  EXPECT_EQ(fs::last_write_time(data / "basic_train.tsv"), written);  // reused, not rewritten
  EXPECT_TRUE(torch::equal(first->train_tokens().tokens, second->train_tokens().tokens));
  EXPECT_TRUE(torch::equal(first->train_tokens().labels, second->train_tokens().labels));
  EXPECT_TRUE(torch::equal(first->eval_tokens().tokens, second->eval_tokens().tokens));

  // regenerated from scratch (files deleted), the data are the same: the seed is the settings'
  fs::remove_all(data);
  auto third = ListOpsTask::load(fpt::tasks::listops_options_from_spec(spec));
  EXPECT_TRUE(torch::equal(first->train_tokens().tokens, third->train_tokens().tokens));

  // the same settings under another experiment (seed, body) see the same data
  auto other_spec = spec;
  other_spec.seed = 4;
  other_spec.body = "gpt2-medium";
  auto fourth     = ListOpsTask::load(fpt::tasks::listops_options_from_spec(other_spec));
  EXPECT_TRUE(torch::equal(first->train_tokens().tokens, fourth->train_tokens().tokens));

  // other settings, another directory and other data
  auto bigger               = spec;
  bigger.listops_train_size = 201;
  EXPECT_NE(fpt::tasks::listops_generated_directory(
                fpt::tasks::listops_options_from_spec(bigger).generated),
            data);
}

TEST_F(ListOpsTaskTest, GeneratedSplitsAreDistinctAndTheirTargetsHold) {
  const auto options = fpt::tasks::listops_options_from_spec(small_spec("paper")).generated;
  const auto splits  = fpt::tasks::generate_listops_splits(options);
  ASSERT_EQ(splits.train.size(), 200u);
  ASSERT_EQ(splits.val.size(), 50u);
  ASSERT_EQ(splits.test.size(), 50u);
  std::set<std::string> sources;
  for (const auto* split : {&splits.train, &splits.val, &splits.test}) {
    for (const auto& example : *split) {
      sources.insert(example.source);
      EXPECT_EQ(fpt::tasks::evaluate_lra_string(example.source, "generated"), example.target);
    }
  }
  EXPECT_EQ(sources.size(), 300u);  // LRA removes duplicates across all splits
}

TEST_F(ListOpsTaskTest, CorrectedModeUsesTheLongestExampleAndBasicTest) {
  auto task = ListOpsTask::load(fpt::tasks::listops_options_from_spec(small_spec("corrected")));
  const auto shape = task->shape();
  EXPECT_EQ(shape.input_dim, 16);
  EXPECT_EQ(task->eval_split_name(), "basic_test");
  EXPECT_EQ(task->eval_split_size(), 50);
  // corrected tokens = digits + 2 per operator (its name and ']') = the LRA length < 60
  EXPECT_LT(shape.sequence_length, 60);
  EXPECT_GT(shape.sequence_length, 10);
  const int64_t longest = std::max(task->train_tokens().longest, task->eval_tokens().longest);
  EXPECT_EQ(shape.sequence_length, longest);
  // no example was cut: each ends with its ']' before the padding
  const auto& tokens = task->train_tokens().tokens;
  EXPECT_EQ(tokens.scalar_type(), torch::kByte);
  const auto lengths = tokens.ne(0).sum(1);
  for (int64_t i = 0; i < tokens.size(0); ++i) {
    const int64_t n = lengths[i].item<int64_t>();
    EXPECT_EQ(tokens[i][n - 1].item<int64_t>(), fpt::tasks::kListOpsCloseId);
  }

  const auto split = task->eval_split_batch(0, 50);
  EXPECT_EQ(split.inputs.sizes(), (std::vector<int64_t>{50, shape.sequence_length}));
  EXPECT_EQ(split.targets.sizes(), (std::vector<int64_t>{50, 1}));
  EXPECT_TRUE(torch::equal(split.targets.squeeze(1), task->eval_tokens().labels));
  EXPECT_LT(split.inputs.max().item<int64_t>(), 16);
  const auto part = task->eval_split_batch(10, 20);
  EXPECT_TRUE(torch::equal(part.inputs, split.inputs.narrow(0, 10, 10)));
  EXPECT_THROW(task->eval_split_batch(40, 51), fpt::Error);
  EXPECT_THROW(task->eval_split_batch(5, 5), fpt::Error);

  // a fixed max_tokens shorter than the longest example is an error, never a cut
  auto spec               = small_spec("corrected");
  spec.listops_max_tokens = 5;
  const auto message      = error_of(spec);
  EXPECT_NE(message.find("corrected mode never truncates"), std::string::npos) << message;
}

TEST_F(ListOpsTaskTest, ReadsAnLraDirectoryThroughTheSameReader) {
  const auto spec      = small_spec("paper");
  auto       generated = ListOpsTask::load(fpt::tasks::listops_options_from_spec(spec));
  auto       from_dir  = spec;
  from_dir.listops_data =
      fpt::tasks::listops_generated_directory(fpt::tasks::listops_options_from_spec(spec).generated)
          .string();
  auto read = ListOpsTask::load(fpt::tasks::listops_options_from_spec(from_dir));
  EXPECT_TRUE(torch::equal(generated->train_tokens().tokens, read->train_tokens().tokens));
  EXPECT_TRUE(torch::equal(generated->eval_tokens().labels, read->eval_tokens().labels));
}

TEST_F(ListOpsTaskTest, ErrorsNameTheKeyOrFiles) {
  auto spec    = small_spec("tree");
  auto message = error_of(spec);
  EXPECT_NE(message.find("listops_mode 'tree'"), std::string::npos) << message;
  EXPECT_NE(message.find("paper"), std::string::npos) << message;
  EXPECT_NE(message.find("corrected"), std::string::npos) << message;

  spec              = small_spec("corrected");
  spec.listops_data = (directory_ / "lra").string();
  fs::create_directories(directory_ / "lra");
  message = error_of(spec);
  EXPECT_NE(message.find("missing basic_train.tsv, basic_test.tsv"), std::string::npos) << message;

  spec                    = small_spec("paper");
  spec.listops_max_tokens = -1;
  message                 = error_of(spec);
  EXPECT_NE(message.find("listops_max_tokens -1"), std::string::npos) << message;

  spec                    = small_spec("paper");
  spec.listops_max_length = 11;  // nothing lies strictly between 10 and 11
  message                 = error_of(spec);
  EXPECT_NE(message.find("listops_max_length 11"), std::string::npos) << message;

  spec                    = small_spec("paper");
  spec.listops_train_size = 0;
  message                 = error_of(spec);
  EXPECT_NE(message.find("listops_train_size 0"), std::string::npos) << message;
}

}  // namespace
