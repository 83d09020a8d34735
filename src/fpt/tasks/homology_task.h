// Remote homology (`remote-homology`): classify a protein's SCOP fold (1195 classes) from its
// amino-acid sequence, on TAPE's release (tape_reader.h). Inputs are iupac token ids (B, T) int64,
// <cls> residues <sep>, padded with 0 (<pad>) to the batch's longest protein; vocabulary 30; the
// head reads the last position (1195 logits; the official code used 1200, the extra 5 never
// targeted).
//
// Length filter (spec key homology_max_tokens, default 1024, 0 keeps all): proteins longer than
// that many tokens (<cls>/<sep> included) are left out of every split. The official code redrew
// any batch whose padded length exceeded 1024, so those proteins were never trained on nor
// evaluated; leaving them out is the same thing without the redraws (and GPT-2 has only 1024
// positions). The official numbers then multiplied accuracy by 0.9739, i.e. counted the excluded
// proteins as wrong; fpt reports each split's accuracy over its kept proteins and, separately, the
// corrected accuracy = accuracy × kept / all, with kept / all computed from the split itself
// rather than the one constant (0.9739 is not k / 736 for any k, so it is not valid's own
// fraction; it equals 11991 / 12312, which suggests the train split's — unverified here).
//
// Batches group similar lengths (length_bucket_sampler.h: buckets of 64 proteins of neighbouring
// lengths), so padding stays small. Evaluation: `valid` (the headline: running estimate and first
// full split) and the three test holdouts test_fold_holdout, test_superfamily_holdout,
// test_family_holdout; a full pass visits each split's kept proteins in length order.
//
// A deviation to know: there is no attention mask (as in the official code) and the head reads the
// last position, so a protein's logits depend on the <pad> tokens after it, i.e. on its
// batch-mates. The official code drew batches at random (long pad tails); fpt's length buckets and
// length-ordered evaluation chunks (max(batch_size, 64) proteins) leave little padding, so inputs
// differ from the paper's, and the full-pass accuracy can change with batch_size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fpt/tasks/example_arrays.h"
#include "fpt/tasks/length_bucket_sampler.h"
#include "fpt/tasks/task.h"

namespace fpt::tasks {

inline constexpr int64_t kHomologyDefaultMaxTokens = 1024;  // the official filter
inline constexpr int64_t kHomologyBucketExamples   = 64;    // proteins per length bucket

struct HomologyTaskOptions {
  std::filesystem::path data_root;  // "" = io::dataset_directory("remote-homology")
  int64_t               max_tokens = kHomologyDefaultMaxTokens;  // 0 keeps every protein
  std::filesystem::path shard_directory;  // "" = io::shard_directory("remote-homology")
};

// The options the spec asks for; fails naming the key on invalid values.
HomologyTaskOptions homology_options_from_spec(const core::ExperimentSpec& spec);

// One split with the length filter applied.
struct HomologySplit {
  std::string          name;          // "train", "valid", "test_fold_holdout", ...
  ExampleArrays        arrays;        // every protein of the split, as read
  std::vector<int64_t> kept;          // indices of the proteins within max_tokens, in length order
  int64_t              excluded = 0;  // proteins longer than max_tokens
};

class HomologyTask : public Task {
 public:
  // `train`, then the evaluation splits (the first is the headline one). Every split must keep at
  // least one protein.
  HomologyTask(ExampleArrays train, std::vector<std::pair<std::string, ExampleArrays>> evals,
               int64_t max_tokens);

  // TAPE's five splits: from the shards when they were made from the release found under
  // options.data_root, or when there is no release; else from the release (shards_or_raw.h).
  static std::unique_ptr<HomologyTask> load(const HomologyTaskOptions& options);

  std::string name() const override { return "remote-homology"; }
  TaskShape   shape() const override;
  Batch       train_batch(int64_t batch_size, torch::Generator& generator) override;
  Batch       eval_batch(int64_t batch_size, torch::Generator& generator) override;

  std::string            eval_split_name() const override { return evals_.front().name; }
  int64_t                eval_split_size() const override;
  Batch                  eval_split_batch(int64_t begin, int64_t end) override;
  std::vector<EvalSplit> eval_splits() const override;
  Batch                  eval_split_examples(int64_t split, int64_t begin, int64_t end) override;

  const HomologySplit&              train_split() const { return train_; }
  const std::vector<HomologySplit>& eval_split_data() const { return evals_; }
  int64_t                           max_tokens() const { return max_tokens_; }

 private:
  // Inputs (B, T) padded to the longest of `indices`, targets (B, 1).
  static Batch gather(const HomologySplit& split, const std::vector<int64_t>& indices);

  int64_t                    max_tokens_;
  HomologySplit              train_;
  std::vector<HomologySplit> evals_;
  LengthBucketSampler        train_sampler_;
  LengthBucketSampler        eval_sampler_;  // the headline split, for the running estimate
  int64_t                    longest_ = 0;   // longest kept protein over all splits, in tokens
};

std::unique_ptr<Task> make_homology_task(const core::ExperimentSpec& spec);

}  // namespace fpt::tasks
