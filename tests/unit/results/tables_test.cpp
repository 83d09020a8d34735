// fpt_tables' pieces: spec selectors, cells filled from real run files (mean, sample std, n,
// failures not averaged, published number, Δ, best in bold) checked against values computed here,
// the three formats' shapes, convergence steps and speed-up, mixed cells, tables the results
// cannot fill, and the end-of-sweep rendering.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "fpt/core/error.h"
#include "fpt/results/tables/available_tables.h"
#include "fpt/results/tables/convergence.h"
#include "fpt/results/tables/filled_table.h"
#include "fpt/results/tables/load_sweep_results.h"
#include "fpt/results/tables/paper_tables.h"
#include "fpt/results/tables/render_table.h"
#include "fpt/results/tables/selector.h"
#include "result_files_fixture.h"

namespace fpt::results::tables {
namespace {

namespace fs = std::filesystem;
using results::testing::make_result;
using TablesTest = results::testing::ResultsDirectoryTest;

// Computed here, independently of SeedStatistics.
double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / values.size();
}
double sample_std_of(const std::vector<double>& values) {
  const double m = mean_of(values);
  double       s = 0;
  for (double v : values) s += (v - m) * (v - m);
  return std::sqrt(s / (values.size() - 1));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream        in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream        in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.push_back("");
  return fields;
}

// The Table 2 fixture: language-pretrained XOR over 3 seeds, random XOR with a failed seed, Bit
// XOR all failed, one ListOps seed; nothing for ViT or the image and protein tasks.
class Table2Test : public TablesTest {
 protected:
  void SetUp() override {
    TablesTest::SetUp();
    for (int seed = 0; seed < 3; ++seed)
      write(make_result("gpt2-tiny", "pretrained", "fpt", "bit-xor", seed, fpt_xor[seed]));
    write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 0, random_xor[0]));
    write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 1, random_xor[1]));
    write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 2, 0.0, "failed"));
    write(make_result("gpt2-tiny", "bit", "fpt", "bit-xor", 0, 0.0, "failed"));
    write(make_result("gpt2-tiny", "bit", "fpt", "bit-xor", 1, 0.0, "failed"));
    write(make_result("gpt2-tiny", "pretrained", "fpt", "listops", 0, 0.3));
    write_corrupted("00000000deadbeef.h5");
    table = fill_table(find_paper_table("table2"), load_sweep_results(dir_).results);
  }

  const std::vector<double> fpt_xor    = {0.9, 0.95, 1.0};
  const std::vector<double> random_xor = {0.6, 0.7};
  FilledTable               table;
};

std::vector<double> percent(const std::vector<double>& fractions) {
  std::vector<double> out;
  for (double f : fractions) out.push_back(f * 100.0);
  return out;
}

TEST_F(Table2Test, CellsMatchValuesComputedFromTheFiles) {
  ASSERT_TRUE(table.fillable());
  const FilledCell& fpt = table.cells[0][1];  // FPT (language), XOR
  EXPECT_EQ(fpt.stats.n(), 3u);
  EXPECT_NEAR(fpt.stats.mean(), mean_of(percent(fpt_xor)), 1e-9);
  EXPECT_NEAR(fpt.stats.sample_std(), sample_std_of(percent(fpt_xor)), 1e-9);
  EXPECT_DOUBLE_EQ(fpt.published, 100.0);
  EXPECT_NEAR(fpt.delta(), mean_of(percent(fpt_xor)) - 100.0, 1e-9);
  EXPECT_TRUE(fpt.best);

  const FilledCell& random = table.cells[1][1];  // Random, XOR: the failed seed not averaged
  EXPECT_EQ(random.stats.n(), 2u);
  EXPECT_EQ(random.stats.failed, 1);
  EXPECT_EQ(random.stats.runs, 3);
  EXPECT_NEAR(random.stats.mean(), mean_of(percent(random_xor)), 1e-9);
  EXPECT_FALSE(random.best);

  const FilledCell& bit = table.cells[2][1];  // Bit, XOR: all failed
  EXPECT_EQ(bit.stats.n(), 0u);
  EXPECT_EQ(bit.stats.failed, 2);
  EXPECT_FALSE(bit.best);

  const FilledCell& listops = table.cells[0][2];  // a lone number is not bold
  EXPECT_EQ(listops.stats.n(), 1u);
  EXPECT_FALSE(listops.best);
  EXPECT_EQ(table.cells[3][1].stats.runs, 0);  // ViT: nothing
}

