#include "fpt/tasks/listops_tokenizer.h"

#include <algorithm>

#include "fpt/core/error.h"
#include "fpt/tasks/listops_expression.h"

namespace fpt::tasks {

ListOpsTokenization listops_tokenization_from_name(const std::string& name) {
  if (name == "paper") return ListOpsTokenization::paper;
  if (name == "corrected") return ListOpsTokenization::corrected;
  fail(
      "listops_mode '{}' is not known; use paper (brackets dropped as in the official code, "
      "vocabulary 15, 512 tokens) or corrected (operators and ']' kept, vocabulary 16)",
      name);
}

std::string listops_tokenization_name(ListOpsTokenization tokenization) {
  return tokenization == ListOpsTokenization::paper ? "paper" : "corrected";
}

int64_t listops_vocabulary_size(ListOpsTokenization tokenization) {
  return tokenization == ListOpsTokenization::paper ? 15 : 16;
}

std::vector<uint8_t> listops_token_ids(std::string_view source, ListOpsTokenization tokenization,
                                       const std::string& context) {
  std::vector<uint8_t> ids;
  ids.reserve(source.size() / 3);
  const bool keep_close = tokenization == ListOpsTokenization::corrected;
  // The official tokenizer splits at every non-alphanumeric character: its tokens are exactly the
  // digits and the operator names the LRA scanner yields, without the ']' tokens.
  scan_lra_tokens(source, context, [&](const LraToken& token) {
    switch (token.kind) {
      case LraTokenKind::digit:
        ids.push_back(static_cast<uint8_t>(kListOpsFirstDigitId + token.value));
        break;
      case LraTokenKind::open:
        ids.push_back(static_cast<uint8_t>(kListOpsFirstOperatorId + token.value));
        break;
      case LraTokenKind::close:
        if (keep_close) ids.push_back(static_cast<uint8_t>(kListOpsCloseId));
        break;
    }
  });
  return ids;
}

ListOpsTokenAccumulator::ListOpsTokenAccumulator(ListOpsTokenization tokenization,
                                                 int64_t max_tokens, std::string file)
    : tokenization_(tokenization), max_tokens_(max_tokens), file_(std::move(file)) {
  if (max_tokens_ < 0)
    fail("listops_max_tokens {} must be >= 0 (0: the mode's default)", max_tokens_);
}

void ListOpsTokenAccumulator::add(const ListOpsExample& example) {
  std::vector<uint8_t> ids =
      listops_token_ids(example.source, tokenization_, file_ + ":" + std::to_string(example.line));
  const int64_t count = static_cast<int64_t>(ids.size());
  longest_            = std::max(longest_, count);
  if (max_tokens_ > 0 && count > max_tokens_) {
    if (tokenization_ == ListOpsTokenization::corrected)
      fail(
          "{}:{}: the example has {} tokens but listops_max_tokens is {}; corrected mode never "
          "truncates (it would lose the tree structure): raise listops_max_tokens or set it "
          "to 0 (the longest example)",
          file_, example.line, count, max_tokens_);
    ids.resize(static_cast<size_t>(max_tokens_));  // paper: the official code cuts here
  }
  ids.shrink_to_fit();
  ids_.push_back(std::move(ids));
  labels_.push_back(example.target);
}

ListOpsTokens ListOpsTokenAccumulator::finish(torch::ScalarType dtype) const {
  if (ids_.empty()) fail("{}: no ListOps examples to tokenise", file_);
  const int64_t count  = static_cast<int64_t>(ids_.size());
  const int64_t length = max_tokens_ > 0 ? max_tokens_ : longest_;
  auto          packed = torch::zeros({count, length}, torch::kByte);  // (N, T), pad 0
  uint8_t*      data   = packed.data_ptr<uint8_t>();
  for (int64_t i = 0; i < count; ++i) {
    const std::vector<uint8_t>& row = ids_[static_cast<size_t>(i)];
    std::copy(row.begin(), row.end(), data + i * length);
  }
  ListOpsTokens result;
  result.tokens  = dtype == torch::kByte ? packed : packed.to(dtype);
  result.labels  = torch::tensor(labels_, torch::kLong);  // (N)
  result.longest = longest_;
  return result;
}

ListOpsTokens tokenize_listops(const std::vector<ListOpsExample>& examples,
                               ListOpsTokenization tokenization, int64_t max_tokens,
                               const std::string& file, torch::ScalarType dtype) {
  ListOpsTokenAccumulator accumulator(tokenization, max_tokens, file);
  for (const ListOpsExample& example : examples) accumulator.add(example);
  return accumulator.finish(dtype);
}

}  // namespace fpt::tasks
