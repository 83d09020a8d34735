// Remote homology end to end on the TAPE fixture (tests/data/tape, LMDB): a short gpt2-tiny run
// trains, then evaluates all four splits — valid as the headline, the three test holdouts after it
// — with the length filter's exclusions counted and the corrected accuracy = accuracy × kept / all
// (tests/unit/results/run_file_test.cpp round-trips such per-split results). Single-split (ListOps)
// and split-less (bit) tasks are unchanged.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "fpt/train/trainer.h"

namespace {

namespace fs = std::filesystem;

// Points FPT_DATA_DIR at a directory whose remote-homology/ is the fixture, for one test.
class HomologyData {
 public:
  HomologyData() {
    root_ = fs::temp_directory_path() / ("fpt_homology_train_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    fs::create_directory_symlink(fs::path(FPT_SOURCE_DIR) / "tests/data/tape/lmdb",
                                 root_ / "remote-homology");
    if (const char* previous = std::getenv("FPT_DATA_DIR")) previous_ = previous;
    ::setenv("FPT_DATA_DIR", root_.c_str(), 1);
  }
  ~HomologyData() {
    if (previous_.empty())
      ::unsetenv("FPT_DATA_DIR");
    else
      ::setenv("FPT_DATA_DIR", previous_.c_str(), 1);
    fs::remove_all(root_);
  }

 private:
  fs::path    root_;
  std::string previous_;
};

TEST(HomologyTraining, ShortRunEvaluatesAllFourSplitsWithTheCorrection) {
  torch::set_num_threads(1);
  HomologyData              data;
  fpt::core::ExperimentSpec spec;
  spec.body                = "gpt2-tiny";
  spec.task                = "remote-homology";
  spec.steps               = 20;
  spec.eval_every          = 10;
  spec.eval_batches        = 2;
  spec.batch_size          = 4;
  spec.homology_max_tokens = 20;  // some fixture proteins are longer: excluded, counted
  const auto result        = fpt::train::train_experiment(spec, {});
  ASSERT_EQ(result.status, "completed") << result.error;
  EXPECT_EQ(result.spec.lr, 1e-4);  // the paper's homology default
  ASSERT_EQ(result.curve.size(), 2u);
  EXPECT_TRUE(std::isfinite(result.curve.back().train_loss));

  ASSERT_EQ(result.split_evaluations.size(), 4u);
  const std::vector<std::string> names = {"valid", "test_fold_holdout", "test_superfamily_holdout",
                                          "test_family_holdout"};
  const std::vector<int64_t>     sizes = {6, 4, 4, 4};  // the fixture's splits
  int64_t                        excluded = 0;
  for (size_t i = 0; i < 4; ++i) {
    const auto& split = result.split_evaluations[i];
    EXPECT_EQ(split.split, names[i]);
    EXPECT_EQ(split.examples + split.excluded, sizes[i]) << split.split;
    EXPECT_GT(split.examples, 0);
    EXPECT_TRUE(std::isfinite(split.loss));
    EXPECT_GE(split.accuracy, 0.0);
    EXPECT_LE(split.accuracy, 1.0);
    EXPECT_DOUBLE_EQ(
        split.corrected_accuracy,
        split.accuracy * static_cast<double>(split.examples) / static_cast<double>(sizes[i]));
    excluded += split.excluded;
  }
  EXPECT_GT(excluded, 0);
  // the headline is valid
  EXPECT_EQ(result.full_eval_split, "valid");
  EXPECT_EQ(result.full_eval_examples, result.split_evaluations[0].examples);
  EXPECT_EQ(result.full_eval_accuracy, result.split_evaluations[0].accuracy);
  EXPECT_EQ(result.full_eval_loss, result.split_evaluations[0].loss);
  EXPECT_EQ(result.headline_accuracy(), result.split_evaluations[0].accuracy);
}

TEST(HomologyTraining, TasksWithoutSeveralSplitsAreUnchanged) {
  torch::set_num_threads(1);
  fpt::core::ExperimentSpec spec;
  spec.body         = "gpt2-tiny";
  spec.task         = "bit-xor";
  spec.steps        = 2;
  spec.eval_every   = 2;
  spec.eval_batches = 1;
  const auto result = fpt::train::train_experiment(spec, {});
  ASSERT_EQ(result.status, "completed") << result.error;
  EXPECT_TRUE(result.split_evaluations.empty());
  EXPECT_TRUE(std::isnan(result.full_eval_accuracy));

  // ListOps (generated, small): one split, no correction
  spec.task               = "listops";
  spec.listops_train_size = 40;
  spec.listops_eval_size  = 30;
  spec.listops_min_length = 10;
  spec.listops_max_length = 60;
  const fs::path data =
      fs::temp_directory_path() / ("fpt_homology_listops_" + std::to_string(::getpid()));
  ::setenv("FPT_DATA_DIR", data.c_str(), 1);
  const auto listops = fpt::train::train_experiment(spec, {});
  ::unsetenv("FPT_DATA_DIR");
  fs::remove_all(data);
  ASSERT_EQ(listops.status, "completed") << listops.error;
  ASSERT_EQ(listops.split_evaluations.size(), 1u);
  EXPECT_EQ(listops.split_evaluations[0].split, "basic_val");
  EXPECT_EQ(listops.split_evaluations[0].examples, 30);
  EXPECT_EQ(listops.split_evaluations[0].excluded, 0);
  EXPECT_TRUE(std::isnan(listops.split_evaluations[0].corrected_accuracy));
  EXPECT_EQ(listops.full_eval_split, "basic_val");
  EXPECT_EQ(listops.full_eval_accuracy, listops.split_evaluations[0].accuracy);
}

}  // namespace