TEST_F(Table2Test, MarkdownRows) {
  const std::string markdown = render_markdown(table);
  const double      m = mean_of(percent(fpt_xor)), s = sample_std_of(percent(fpt_xor));
  const std::string fpt_row = fmt::format(
      "| FPT (language) | — / 100.0 | **{:.1f} ± {:.1f}** (n=3) / 100.0 (Δ {:+.1f}) | 30.0 (n=1) "
      "/ 38.4 (Δ -8.4) | — / 98.0 | — / 68.2 | — / 38.6 | — / 12.7 |",
      m, s, m - 100.0);
  const double      rm = mean_of(percent(random_xor)), rs = sample_std_of(percent(random_xor));
  const std::string random_cell =
      fmt::format("| {:.1f} ± {:.1f} (n=2, failed 1/3) / 100.0 (Δ {:+.1f}) |", rm, rs, rm - 100.0);
  EXPECT_NE(markdown.find(fpt_row), std::string::npos) << markdown;
  EXPECT_NE(markdown.find(random_cell), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| Bit (Bit Memory) | — / 100.0 | failed (2 runs) / 100.0 |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| ViT (ImageNet-21k) | — / 100.0 | — / 100.0 |"), std::string::npos);
  EXPECT_NE(markdown.find("|  | Memory | XOR | ListOps | MNIST | CIFAR-10 | C10 LRA | Homology |"),
            std::string::npos);
  EXPECT_NE(markdown.find("missing: rows without results: ViT (ImageNet-21k) (body=vit*, "
                          "init=pretrained)"),
            std::string::npos)
      << markdown;
}

TEST_F(Table2Test, CsvHasOneLinePerCell) {
  const std::vector<std::string> lines = lines_of(render_csv(table));
  ASSERT_EQ(lines.size(), 1u + 4 * 7);
  EXPECT_EQ(lines[0],
            "table,row,column,mean,std,n,failed,unmeasured,runs,published,delta,best,status");
  for (const auto& line : lines) EXPECT_EQ(csv_fields(line).size(), 13u) << line;
  const std::vector<std::string> fpt = csv_fields(lines[1 + 0 * 7 + 1]);  // FPT (language), XOR
  EXPECT_EQ(fpt[1], "FPT (language)");
  EXPECT_EQ(fpt[2], "XOR");
  EXPECT_NEAR(std::stod(fpt[3]), mean_of(percent(fpt_xor)), 1e-9);
  EXPECT_NEAR(std::stod(fpt[4]), sample_std_of(percent(fpt_xor)), 1e-9);
  EXPECT_EQ(fpt[5], "3");
  EXPECT_EQ(fpt[9], "100");
  EXPECT_NEAR(std::stod(fpt[10]), mean_of(percent(fpt_xor)) - 100.0, 1e-9);
  EXPECT_EQ(fpt[11], "1");
  EXPECT_EQ(fpt[12], "ok");
  const std::vector<std::string> bit = csv_fields(lines[1 + 2 * 7 + 1]);
  EXPECT_EQ(bit[3], "");
  EXPECT_EQ(bit[6], "2");
  EXPECT_EQ(bit[12], "failed");
  const std::vector<std::string> vit = csv_fields(lines[1 + 3 * 7 + 0]);
  EXPECT_EQ(vit[8], "0");
  EXPECT_EQ(vit[12], "empty");
}

TEST_F(Table2Test, LatexIsABooktabsTable) {
  const std::string              latex = render_latex(table);
  const std::vector<std::string> lines = lines_of(latex);
  EXPECT_EQ(lines.front(), "% fpt_tables: table2");
  EXPECT_NE(latex.find("\\begin{tabular}{lccccccc}"), std::string::npos);
  size_t rows = 0;
  for (const auto& line : lines) rows += line.size() > 2 && line.substr(line.size() - 2) == "\\\\";
  EXPECT_EQ(rows, 1u + 4);                                                      // header + 4 rows
  EXPECT_NE(latex.find("\\resizebox{\\linewidth}{!}{%\n"), std::string::npos);  // 7 columns
  EXPECT_NE(latex.find("\\caption{Pretraining modality"), std::string::npos) << latex;
  for (const char* rule : {"\\toprule", "\\midrule", "\\bottomrule", "\\end{table}"})
    EXPECT_NE(latex.find(rule), std::string::npos) << rule;
  const double m = mean_of(percent(fpt_xor)), s = sample_std_of(percent(fpt_xor));
  EXPECT_NE(
      latex.find(fmt::format("\\begin{{tabular}}[c]{{@{{}}c@{{}}}}\\textbf{{{:.1f} $\\pm$ {:.1f}}} "
                             "{{\\scriptsize($n$=3)}}\\\\{{\\scriptsize / 100.0 (${:+.1f}$)}}"
                             "\\end{{tabular}}",
                             m, s, m - 100.0)),
      std::string::npos)
      << latex;
  EXPECT_EQ(latex.find("±"), std::string::npos);  // no raw Unicode for LaTeX
  EXPECT_EQ(latex.find("—"), std::string::npos);
}

TEST_F(Table2Test, TableTheResultsCannotFillSaysWhatIsMissing) {
  const FilledTable sizes = fill_table(find_paper_table("sizes"), load_sweep_results(dir_).results);
  EXPECT_FALSE(sizes.fillable());
  const std::string message = unfillable_message(sizes, dir_.string());
  EXPECT_NE(message.find("no experiment has task=cifar10|mnist"), std::string::npos) << message;
  EXPECT_NE(message.find("rows without results: base (body=gpt2|gpt2-tiny); medium "
                         "(body=gpt2-medium|gpt2-mini); large (body=gpt2-large)"),
            std::string::npos)
      << message;
}

TEST_F(Table2Test, EndOfSweepTextAndCollection) {
  const std::string text = render_available_tables(dir_);
  EXPECT_NE(text.find("### table2"), std::string::npos) << text;
  EXPECT_EQ(text.find("### sizes"), std::string::npos);
  EXPECT_NE(text.find("Not filled by these results:"), std::string::npos);
  EXPECT_NE(text.find("sizes"), std::string::npos);
  EXPECT_NE(text.find("skipped corrupted file"), std::string::npos);
  EXPECT_NE(text.find(results::collection_path(dir_).string()), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(results::collection_path(dir_)));
}

TEST_F(TablesTest, ConvergenceStepsAndSpeedUp) {
  for (int seed = 0; seed < 2; ++seed) {
    write(make_result("gpt2-tiny", "pretrained", "fpt", "bit-xor", seed, 1.0, "completed", "t2",
                      /*converged_step=*/20));
    write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", seed, 1.0, "completed", "t2",
                      /*converged_step=*/40));
  }
  const FilledTable table =
      fill_table(find_paper_table("convergence"), load_sweep_results(dir_).results);
  const size_t xor_row = 1;
  EXPECT_DOUBLE_EQ(table.cells[xor_row][0].stats.mean(), 20.0);
  EXPECT_DOUBLE_EQ(table.cells[xor_row][1].stats.mean(), 40.0);
  EXPECT_TRUE(table.cells[xor_row][0].best);  // fewer steps is better
  EXPECT_DOUBLE_EQ(table.ratio[xor_row], 2.0);
  EXPECT_DOUBLE_EQ(table.published_ratio[xor_row], 2e4 / 5e2);
  const std::string markdown = render_markdown(table);
  EXPECT_NE(markdown.find("| XOR | **20 ± 0** (n=2) / 500 (Δ -480) | 40 ± 0 (n=2) / 20000 (Δ "
                          "-19960) | 2.0× / 40.0× |"),
            std::string::npos)
      << markdown;
  const std::string csv = render_csv(table);
  EXPECT_NE(csv.find("\nconvergence,XOR,speed-up (Random / FPT),2,,,,,,40,,0,ok\n"),
            std::string::npos)
      << csv;
  // A lower threshold is reached earlier: half of the final accuracy at the first point.
  FillOptions half;
  half.convergence_threshold = 0.5;
  const FilledTable early =
      fill_table(find_paper_table("convergence"), load_sweep_results(dir_).results, half);
  EXPECT_DOUBLE_EQ(early.cells[xor_row][1].stats.mean(), 10.0);
}

