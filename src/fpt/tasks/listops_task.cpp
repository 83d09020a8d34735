#include "fpt/tasks/listops_task.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/io/data_paths.h"
#include "fpt/tasks/listops_arrays.h"
#include "fpt/tasks/listops_tsv.h"
#include "fpt/tasks/shard_reader.h"
#include "fpt/tasks/shards_or_raw.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

ListOpsTaskOptions listops_options_from_spec(const core::ExperimentSpec& spec) {
  ListOpsTaskOptions options;
  options.tokenization   = listops_tokenization_from_name(spec.listops_mode);
  options.data_directory = spec.listops_data;
  if (spec.listops_max_tokens < 0)
    fail("listops_max_tokens {} must be >= 0 (0: paper 512, corrected the longest example)",
         spec.listops_max_tokens);
  options.max_tokens                     = spec.listops_max_tokens;
  options.generated.generator.max_depth  = spec.listops_max_depth;
  options.generated.generator.min_length = spec.listops_min_length;
  options.generated.generator.max_length = spec.listops_max_length;
  options.generated.generator.max_args   = spec.listops_max_args;
  options.generated.train_size           = spec.listops_train_size;
  options.generated.eval_size            = spec.listops_eval_size;
  return options;
}

ListOpsTask::ListOpsTask(ListOpsTokenization tokenization, ListOpsTokens train, ListOpsTokens eval,
                         std::string eval_split_name)
    : tokenization_(tokenization),
      train_(std::move(train)),
      eval_(std::move(eval)),
      eval_split_name_(std::move(eval_split_name)) {
  if (train_.tokens.dim() != 2 || eval_.tokens.dim() != 2 ||
      train_.tokens.size(1) != eval_.tokens.size(1))
    fail("ListOps train and {} tokens must be (N, T) with the same T", eval_split_name_);
  if (train_.tokens.size(0) == 0 || eval_.tokens.size(0) == 0)
    fail("ListOps train and {} splits must not be empty", eval_split_name_);
}

namespace {

// The shard split of an LRA file: basic_train.tsv -> "train", basic_val.tsv -> "val", ...
std::string shard_split_of(const std::string& lra_name) {
  return lra_name.substr(6);
}

struct ListOpsSplitData {
  ExampleArrays                       arrays;
  std::function<std::string(int64_t)> describe;  // names example i in errors
};

ListOpsSplitData read_tsv_split(const fs::path& path, bool checksum) {
  return {read_listops_arrays(path, checksum),
          [file = path.string()](int64_t i) { return file + ":" + std::to_string(i + 2); }};
}

ListOpsSplitData read_shard_split_data(const ShardSplitInfo& info) {
  return {read_shard_split(info),
          [directory = info.directory.string(), split = info.split](int64_t i) {
            return fmt::format("{} split {} example {}", directory, split, i);
          }};
}

}  // namespace

