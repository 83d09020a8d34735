#include "fpt/tasks/homology_task.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "fpt/core/error.h"
#include "fpt/io/data_paths.h"
#include "fpt/tasks/iupac_tokenizer.h"
#include "fpt/tasks/shards_or_raw.h"
#include "fpt/tasks/tape_reader.h"

namespace fpt::tasks {
namespace {

std::vector<int64_t> lengths_of(const ExampleArrays& arrays) {
  const auto           offsets = arrays.offsets.accessor<int64_t, 1>();
  std::vector<int64_t> lengths(static_cast<size_t>(arrays.size()));
  for (int64_t i = 0; i < arrays.size(); ++i)
    lengths[static_cast<size_t>(i)] = offsets[i + 1] - offsets[i];
  return lengths;
}

HomologySplit filter_split(std::string name, ExampleArrays arrays, int64_t max_tokens) {
  if (!arrays.variable_length() || arrays.values.scalar_type() != torch::kInt16 ||
      arrays.offsets.size(0) != arrays.size() + 1)
    fail("remote-homology {}: expected variable-length int16 tokens with N + 1 offsets", name);
  if (arrays.size() == 0) fail("remote-homology {}: the split has no proteins", name);
  // The raw readers check these; shards from elsewhere might not hold them (an embedding or loss
  // index out of range would otherwise fail without a name, or assert on a GPU).
  if (arrays.values.numel() > 0 && (arrays.values.min().item<int64_t>() < 0 ||
                                    arrays.values.max().item<int64_t>() >= kIupacVocabularySize))
    fail("remote-homology {}: token ids outside 0..{}; rerun fpt_prepare remote-homology", name,
         kIupacVocabularySize - 1);
  if (arrays.labels.min().item<int64_t>() < 0 ||
      arrays.labels.max().item<int64_t>() >= kHomologyFoldClasses)
    fail("remote-homology {}: fold labels outside 0..{}; rerun fpt_prepare remote-homology", name,
         kHomologyFoldClasses - 1);
  HomologySplit split;
  split.name                         = std::move(name);
  const std::vector<int64_t> lengths = lengths_of(arrays);
  for (int64_t i = 0; i < arrays.size(); ++i) {
    if (max_tokens > 0 && lengths[static_cast<size_t>(i)] > max_tokens)
      ++split.excluded;
    else
      split.kept.push_back(i);
  }
  if (split.kept.empty())
    fail("remote-homology {}: all {} proteins are longer than homology_max_tokens {}", split.name,
         arrays.size(), max_tokens);
  // length order: full-pass chunks hold proteins of similar length (little padding)
  std::stable_sort(split.kept.begin(), split.kept.end(), [&](int64_t a, int64_t b) {
    return lengths[static_cast<size_t>(a)] < lengths[static_cast<size_t>(b)];
  });
  split.arrays = std::move(arrays);
  return split;
}

LengthBucketSampler sampler_of(const HomologySplit& split) {
  const std::vector<int64_t> lengths = lengths_of(split.arrays);
  std::vector<int64_t>       kept_lengths;
  for (int64_t index : split.kept) kept_lengths.push_back(lengths[static_cast<size_t>(index)]);
  return LengthBucketSampler(split.kept, kept_lengths, kHomologyBucketExamples,
                             "remote-homology " + split.name);
}

}  // namespace

HomologyTaskOptions homology_options_from_spec(const core::ExperimentSpec& spec) {
  if (spec.homology_max_tokens < 0)
    fail("homology_max_tokens {} must be >= 0 (0 keeps every protein; the official filter is {})",
         spec.homology_max_tokens, kHomologyDefaultMaxTokens);
  if (spec.homology_max_tokens == 1 || spec.homology_max_tokens == 2)
    fail("homology_max_tokens {} is shorter than <cls> + <sep> + one residue (3 tokens)",
         spec.homology_max_tokens);
  HomologyTaskOptions options;
  options.max_tokens = spec.homology_max_tokens;
  return options;
}

HomologyTask::HomologyTask(ExampleArrays                                      train,
                           std::vector<std::pair<std::string, ExampleArrays>> evals,
                           int64_t                                            max_tokens)
    : max_tokens_(max_tokens),
      train_(filter_split("train", std::move(train), max_tokens)),
      evals_([&] {
        std::vector<HomologySplit> splits;
        for (auto& [name, arrays] : evals)
          splits.push_back(filter_split(name, std::move(arrays), max_tokens));
        if (splits.empty()) fail("remote-homology: no evaluation split");
        return splits;
      }()),
      train_sampler_(sampler_of(train_)),
      eval_sampler_(sampler_of(evals_.front())) {
  // The model must take the longest protein any batch can hold, of any split.
  auto cover = [&](const HomologySplit& split) {
    const std::vector<int64_t> lengths = lengths_of(split.arrays);
    for (int64_t index : split.kept)
      longest_ = std::max(longest_, lengths[static_cast<size_t>(index)]);
  };
  cover(train_);
  for (const HomologySplit& split : evals_) cover(split);
}

std::unique_ptr<HomologyTask> HomologyTask::load(const HomologyTaskOptions& options) {
  const std::filesystem::path root =
      options.data_root.empty() ? io::dataset_directory(kHomologyDataset) : options.data_root;
  // none: the release is nowhere (then shards alone may serve); incomplete: an error here
  const std::optional<TapeRelease>       release = find_remote_homology(root);
  const std::vector<std::string>&        splits  = remote_homology_splits();
  std::optional<std::vector<SplitFiles>> files;
  if (release) {
    files.emplace();
    for (const std::string& split : splits)
      files->push_back(remote_homology_split_files(*release, split));
  }
  ShardPlace place;
  place.dataset       = kHomologyDataset;
  place.directory     = options.shard_directory.empty() ? io::shard_directory(kHomologyDataset)
                                                        : options.shard_directory;
  place.encoding      = kHomologyShardEncoding;
  place.prepare       = fmt::format("fpt_prepare remote-homology{}",
                              release ? " --raw " + release->directory.string() : std::string());
  LoadedSplits loaded = load_splits(
      place, splits, files,
      [&](const std::string& split) { return read_remote_homology_split(*release, split); },
      [&] { locate_remote_homology(root); });
  ExampleArrays                                      train = std::move(loaded.splits[0]);
  std::vector<std::pair<std::string, ExampleArrays>> evals;
  for (size_t i = 1; i < splits.size(); ++i)
    evals.emplace_back(splits[i], std::move(loaded.splits[i]));
  return std::make_unique<HomologyTask>(std::move(train), std::move(evals), options.max_tokens);
}

TaskShape HomologyTask::shape() const {
  TaskShape shape;
  shape.input_kind      = InputKind::tokens;
  shape.input_dim       = kIupacVocabularySize;
  shape.sequence_length = longest_;
  shape.output_tokens   = 1;
  shape.output_dim      = kHomologyFoldClasses;
  shape.num_classes     = kHomologyFoldClasses;
  return shape;
}

Batch HomologyTask::gather(const HomologySplit& split, const std::vector<int64_t>& indices) {
  const auto offsets = split.arrays.offsets.accessor<int64_t, 1>();
  int64_t    longest = 0;
  for (int64_t index : indices) longest = std::max(longest, offsets[index + 1] - offsets[index]);
  const int64_t batch  = static_cast<int64_t>(indices.size());
  torch::Tensor inputs = torch::full({batch, longest}, kIupacPad, torch::kLong);  // (B, T)
  torch::Tensor labels = torch::empty({batch}, torch::kLong);
  const auto    label  = split.arrays.labels.accessor<int64_t, 1>();
  for (int64_t row = 0; row < batch; ++row) {
    const int64_t index = indices[static_cast<size_t>(row)];
    const int64_t begin = offsets[index], end = offsets[index + 1];
    inputs[row].slice(0, 0, end - begin).copy_(split.arrays.values.slice(0, begin, end));
    labels[row] = label[index];
  }
  return {inputs, labels.unsqueeze(1)};  // targets (B, 1)
}

Batch HomologyTask::train_batch(int64_t batch_size, torch::Generator& generator) {
  return gather(train_, train_sampler_.next(batch_size, generator));
}

Batch HomologyTask::eval_batch(int64_t batch_size, torch::Generator& generator) {
  return gather(evals_.front(), eval_sampler_.next(batch_size, generator));
}

int64_t HomologyTask::eval_split_size() const {
  return static_cast<int64_t>(evals_.front().kept.size());
}

Batch HomologyTask::eval_split_batch(int64_t begin, int64_t end) {
  return eval_split_examples(0, begin, end);
}

std::vector<EvalSplit> HomologyTask::eval_splits() const {
  std::vector<EvalSplit> splits;
  for (const HomologySplit& split : evals_) {
    EvalSplit eval;
    eval.name      = split.name;
    eval.size      = static_cast<int64_t>(split.kept.size());
    eval.excluded  = split.excluded;
    eval.corrected = true;
    splits.push_back(eval);
  }
  return splits;
}

Batch HomologyTask::eval_split_examples(int64_t split, int64_t begin, int64_t end) {
  if (split < 0 || split >= static_cast<int64_t>(evals_.size()))
    fail("remote-homology: no evaluation split {} (there are {})", split, evals_.size());
  const HomologySplit& data = evals_[static_cast<size_t>(split)];
  const int64_t        size = static_cast<int64_t>(data.kept.size());
  if (begin < 0 || end > size || begin >= end)
    fail("remote-homology: examples [{}, {}) are not a non-empty range of {} ({} proteins kept)",
         begin, end, data.name, size);
  return gather(data, std::vector<int64_t>(data.kept.begin() + begin, data.kept.begin() + end));
}

std::unique_ptr<Task> make_homology_task(const core::ExperimentSpec& spec) {
  return HomologyTask::load(homology_options_from_spec(spec));
}

}  // namespace fpt::tasks