TEST_F(TablesTest, EndOfAPaperSweepShowsItsOwnTablesAndNamesTheOthers) {
  // A Table 2 sweep also fills the FPT row of Table 1 and the "+ positions" rows of the
  // parameter-group ablations: printed in full are only Table 2 and the convergence table
  // (computed from the same runs); the others are named.
  sweep_name_ = "table2";
  for (const char* init : {"pretrained", "random"})
    for (int seed = 0; seed < 2; ++seed)
      write(make_result("gpt2-tiny", init, "fpt", "bit-xor", seed, 0.75, "completed", "table2"));
  const std::string text = render_available_tables(dir_);
  EXPECT_NE(text.find("### table2: "), std::string::npos) << text;
  EXPECT_NE(text.find("### convergence: "), std::string::npos) << text;
  for (const char* other : {"table1", "ablation_params", "init_stats"}) {
    EXPECT_EQ(text.find(fmt::format("### {}: ", other)), std::string::npos) << other;
  }
  EXPECT_NE(text.find("These results fill parts of table1, ablation_params, "
                      "ablation_params_random, init_stats too (fpt_tables"),
            std::string::npos)
      << text;
}

TEST_F(TablesTest, EndOfAPaperSweepWhoseOwnTableStaysEmptyShowsWhatItFills) {
  sweep_name_ = "sizes";  // its table needs CIFAR-10 (or MNIST): Bit XOR runs cannot fill it
  write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 0, 0.75, "completed", "sizes"));
  write(make_result("gpt2-tiny", "pretrained", "fpt", "bit-xor", 0, 1.0, "completed", "sizes"));
  const std::string text = render_available_tables(dir_);
  EXPECT_NE(text.find("### table2: "), std::string::npos) << text;
  EXPECT_EQ(text.find("No table of the paper can be filled"), std::string::npos) << text;
  EXPECT_NE(text.find("Not filled by these results: "), std::string::npos) << text;
  // table1 holds the FPT row only: one number, nothing compared, so only named
  EXPECT_EQ(text.find("### table1: "), std::string::npos) << text;
  EXPECT_NE(text.find("These results fill parts of table1"), std::string::npos) << text;
}

