// ListOps from shards and from TSV files give the same task: identical tokens in both modes,
// identical train/eval batches for the same seed, an identical full-evaluation split; shards are
// used only when made from the very TSV files listops_data names (SHA-256), and a shard directory
// can be named directly. Also: ExampleArrays -> tokens equals the text tokeniser, and
// verify_listops_file reports every bad line.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fpt/core/error.h"
#include "fpt/tasks/listops_arrays.h"
#include "fpt/tasks/listops_dataset.h"
#include "fpt/tasks/listops_task.h"
#include "fpt/tasks/listops_verify.h"
#include "fpt/tasks/prepare_datasets.h"
#include "fpt/tasks/shard_reader.h"
#include "fpt/tasks/shard_writer.h"

namespace {

namespace fs = std::filesystem;
using fpt::tasks::ListOpsTask;

class ListOpsShardsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("fpt_listops_shards_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    ::setenv("FPT_DATA_DIR", (root_ / "data").c_str(), 1);
    ::setenv("FPT_SHARDS_DIR", (root_ / "unused_shards").c_str(), 1);
    // an LRA-format release directory (generated with the LRA grammar, short expressions)
    fpt::tasks::ListOpsDataOptions data;
    data.generator.min_length = 10;
    data.generator.max_length = 80;
    data.train_size           = 300;
    data.eval_size            = 60;
    raw_                      = fpt::tasks::ensure_generated_listops(data);
    shards_                   = root_ / "shards";
  }
  void TearDown() override {
    ::unsetenv("FPT_DATA_DIR");
    ::unsetenv("FPT_SHARDS_DIR");
    fs::remove_all(root_);
  }

  void prepare(const fs::path& raw) {
    fpt::tasks::PrepareOptions options;
    options.raw        = raw;
    options.out        = shards_;
    options.shard_size = 64;  // several shards per split
    fpt::tasks::prepare_shards(fpt::tasks::find_sharded_dataset("listops"), options,
                               [](const std::string&) {});
  }

  fpt::tasks::ListOpsTaskOptions options(const std::string& mode, const fs::path& data,
                                         int64_t max_tokens = 0) const {
    fpt::tasks::ListOpsTaskOptions options;
    options.tokenization    = fpt::tasks::listops_tokenization_from_name(mode);
    options.data_directory  = data.string();
    options.max_tokens      = max_tokens;
    options.shard_directory = shards_.string();
    return options;
  }

  static void expect_same_task(ListOpsTask& a, ListOpsTask& b) {
    EXPECT_TRUE(torch::equal(a.train_tokens().tokens, b.train_tokens().tokens));
    EXPECT_TRUE(torch::equal(a.train_tokens().labels, b.train_tokens().labels));
    EXPECT_TRUE(torch::equal(a.eval_tokens().tokens, b.eval_tokens().tokens));
    EXPECT_TRUE(torch::equal(a.eval_tokens().labels, b.eval_tokens().labels));
    EXPECT_EQ(a.train_tokens().longest, b.train_tokens().longest);
    EXPECT_EQ(a.shape().sequence_length, b.shape().sequence_length);
    EXPECT_EQ(a.eval_split_name(), b.eval_split_name());
    // same seed -> same batches
    for (auto* generator_seed : {"train", "eval"}) {
      auto ga = at::make_generator<at::CPUGeneratorImpl>(11);
      auto gb = at::make_generator<at::CPUGeneratorImpl>(11);
      for (int i = 0; i < 3; ++i) {
        const bool train = std::string(generator_seed) == "train";
        auto       ba    = train ? a.train_batch(8, ga) : a.eval_batch(8, ga);
        auto       bb    = train ? b.train_batch(8, gb) : b.eval_batch(8, gb);
        EXPECT_TRUE(torch::equal(ba.inputs, bb.inputs));
        EXPECT_TRUE(torch::equal(ba.targets, bb.targets));
      }
    }
    const int64_t size = a.eval_split_size();
    ASSERT_EQ(size, b.eval_split_size());
    const auto fa = a.eval_split_batch(0, size), fb = b.eval_split_batch(0, size);
    EXPECT_TRUE(torch::equal(fa.inputs, fb.inputs));
    EXPECT_TRUE(torch::equal(fa.targets, fb.targets));
  }

