// The two ListOps tokenisations: LRA text -> token ids, padded into an (N, T) tensor.
//
//   paper:     the official universal-computation code (tfds Tokenizer + TokenTextEncoder) keeps
//              only alphanumeric tokens, so '[', ']' and parentheses vanish and the tree structure
//              is lost (the known bug, LRA issues #6/#14/#20). Truncated to max_tokens (512).
//   corrected: operators and ']' kept (parentheses dropped), never truncated: an example longer
//              than max_tokens is an error, since cutting it would lose the structure again.
//
// Ids (pad 0). The official encoder numbered its vocabulary in Python set order, which depends on
// the string hash seed of the run, so no fixed order is "the" official one; fpt fixes:
//   pad 0, digits '0'..'9' -> 1..10, MAX 11, MIN 12, MED 13, SM 14   (paper: input_dim 15)
//   corrected adds ']' -> 15                                          (corrected: input_dim 16)
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fpt/tasks/listops_tsv.h"

namespace fpt::tasks {

enum class ListOpsTokenization { paper, corrected };

// "paper" / "corrected"; anything else fails listing both.
ListOpsTokenization listops_tokenization_from_name(const std::string& name);
std::string         listops_tokenization_name(ListOpsTokenization tokenization);

constexpr int64_t kListOpsPadId           = 0;
constexpr int64_t kListOpsFirstDigitId    = 1;   // '0'; '9' is 10
constexpr int64_t kListOpsFirstOperatorId = 11;  // + ListOpsOperator index: MAX MIN MED SM
constexpr int64_t kListOpsCloseId         = 15;  // ']' (corrected only)

// 15 (paper) or 16 (corrected): the embedding's vocabulary size.
int64_t listops_vocabulary_size(ListOpsTokenization tokenization);

// The ids of one LRA text, unpadded and untruncated; `context` names it in errors.
std::vector<uint8_t> listops_token_ids(std::string_view source, ListOpsTokenization tokenization,
                                       const std::string& context);

struct ListOpsTokens {
  torch::Tensor tokens;       // (N, T) ids, padded with 0 at the end
  torch::Tensor labels;       // (N) int64 targets 0..9
  int64_t       longest = 0;  // ids in the longest example before truncation
};

// Tokenises `examples` (read from `file`, named in errors with the example's line). T =
// max_tokens, or the longest example when max_tokens is 0. Paper mode truncates longer examples;
// corrected mode fails on them. `dtype` is kLong, or kByte to hold large splits compactly (ids <
// 16); ListOpsTask converts its batches to int64.
ListOpsTokens tokenize_listops(const std::vector<ListOpsExample>& examples,
                               ListOpsTokenization tokenization, int64_t max_tokens,
                               const std::string& file, torch::ScalarType dtype = torch::kLong);

// tokenize_listops one example at a time, so a split can be tokenised while its file is read
// without holding the text (ids take ~1/6 of its size).
class ListOpsTokenAccumulator {
 public:
  ListOpsTokenAccumulator(ListOpsTokenization tokenization, int64_t max_tokens, std::string file);

  void          add(const ListOpsExample& example);
  ListOpsTokens finish(torch::ScalarType dtype = torch::kLong) const;

 private:
  ListOpsTokenization               tokenization_;
  int64_t                           max_tokens_;  // 0: the longest example
  std::string                       file_;
  std::vector<std::vector<uint8_t>> ids_;  // per example; paper mode keeps max_tokens at most
  std::vector<int64_t>              labels_;
  int64_t                           longest_ = 0;
};

}  // namespace fpt::tasks