TEST_F(TablesTest, EndOfSweepPrintsOnlyTheRowsAndColumnsWithResults) {
  for (int seed = 0; seed < 2; ++seed) {
    write(make_result("minilm", "pretrained", "fpt", "bit-xor", seed, 1.0));
    write(make_result("minilm", "random", "fpt", "bit-xor", seed, 0.5 + 0.02 * seed));
  }
  const std::string text  = render_available_tables(dir_, {"table2"});
  const auto        lines = lines_of(text);
  // Table 2 compacted: the XOR column alone, the FPT and Random rows alone.
  EXPECT_NE(std::find(lines.begin(), lines.end(), "|  | XOR |"), lines.end()) << text;
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "| FPT (language) | **100.0 ± 0.0** (n=2) / 100.0 (Δ +0.0) |"),
            lines.end())
      << text;
  EXPECT_NE(
      std::find(lines.begin(), lines.end(), "| Random | 51.0 ± 1.4 (n=2) / 100.0 (Δ -49.0) |"),
      lines.end())
      << text;
  EXPECT_NE(text.find("not run here, so not shown: rows Bit (Bit Memory), ViT (ImageNet-21k); "
                      "columns Memory, ListOps, MNIST, CIFAR-10, C10 LRA, Homology"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("missing: "), std::string::npos) << text;
  // The sweep file named table2 as its own: the others that compare the same runs are named only.
  for (const char* other : {"convergence", "init_stats", "table1"})
    EXPECT_EQ(text.find(fmt::format("### {}: ", other)), std::string::npos) << other;
  EXPECT_NE(text.find("These results fill parts of table1, convergence"), std::string::npos)
      << text;
  // Without `tables:`, every table that compares something is printed.
  const std::string every = render_available_tables(dir_);
  for (const char* compared : {"table2", "convergence", "init_stats"})
    EXPECT_NE(every.find(fmt::format("### {}: ", compared)), std::string::npos) << compared;
  EXPECT_EQ(every.find("### table1: "), std::string::npos) << every;
}