  fs::path root_, raw_, shards_;
};

TEST_F(ListOpsShardsTest, ShardsAndTsvFilesGiveTheSameTaskInBothModes) {
  // before preparing: TSV; after: shards (the same directory named in listops_data)
  auto paper_tsv     = ListOpsTask::load(options("paper", raw_));
  auto corrected_tsv = ListOpsTask::load(options("corrected", raw_));
  auto short_tsv     = ListOpsTask::load(options("paper", raw_, 12));  // paper cuts at 12
  prepare(raw_);
  ASSERT_TRUE(fpt::tasks::shard_split_exists(shards_, "train"));
  EXPECT_EQ(fpt::tasks::open_shard_split(shards_, "train").shards.size(), 5u);  // 300 / 64
  auto paper_shards     = ListOpsTask::load(options("paper", raw_));
  auto corrected_shards = ListOpsTask::load(options("corrected", raw_));
  auto short_shards     = ListOpsTask::load(options("paper", raw_, 12));
  expect_same_task(*paper_tsv, *paper_shards);
  expect_same_task(*corrected_tsv, *corrected_shards);
  expect_same_task(*short_tsv, *short_shards);
  EXPECT_EQ(short_shards->shape().sequence_length, 12);

  // listops_data naming the shard directory itself
  auto direct = ListOpsTask::load(options("corrected", shards_));
  expect_same_task(*corrected_tsv, *direct);
}

TEST_F(ListOpsShardsTest, ShardsAreUsedOnlyForTheFilesTheyWereMadeFrom) {
  prepare(raw_);
  // Prove the shards are read: rewrite the train shards with shifted labels but the same
  // recorded sources; the task then sees the shifted labels.
  const auto info   = fpt::tasks::open_shard_split(shards_, "train");
  auto       arrays = fpt::tasks::read_shard_split(info);
  const auto labels = arrays.labels.clone();
  arrays.labels     = (arrays.labels + 1).remainder(10);
  fpt::tasks::ShardWriteOptions write;
  write.dataset    = "listops";
  write.split      = "train";
  write.encoding   = fpt::tasks::kListOpsShardEncoding;
  write.shard_size = 64;
  fpt::tasks::write_shards(shards_, arrays, write);
  auto from_shards = ListOpsTask::load(options("paper", raw_));
  EXPECT_TRUE(torch::equal(from_shards->train_tokens().labels, arrays.labels));

  // Another basic_train.tsv (its last example dropped): the shards no longer match and the TSV
  // files are read instead.
  const fs::path other = root_ / "other";
  fs::create_directories(other);
  for (const char* name : {"basic_train.tsv", "basic_val.tsv", "basic_test.tsv"})
    fs::copy_file(raw_ / name, other / name);
  {
    std::ifstream in(raw_ / "basic_train.tsv");
    std::string   text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.pop_back();
    text.erase(text.rfind('\n') + 1);
    std::ofstream(other / "basic_train.tsv", std::ios::trunc) << text;
  }
  testing::internal::CaptureStderr();
  auto              from_tsv = ListOpsTask::load(options("paper", other));
  const std::string log      = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("not using the shards"), std::string::npos) << log;
  EXPECT_NE(log.find("basic_train.tsv"), std::string::npos) << log;
  EXPECT_EQ(from_tsv->train_size(), 299);
  EXPECT_TRUE(torch::equal(from_tsv->train_tokens().labels, labels.slice(0, 0, 299)));
}

