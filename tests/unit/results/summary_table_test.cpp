// Summary table: mean ± sample std over seeds, row/column order, failed, unmeasured, missing cells.
#include <gtest/gtest.h>

#include "fpt/results/summary_table.h"

namespace fpt::results {
namespace {

core::RunResult run(const std::string& trains, const std::string& task, int64_t seed,
                    double accuracy, const std::string& status = "completed") {
  core::RunResult result;
  result.spec.body           = "gpt2";
  result.spec.init           = "pretrained";
  result.spec.trains         = trains;
  result.spec.task           = task;
  result.spec.seed           = seed;
  result.status              = status;
  result.final_eval_accuracy = accuracy;
  return result;
}

// The data row (third line) of a one-row table.
std::string only_row(const std::string& table) {
  size_t start = 0;
  for (int line = 0; line < 2; ++line) start = table.find('\n', start) + 1;
  return table.substr(start, table.find('\n', start) - start);
}

TEST(SummaryTable, MeanAndSampleStandardDeviation) {
  const std::string table =
      markdown_summary_table({run("fpt", "bit-xor", 0, 0.9), run("fpt", "bit-xor", 1, 1.0)});
  // mean 95, sample std sqrt(((90-95)^2 + (100-95)^2) / 1) = 7.07
  EXPECT_EQ(only_row(table), "| gpt2 / pretrained / fpt | 95.0 ± 7.1 (n=2) |");
}

TEST(SummaryTable, ThreeSeedsUseNMinusOne) {
  // 80, 90, 100: population std 8.16, sample std 10.0
  const std::string table =
      markdown_summary_table({run("fpt", "listops", 0, 0.8), run("fpt", "listops", 1, 0.9),
                              run("fpt", "listops", 2, 1.0)});
  EXPECT_EQ(only_row(table), "| gpt2 / pretrained / fpt | 90.0 ± 10.0 (n=3) |");
}

TEST(SummaryTable, FullEvaluationBeatsRunningEstimate) {
  core::RunResult result    = run("fpt", "listops", 0, 0.5);
  result.full_eval_accuracy = 0.375;
  EXPECT_EQ(only_row(markdown_summary_table({result})), "| gpt2 / pretrained / fpt | 37.5 (n=1) |");
}

TEST(SummaryTable, WholeTableWithFailedAndMissingCells) {
  const std::vector<core::RunResult> results = {
      run("fpt", "bit-memory", 0, 0.998),       run("fpt", "bit-xor", 0, 1.0),
      run("full", "bit-xor", 0, 0.0, "failed"), run("fpt", "bit-memory", 1, 0.0, "failed"),
      run("full", "bit-xor", 1, 0.0, "failed"),
  };
  const std::string expected =
      "| body / init / trains | bit-memory | bit-xor |\n"
      "|---|---|---|\n"
      "| gpt2 / pretrained / fpt | 99.8 (n=1), failed 1/2 | 100.0 (n=1) |\n"
      "| gpt2 / pretrained / full | — | failed |\n";
  EXPECT_EQ(markdown_summary_table(results), expected);
}

TEST(SummaryTable, CompletedWithoutAccuracyIsUnmeasured) {
  const std::string table = markdown_summary_table(
      {run("fpt", "bit-xor", 0, 0.5), run("fpt", "bit-xor", 1, core::kNotMeasured)});
  EXPECT_EQ(only_row(table), "| gpt2 / pretrained / fpt | 50.0 (n=1), unmeasured 1/2 |");
}

TEST(SummaryTable, RowsInFirstSeenOrderColumnsInThePapersOrder) {
  core::RunResult bigger = run("fpt", "listops", 0, 0.4);
  bigger.spec.body       = "gpt2-medium";
  const std::string table =
      markdown_summary_table({run("ln", "listops", 0, 0.3), bigger, run("fpt", "bit-xor", 0, 1.0)});
  const std::string expected =
      "| body / init / trains | bit-xor | listops |\n"
      "|---|---|---|\n"
      "| gpt2 / pretrained / ln | — | 30.0 (n=1) |\n"
      "| gpt2-medium / pretrained / fpt | — | 40.0 (n=1) |\n"
      "| gpt2 / pretrained / fpt | 100.0 (n=1) | — |\n";
  EXPECT_EQ(table, expected);
}

TEST(SummaryTable, ExtraAxesGetRowsOfTheirOwn) {
  core::RunResult slow    = run("fpt", "bit-xor", 0, 0.5);
  slow.tag                = core::default_tag(slow.spec) + "_lr0.0001";
  core::RunResult fast    = run("fpt", "bit-xor", 1, 1.0);
  fast.tag                = core::default_tag(fast.spec) + "_lr0.001";
  const std::string table = markdown_summary_table({slow, fast});
  EXPECT_NE(table.find("| gpt2 / pretrained / fpt lr0.0001 | 50.0 (n=1) |"), std::string::npos)
      << table;
  EXPECT_NE(table.find("| gpt2 / pretrained / fpt lr0.001 | 100.0 (n=1) |"), std::string::npos)
      << table;
}

TEST(SummaryTable, NoResultsGivesHeaderOnly) {
  EXPECT_EQ(markdown_summary_table({}), "| body / init / trains |\n|---|\n");
}

}  // namespace
}  // namespace fpt::results