std::unique_ptr<ListOpsTask> ListOpsTask::load(const ListOpsTaskOptions& options) {
  const bool        paper     = options.tokenization == ListOpsTokenization::paper;
  const std::string eval_name = paper ? "basic_val" : "basic_test";
  // Paper mode cuts at 512 by default; corrected mode sizes T to the longest example of both
  // splits unless listops_max_tokens fixes it (then a longer example is an error).
  const int64_t max_tokens =
      options.max_tokens > 0 ? options.max_tokens : (paper ? kListOpsPaperMaxTokens : 0);

  // Where the data comes from (data_shards/README.md): generated -> its TSV files; listops_data a
  // shard directory -> those shards; listops_data the LRA release -> its shards in the shard
  // directory when they were made from these very files (SHA-256), else the TSV files.
  ListOpsSplitData train, eval;
  const fs::path   data_directory(options.data_directory);
  if (!options.data_directory.empty() && shard_split_exists(data_directory, "train")) {
    train = read_shard_split_data(open_shard_split(data_directory, "train", kListOpsShardEncoding));
    eval  = read_shard_split_data(
         open_shard_split(data_directory, shard_split_of(eval_name), kListOpsShardEncoding));
  } else {
    const fs::path directory  = options.data_directory.empty()
                                    ? ensure_generated_listops(options.generated)
                                    : data_directory;
    const fs::path train_path = directory / "basic_train.tsv";
    const fs::path eval_path  = directory / (eval_name + ".tsv");
    std::string    missing;
    for (const fs::path& path : {train_path, eval_path})
      if (!fs::is_regular_file(path))
        missing += (missing.empty() ? "" : ", ") + path.filename().string();
    if (!missing.empty())
      fail(
          "listops_data {}: missing {} ({} mode reads basic_train.tsv and {}.tsv of the Long "
          "Range Arena ListOps release); point listops_data at the directory holding them, or "
          "set it to \"\" to generate the data",
          directory.string(), missing, listops_tokenization_name(options.tokenization), eval_name);
    std::optional<std::vector<ShardSplitInfo>> shards;
    if (!options.data_directory.empty()) {
      const fs::path   shard_directory = options.shard_directory.empty()
                                             ? io::shard_directory("listops")
                                             : fs::path(options.shard_directory);
      const ShardPlace place{"listops", shard_directory, kListOpsShardEncoding,
                             "fpt_prepare listops --raw " + directory.string()};
      shards = matching_shards(
          place, {{"train", {{train_path.filename().string(), train_path}}},
                  {shard_split_of(eval_name), {{eval_path.filename().string(), eval_path}}}});
    }
    if (shards) {
      train = read_shard_split_data((*shards)[0]);
      eval  = read_shard_split_data((*shards)[1]);
    } else {
      // streamed: each line is checked (Target = value of Source) as it is read
      train = read_tsv_split(train_path, false);
      eval  = read_tsv_split(eval_path, false);
    }
  }

  ListOpsTokens train_tokens =
      listops_tokens_from_arrays(train.arrays, options.tokenization, max_tokens, train.describe);
  ListOpsTokens eval_tokens =
      listops_tokens_from_arrays(eval.arrays, options.tokenization, max_tokens, eval.describe);
  const int64_t length = std::max(train_tokens.tokens.size(1), eval_tokens.tokens.size(1));
  for (ListOpsTokens* split : {&train_tokens, &eval_tokens})
    if (split->tokens.size(1) < length)
      split->tokens = torch::constant_pad_nd(split->tokens, {0, length - split->tokens.size(1)}, 0);
  return std::make_unique<ListOpsTask>(options.tokenization, std::move(train_tokens),
                                       std::move(eval_tokens), eval_name);
}

TaskShape ListOpsTask::shape() const {
  TaskShape shape;
  shape.input_kind      = InputKind::tokens;
  shape.input_dim       = listops_vocabulary_size(tokenization_);
  shape.sequence_length = train_.tokens.size(1);
  shape.output_tokens   = 1;
  shape.output_dim      = 10;
  shape.num_classes     = 10;
  return shape;
}

Batch ListOpsTask::rows(const ListOpsTokens& split, const torch::Tensor& indices) {
  Batch batch;
  batch.inputs  = split.tokens.index_select(0, indices).to(torch::kLong);  // (B, T)
  batch.targets = split.labels.index_select(0, indices).unsqueeze(1);      // (B, 1)
  return batch;
}

Batch ListOpsTask::draw(const ListOpsTokens& split, int64_t batch_size,
                        torch::Generator& generator) {
  if (batch_size < 1) fail("listops: batch size {} must be >= 1", batch_size);
  auto indices = torch::randint(0, split.tokens.size(0), {batch_size}, generator, torch::kLong);
  return rows(split, indices);
}

Batch ListOpsTask::train_batch(int64_t batch_size, torch::Generator& generator) {
  return draw(train_, batch_size, generator);
}

Batch ListOpsTask::eval_batch(int64_t batch_size, torch::Generator& generator) {
  return draw(eval_, batch_size, generator);
}

Batch ListOpsTask::eval_split_batch(int64_t begin, int64_t end) {
  const int64_t size = eval_split_size();
  if (begin < 0 || end > size || begin >= end)
    fail("listops: examples [{}, {}) are not a non-empty range of {} ({} examples)", begin, end,
         eval_split_name_, size);
  return rows(eval_, torch::arange(begin, end, torch::kLong));
}

std::unique_ptr<Task> make_listops_task(const core::ExperimentSpec& spec) {
  return ListOpsTask::load(listops_options_from_spec(spec));
}

}  // namespace fpt::tasks