TEST_F(ListOpsShardsTest, OutdatedShardsAreAnError) {
  prepare(raw_);
  auto arrays = fpt::tasks::read_shard_split(fpt::tasks::open_shard_split(shards_, "val"));
  fpt::tasks::ShardWriteOptions write;
  write.dataset  = "listops";
  write.split    = "val";
  write.encoding = "listops-lra-ids-v0";
  fpt::tasks::write_shards(shards_, arrays, write);
  try {
    ListOpsTask::load(options("paper", raw_));
    FAIL() << "no error";
  } catch (const fpt::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("val-00000-of-00001.h5"), std::string::npos) << message;
    EXPECT_NE(message.find("rerun fpt_prepare"), std::string::npos) << message;
  }
}

TEST_F(ListOpsShardsTest, ArraysGiveTheTextTokenisersIds) {
  const auto examples = fpt::tasks::read_listops_tsv(raw_ / "basic_train.tsv");
  const auto arrays   = fpt::tasks::read_listops_arrays(raw_ / "basic_train.tsv", true);
  EXPECT_EQ(arrays.sources.at("basic_train.tsv").size(), 64u);  // SHA-256 hex
  const auto describe = [](int64_t i) { return "example " + std::to_string(i); };
  for (auto mode :
       {fpt::tasks::ListOpsTokenization::paper, fpt::tasks::ListOpsTokenization::corrected}) {
    for (int64_t max_tokens : {0, 9, 200}) {
      if (mode == fpt::tasks::ListOpsTokenization::corrected && max_tokens == 9) {
        EXPECT_THROW(fpt::tasks::tokenize_listops(examples, mode, 9, "f"), fpt::Error);
        continue;  // both refuse to cut (checked below for the arrays)
      }
      const auto text = fpt::tasks::tokenize_listops(examples, mode, max_tokens, "f", torch::kByte);
      const auto from = fpt::tasks::listops_tokens_from_arrays(arrays, mode, max_tokens, describe);
      EXPECT_TRUE(torch::equal(text.tokens, from.tokens)) << max_tokens;
      EXPECT_TRUE(torch::equal(text.labels, from.labels));
      EXPECT_EQ(text.longest, from.longest);
    }
  }
  try {
    fpt::tasks::listops_tokens_from_arrays(arrays, fpt::tasks::ListOpsTokenization::corrected, 9,
                                           describe);
    FAIL() << "no error";
  } catch (const fpt::Error& error) {
    EXPECT_NE(std::string(error.what()).find("corrected mode never truncates"), std::string::npos);
  }
}

TEST_F(ListOpsShardsTest, VerifyReportsEveryBadLine) {
  const fs::path file = root_ / "check.tsv";
  std::ofstream(file) << "Source\tTarget\n"
                         "( ( ( [MAX 2 ) 9 ) ] )\t9\n"     // 2: right
                         "( ( ( [MIN 2 ) 9 ) ] )\t9\n"     // 3: wrong label (value 2)
                         "( ( ( [MAX 2 ) 9 )\t9\n"         // 4: no closing bracket
                         "( ( [SM 4 ) ] )\t\t4\n"          // 5: three fields
                         "( ( ( [SM 4 ) 9 ) ] )\tseven\n"  // 6: Target not a digit
                         "( ( ( [MED 1 ) 5 ) ] )\t3\n"     // 7: right (median of 1, 5 = 3)
                         "\n";
  const auto report = fpt::tasks::verify_listops_file(file);
  EXPECT_EQ(report.examples, 6);
  EXPECT_EQ(report.agree, 2);
  ASSERT_EQ(report.disagree.size(), 1u);
  EXPECT_EQ(report.disagree[0].line, 3);
  EXPECT_NE(report.disagree[0].message.find("evaluates to 2"), std::string::npos);
  ASSERT_EQ(report.unparsable.size(), 3u);
  EXPECT_EQ(report.unparsable[0].line, 4);
  EXPECT_EQ(report.unparsable[1].line, 5);
  EXPECT_EQ(report.unparsable[2].line, 6);
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(fpt::tasks::verify_listops_file(raw_ / "basic_val.tsv").ok());
  EXPECT_THROW(fpt::tasks::verify_listops_file(root_ / "missing.tsv"), fpt::Error);
}

}  // namespace
