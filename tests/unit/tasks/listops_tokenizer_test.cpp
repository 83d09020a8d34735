// ListOps tokenisation: paper mode (alphanumeric tokens only, ids 1..14, truncated) and corrected
// mode (operators and ']' kept, id 15, never truncated) on hand-written LRA lines with
// hand-computed ids.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/tasks/listops_tokenizer.h"

namespace {

using fpt::tasks::ListOpsExample;
using fpt::tasks::ListOpsTokenization;

// [SM [MIN 4 0] 7 [MED 1 5 8] 3] as LRA writes it; value (0 + 7 + 5 + 3) mod 10 = 5.
const std::string kLine =
    "( ( ( ( ( [SM ( ( ( [MIN 4 ) 0 ) ] ) ) 7 ) ( ( ( ( [MED 1 ) 5 ) 8 ) ] ) ) 3 ) ] )";

std::vector<int64_t> as_vector(const std::vector<uint8_t>& ids) {
  return std::vector<int64_t>(ids.begin(), ids.end());
}

std::vector<int64_t> row(const torch::Tensor& tokens, int64_t index) {
  auto r = tokens[index].to(torch::kLong).contiguous();
  return std::vector<int64_t>(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
}

TEST(ListOpsTokenizer, PaperKeepsOnlyAlphanumericTokens) {
  // SM=14 MIN=12 '4'=5 '0'=1 '7'=8 MED=13 '1'=2 '5'=6 '8'=9 '3'=4
  const auto ids = fpt::tasks::listops_token_ids(kLine, ListOpsTokenization::paper, "line");
  EXPECT_EQ(as_vector(ids), (std::vector<int64_t>{14, 12, 5, 1, 8, 13, 2, 6, 9, 4}));
  EXPECT_EQ(as_vector(fpt::tasks::listops_token_ids("( ( ( [MAX 2 ) 9 ) ] )",
                                                    ListOpsTokenization::paper, "l")),
            (std::vector<int64_t>{11, 3, 10}));
  EXPECT_EQ(fpt::tasks::listops_vocabulary_size(ListOpsTokenization::paper), 15);
}

TEST(ListOpsTokenizer, CorrectedKeepsOperatorsAndClosingBrackets) {
  const auto ids = fpt::tasks::listops_token_ids(kLine, ListOpsTokenization::corrected, "line");
  EXPECT_EQ(as_vector(ids), (std::vector<int64_t>{14, 12, 5, 1, 15, 8, 13, 2, 6, 9, 15, 4, 15}));
  EXPECT_EQ(fpt::tasks::listops_vocabulary_size(ListOpsTokenization::corrected), 16);
}

TEST(ListOpsTokenizer, PaperPadsAndTruncates) {
  const std::vector<ListOpsExample> examples = {{kLine, 5, 2}, {"( ( ( [MAX 2 ) 9 ) ] )", 9, 3}};
  auto padded = fpt::tasks::tokenize_listops(examples, ListOpsTokenization::paper, 12, "f.tsv");
  EXPECT_EQ(padded.tokens.scalar_type(), torch::kLong);
  EXPECT_EQ(padded.tokens.sizes(), (std::vector<int64_t>{2, 12}));
  EXPECT_EQ(row(padded.tokens, 0), (std::vector<int64_t>{14, 12, 5, 1, 8, 13, 2, 6, 9, 4, 0, 0}));
  EXPECT_EQ(row(padded.tokens, 1), (std::vector<int64_t>{11, 3, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(padded.labels.sizes(), (std::vector<int64_t>{2}));
  EXPECT_EQ(padded.labels[0].item<int64_t>(), 5);
  EXPECT_EQ(padded.labels[1].item<int64_t>(), 9);
  EXPECT_EQ(padded.longest, 10);

  // the official pipeline cuts at max_length: the tail is silently lost
  auto cut = fpt::tasks::tokenize_listops(examples, ListOpsTokenization::paper, 4, "f.tsv");
  EXPECT_EQ(cut.tokens.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(row(cut.tokens, 0), (std::vector<int64_t>{14, 12, 5, 1}));
  EXPECT_EQ(cut.longest, 10);

  // 0: as long as the longest example; kByte storage holds the same ids
  auto longest =
      fpt::tasks::tokenize_listops(examples, ListOpsTokenization::paper, 0, "f.tsv", torch::kByte);
  EXPECT_EQ(longest.tokens.scalar_type(), torch::kByte);
  EXPECT_EQ(longest.tokens.sizes(), (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(row(longest.tokens, 0), (std::vector<int64_t>{14, 12, 5, 1, 8, 13, 2, 6, 9, 4}));
}

TEST(ListOpsTokenizer, CorrectedRefusesToTruncateNamingTheExample) {
  const std::vector<ListOpsExample> examples = {{"( ( ( [MAX 2 ) 9 ) ] )", 9, 2}, {kLine, 5, 3}};
  auto full = fpt::tasks::tokenize_listops(examples, ListOpsTokenization::corrected, 0, "f.tsv");
  EXPECT_EQ(full.tokens.sizes(), (std::vector<int64_t>{2, 13}));
  EXPECT_EQ(row(full.tokens, 0), (std::vector<int64_t>{11, 3, 10, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  try {
    fpt::tasks::tokenize_listops(examples, ListOpsTokenization::corrected, 12, "f.tsv");
    ADD_FAILURE() << "corrected mode truncated an example";
  } catch (const fpt::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("f.tsv:3: the example has 13 tokens but listops_max_tokens is 12"),
              std::string::npos)
        << message;
  }
}

TEST(ListOpsTokenizer, ModeNamesAndBadText) {
  EXPECT_EQ(fpt::tasks::listops_tokenization_from_name("paper"), ListOpsTokenization::paper);
  EXPECT_EQ(fpt::tasks::listops_tokenization_from_name("corrected"),
            ListOpsTokenization::corrected);
  try {
    fpt::tasks::listops_tokenization_from_name("fixed");
    ADD_FAILURE() << "unknown mode accepted";
  } catch (const fpt::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("listops_mode 'fixed'"), std::string::npos) << message;
    EXPECT_NE(message.find("paper"), std::string::npos) << message;
    EXPECT_NE(message.find("corrected"), std::string::npos) << message;
  }
  const std::vector<ListOpsExample> bad = {{"( [MAX 2 ) 9 ) * ] )", 9, 7}};
  try {
    fpt::tasks::tokenize_listops(bad, ListOpsTokenization::paper, 0, "g.tsv");
    ADD_FAILURE() << "a stray character was accepted";
  } catch (const fpt::Error& error) {
    EXPECT_NE(std::string(error.what()).find("g.tsv:7: column 16: unknown token '*'"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
