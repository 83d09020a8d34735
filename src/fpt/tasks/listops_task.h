// ListOps (`listops`): classify the value 0-9 of a nested MAX/MIN/MED/SM expression, from the Long
// Range Arena files basic_{train,val,test}.tsv or from data fpt generates with the same grammar
// (listops_dataset.h). Two modes (listops_tokenizer.h):
//
//   paper:     brackets dropped, vocabulary 15, 512 tokens, evaluated on basic_val — the official
//              code's setting behind the published ~38 %.
//   corrected: operators and ']' kept, vocabulary 16, as many tokens as the longest example,
//              evaluated on basic_test.
//
// Data: generated (listops_data ""), an LRA release directory (its shards in
// io::shard_directory("listops") are used when their recorded SHA-256 sums match the directory's
// TSV files, otherwise the TSV files are read, with a line on stderr saying so), or a shard
// directory written by fpt_prepare listops. All three go through ListOps ExampleArrays
// (listops_arrays.h), so shards and TSV files give identical tokens and batches.
//
// The splits are tokenised once at load time and kept in memory as (N, T) uint8 ids; batches are
// (B, T) int64 inputs and (B, 1) int64 targets. The head reads the last position (10 classes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "fpt/tasks/listops_dataset.h"
#include "fpt/tasks/listops_tokenizer.h"
#include "fpt/tasks/task.h"

namespace fpt::tasks {

struct ListOpsTaskOptions {
  ListOpsTokenization tokenization   = ListOpsTokenization::paper;
  std::string         data_directory = "";  // LRA release directory; "" = generate (generated)
  int64_t             max_tokens     = 0;   // 0: paper 512, corrected the longest example
  ListOpsDataOptions  generated;            // used when data_directory is ""
  // Where prepared shards of the LRA release are looked for; "" = io::shard_directory("listops").
  std::string shard_directory = "";
};

// The options the spec's listops_* keys ask for; fails naming the key on invalid values.
ListOpsTaskOptions listops_options_from_spec(const core::ExperimentSpec& spec);

constexpr int64_t kListOpsPaperMaxTokens = 512;

class ListOpsTask : public Task {
 public:
  // train / eval tokens must have the same T; eval_split_name is "basic_val" or "basic_test".
  ListOpsTask(ListOpsTokenization tokenization, ListOpsTokens train, ListOpsTokens eval,
              std::string eval_split_name);

  // Reads (or first generates) the data the options name and tokenises it.
  static std::unique_ptr<ListOpsTask> load(const ListOpsTaskOptions& options);

  std::string name() const override { return "listops"; }
  TaskShape   shape() const override;
  Batch       train_batch(int64_t batch_size, torch::Generator& generator) override;
  Batch       eval_batch(int64_t batch_size, torch::Generator& generator) override;

  std::string eval_split_name() const override { return eval_split_name_; }
  int64_t     eval_split_size() const override { return eval_.tokens.size(0); }
  Batch       eval_split_batch(int64_t begin, int64_t end) override;

  ListOpsTokenization  tokenization() const { return tokenization_; }
  int64_t              train_size() const { return train_.tokens.size(0); }
  const ListOpsTokens& train_tokens() const { return train_; }
  const ListOpsTokens& eval_tokens() const { return eval_; }

 private:
  static Batch draw(const ListOpsTokens& split, int64_t batch_size, torch::Generator& generator);
  static Batch rows(const ListOpsTokens& split, const torch::Tensor& indices);

  ListOpsTokenization tokenization_;
  ListOpsTokens       train_;  // tokens (N, T) uint8, labels (N) int64
  ListOpsTokens       eval_;
  std::string         eval_split_name_;
};

std::unique_ptr<Task> make_listops_task(const core::ExperimentSpec& spec);

}  // namespace fpt::tasks