TEST_F(TablesTest, CompactMarkdownKeepsTheRatioColumnOnlyWithBothOfItsColumns) {
  write(make_result("gpt2-tiny", "pretrained", "fpt", "bit-xor", 0, 1.0, "completed", "t2", 20));
  const FilledTable table =
      fill_table(find_paper_table("convergence"), load_sweep_results(dir_).results);
  MarkdownOptions compact;
  compact.only_lines_with_results = true;
  const std::string markdown      = render_markdown(table, compact);
  EXPECT_NE(markdown.find("|  | FPT |\n|---|---|\n| XOR | 20 (n=1) / 500 (Δ -480) |\n"),
            std::string::npos)
      << markdown;
  EXPECT_EQ(markdown.find("speed-up"), std::string::npos) << markdown;
  EXPECT_FALSE(table.compares());
  // The whole table (fpt_tables) still has every row, the ratio and the missing lines.
  const std::string whole = render_markdown(table);
  EXPECT_NE(whole.find("| Homology |"), std::string::npos);
  EXPECT_NE(whole.find("speed-up"), std::string::npos);
  EXPECT_NE(whole.find("missing: "), std::string::npos);
}

TEST_F(TablesTest, ComparesNeedsTwoCompetingCellsWithResults) {
  write(make_result("gpt2-tiny", "pretrained", "fpt", "bit-xor", 0, 1.0));
  write(make_result("gpt2-tiny", "pretrained", "fpt", "listops", 0, 0.3));
  auto results = load_sweep_results(dir_).results;
  // Two cells in one row of Table 2 (rows compete within a column): no comparison.
  EXPECT_FALSE(fill_table(find_paper_table("table2"), results).compares());
  write(make_result("gpt2-tiny", "random", "fpt", "listops", 0, 0.2, "failed"));
  results = load_sweep_results(dir_).results;
  // A failed run is a result too: FPT against Random on ListOps.
  EXPECT_TRUE(fill_table(find_paper_table("table2"), results).compares());
}

TEST_F(TablesTest, EndOfSweepLeavesOutAndNamesFilesOfAnotherGrid) {
  write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 0, 0.5));
  const core::RunResult stray = make_result("gpt2-tiny", "random", "fpt", "bit-xor", 1, 0.9);
  write(stray, /*in_plan=*/false);
  const std::string text = render_available_tables(dir_);
  EXPECT_NE(text.find("skipped foreign file " + (dir_ / (stray.id + ".h5")).string()),
            std::string::npos)
      << text;
  // One run left: a single cell of several tables, none printed.
  EXPECT_NE(text.find("No table of the paper compares two of these results; they fill single "
                      "cells of table2"),
            std::string::npos)
      << text;
  CollectOptions skip_foreign;
  skip_foreign.foreign = ForeignFiles::skip;
  const FilledTable table =
      fill_table(find_paper_table("table2"), load_sweep_results(dir_, skip_foreign).results);
  EXPECT_NE(render_markdown(table).find("| Random | — / 75.8 | 50.0 (n=1) / 100.0 (Δ -50.0) |"),
            std::string::npos);
}

TEST(Convergence, FirstStepReachingTheFractionOfTheFinalAccuracy) {
  std::vector<core::CurvePoint> curve(4);
  const double                  accuracy[] = {0.2, 0.5, 0.98, 1.0};
  for (int i = 0; i < 4; ++i) curve[i].step = 10 * (i + 1), curve[i].eval_accuracy = accuracy[i];
  EXPECT_DOUBLE_EQ(steps_to_converge(curve, 0.99), 40);
  EXPECT_DOUBLE_EQ(steps_to_converge(curve, 0.95), 30);
  EXPECT_DOUBLE_EQ(steps_to_converge(curve, 0.5), 20);
  curve.back().eval_accuracy = core::kNotMeasured;  // the last measured point is the final one
  EXPECT_DOUBLE_EQ(steps_to_converge(curve, 0.99), 30);
  EXPECT_TRUE(std::isnan(steps_to_converge({}, 0.99)));
  EXPECT_THROW(steps_to_converge(curve, 1.5), Error);
}

TEST_F(TablesTest, RunsDifferingInMoreThanSeedAreShownMixed) {
  core::RunResult a = make_result("gpt2-tiny", "pretrained", "fpt", "bit-xor", 0, 0.9);
  core::RunResult b = make_result("gpt2-tiny", "pretrained", "fpt", "bit-xor", 1, 0.9);
  b.spec.lr         = 1e-4;
  b.id              = core::experiment_id(b.spec);
  write(a), write(b);
  const FilledTable table =
      fill_table(find_paper_table("table2"), load_sweep_results(dir_).results);
  EXPECT_EQ(table.cells[0][1].mixed, "lr");
  EXPECT_FALSE(table.cells[0][1].has_mean());
  EXPECT_NE(render_markdown(table).find("| mixed (lr) / 100.0 |"), std::string::npos);
}

TEST_F(TablesTest, StandInsFillOnlyCellsWithoutTheRealThing) {
  // GPT-2 and the MiniLM stand-in on XOR: the cell uses GPT-2 alone (not "mixed: body"); on
  // ListOps only MiniLM ran, so it fills that cell.
  write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 0, 0.75));
  write(make_result("minilm", "random", "fpt", "bit-xor", 0, 0.25));
  write(make_result("minilm", "random", "fpt", "listops", 0, 0.5));
  const FilledTable table =
      fill_table(find_paper_table("table2"), load_sweep_results(dir_).results);
  const FilledCell& xor_cell = table.cells[1][1];  // Random / XOR
  EXPECT_EQ(xor_cell.mixed, "");
  EXPECT_EQ(xor_cell.stats.n(), 1u);
  EXPECT_DOUBLE_EQ(xor_cell.stats.mean(), 75.0);
  EXPECT_DOUBLE_EQ(table.cells[1][2].stats.mean(), 50.0);  // Random / ListOps: MiniLM
}

TEST(Selector, PatternsAlternativesAndTrainedGroups) {
  core::ExperimentSpec spec;
  spec.body   = "gpt2-tiny";
  spec.trains = "ln,output";
  EXPECT_TRUE(matches(spec, {{"body", "gpt2*"}, {"trains", "output,ln"}}));
  EXPECT_FALSE(matches(spec, {{"body", "gpt2"}}));
  EXPECT_FALSE(matches(spec, {{"trains", "output"}}));
  spec.body   = "minilm";
  spec.trains = "fpt";
  EXPECT_TRUE(matches(spec, {{"body", "bert*|minilm"}, {"trains", "input,output,pos,ln"}}));
  EXPECT_FALSE(matches(spec, {{"body", "vit*"}}));
  EXPECT_THROW(matches(spec, {{"bodee", "x"}}), Error);
  // Words with block ranges, in any order and with blanks as a sweep file may write them.
  spec.trains = "input, output,pos,ln, ff,attn @ -1";
  EXPECT_TRUE(matches(spec, {{"trains", "input,output,pos,ln,ff,attn@-1"}}));
  EXPECT_FALSE(matches(spec, {{"trains", "input,output,pos,ln,ff,attn"}}));
  EXPECT_FALSE(matches(spec, {{"trains", "input,output,pos,ln,ff,attn@0"}}));
  EXPECT_EQ(describe({{"body", "gpt2*"}, {"init", "random"}}), "body=gpt2*, init=random");
}

TEST(PaperTables, EveryTableHasAPublishedNumberPerCell) {
  for (const auto& table : paper_tables()) {
    ASSERT_EQ(table.published.size(), table.rows.size()) << table.name;
    for (const auto& row : table.published)
      EXPECT_EQ(row.size(), table.columns.size()) << table.name;
  }
  EXPECT_THROW(find_paper_table("table9"), Error);
  EXPECT_DOUBLE_EQ(find_paper_table("table2").published[1][0], 75.8);  // Random, Memory
}

}  // namespace
}  // namespace fpt::results::tables
