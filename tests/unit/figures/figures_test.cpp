// Figures: learning-curve statistics against values computed here from the runs, the results
// directory reader (failed, corrupt and temporary files), the attention-map file, and the whole
// fpt_figures pipeline through the real gnuplot (PNG signature, SVG document, sizes, the data file
// matching the run files it came from).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/core/experiment_spec.h"
#include "fpt/results/figures/attention_map_file.h"
#include "fpt/results/figures/figures.h"
#include "fpt/results/figures/learning_curves.h"
#include "fpt/results/run_file.h"

namespace fpt::results {
namespace {

std::filesystem::path fresh_directory(const std::string& name) {
  const std::filesystem::path directory = std::filesystem::path(::testing::TempDir()) / name;
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory;
}

// A completed run whose running-estimate accuracy at steps 10, 20, 30 is `accuracies`.
core::RunResult run(const std::string& init, const std::string& task, int64_t seed,
                    const std::vector<double>& accuracies) {
  core::RunResult result;
  result.spec.body  = "gpt2-tiny";
  result.spec.init  = init;
  result.spec.task  = task;
  result.spec.seed  = seed;
  result.spec.steps = 10 * static_cast<int64_t>(accuracies.size());
  result.spec       = core::resolve_defaults(result.spec);
  result.id         = core::experiment_id(result.spec);
  result.tag        = core::default_tag(result.spec);
  result.status     = "completed";
  result.steps_done = result.spec.steps;
  for (size_t i = 0; i < accuracies.size(); ++i) {
    core::CurvePoint point;
    point.step           = 10 * static_cast<int64_t>(i + 1);
    point.train_loss     = 0.5;
    point.train_accuracy = 0.5;
    point.eval_loss      = 0.5;
    point.eval_accuracy  = accuracies[i];
    result.curve.push_back(point);
  }
  result.final_eval_accuracy = accuracies.back();
  return result;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream      in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The data rows of a curves file: index -> rows of numbers.
std::map<int, std::vector<std::vector<double>>> data_blocks(const std::string& text) {
  std::map<int, std::vector<std::vector<double>>> blocks;
  std::istringstream                              in(text);
  std::string                                     line;
  int                                             block = 0, blank = 0;
  while (std::getline(in, line)) {
    if (line.empty()) {
      if (++blank == 2) ++block;
      continue;
    }
    blank = 0;
    if (line[0] == '#') continue;
    std::istringstream  row(line);
    std::vector<double> values;
    for (double value; row >> value;) values.push_back(value);
    blocks[block].push_back(values);
  }
  return blocks;
}

TEST(LearningCurves, MeanStdPerStepOneLinePerInit) {
  std::vector<core::RunResult> runs = {
      run("random", "bit-xor", 0, {0.50, 0.60, 0.70}),
      run("random", "bit-xor", 1, {0.40, 0.80, 0.90}), run("bit", "bit-xor", 0, {0.90, 1.00, 1.00}),
      run("bit", "bit-xor", 1, {0.70, 1.00, 1.00}), run("random", "listops", 0, {0.10, 0.20})};
  runs[1].curve[1].eval_accuracy = core::kNotMeasured;  // left out of step 20's mean
  core::RunResult pretraining    = run("random", "bit-memory", 0, {0.5});
  pretraining.tag += "_bit-pretraining";  // init bit's shared body: no line of any figure
  runs.push_back(pretraining);

  const std::vector<TaskCurves> tasks = learning_curves(runs);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].task, "bit-xor");  // the paper's task order, not alphabetical
  EXPECT_EQ(tasks[1].task, "listops");
  ASSERT_EQ(tasks[0].lines.size(), 2u);
  const CurveLine& bit    = tasks[0].lines[0];
  const CurveLine& random = tasks[0].lines[1];
  EXPECT_EQ(bit.label, "bit");  // only init differs between the task's lines
  EXPECT_EQ(random.label, "random");
  EXPECT_EQ(random.tags, (std::vector<std::string>{"gpt2-tiny_bit-xor_random_fpt_s0",
                                                   "gpt2-tiny_bit-xor_random_fpt_s1"}));
  ASSERT_EQ(random.points.size(), 3u);
  EXPECT_EQ(random.points[0].step, 10);
  EXPECT_EQ(random.points[0].runs, 2);
  EXPECT_NEAR(random.points[0].mean, 45.0, 1e-9);
  EXPECT_NEAR(random.points[0].std, std::sqrt(50.0), 1e-9);  // (5² + 5²) / (2 − 1)
  EXPECT_NEAR(random.points[0].min, 40.0, 1e-9);
  EXPECT_NEAR(random.points[0].max, 50.0, 1e-9);
  EXPECT_EQ(random.points[1].runs, 1);  // seed 1 was not measured at step 20
  EXPECT_NEAR(random.points[1].mean, 60.0, 1e-9);
  EXPECT_EQ(random.points[1].std, 0.0);
  EXPECT_NEAR(bit.points[0].mean, 80.0, 1e-9);
  // A task with one line is labelled by body, init and trains.
  EXPECT_EQ(tasks[1].lines.at(0).label, "gpt2-tiny random fpt");

  // The data file: one block per line, columns step runs mean lower upper std min max.
  const auto blocks = data_blocks(curve_data_text(tasks[0]));
  ASSERT_EQ(blocks.size(), 2u);
  const std::vector<double>& row = blocks.at(1).at(0);  // random, step 10
  ASSERT_EQ(row.size(), 8u);
  EXPECT_EQ(row[0], 10);
  EXPECT_EQ(row[1], 2);
  EXPECT_NEAR(row[2], 45.0, 1e-8);
  EXPECT_NEAR(row[3], 45.0 - std::sqrt(50.0), 1e-8);
  EXPECT_NEAR(row[4], 45.0 + std::sqrt(50.0), 1e-8);
}

TEST(LearningCurves, LabelsNameEveryDifferingKey) {
  core::RunResult a = run("random", "bit-xor", 0, {0.5});
  core::RunResult b = run("pretrained", "bit-xor", 0, {0.5});
  b.spec.lr         = 1e-4;
  const auto tasks  = learning_curves({a, b});
  ASSERT_EQ(tasks.at(0).lines.size(), 2u);
  EXPECT_EQ(tasks[0].lines[0].label, "pretrained lr=0.0001");
  EXPECT_EQ(tasks[0].lines[1].label, "random lr=0.001");
}

TEST(ResultsDirectory, FailedCorruptAndTemporaryFiles) {
  const std::filesystem::path directory = fresh_directory("figures_results_directory");
  const core::RunResult       good      = run("random", "bit-xor", 0, {0.5, 0.75});
  write_run_file(directory / (good.id + ".h5"), good);
  core::RunResult failed = run("random", "bit-xor", 1, {0.5});
  failed.status          = "failed";
  failed.error           = "loss is NaN at step 3";
  write_run_file(directory / (failed.id + ".h5"), failed);
  std::ofstream(directory / "0123456789abcdef.h5") << "not an HDF5 file";
  std::ofstream(directory / "fedcba9876543210.h5.tmp.42") << "half written";

  const ResultsDirectory results = read_results_directory(directory);
  ASSERT_EQ(results.completed.size(), 1u);
  EXPECT_EQ(results.completed[0].id, good.id);
  ASSERT_EQ(results.failed.size(), 1u);
  EXPECT_EQ(results.failed[0], failed.tag + ": loss is NaN at step 3");
  ASSERT_EQ(results.unreadable.size(), 1u);
  EXPECT_NE(results.unreadable[0].find("0123456789abcdef.h5"), std::string::npos)
      << results.unreadable[0];

  EXPECT_THROW(read_results_directory(directory / "missing"), Error);
  EXPECT_THROW(read_results_directory(fresh_directory("figures_empty")), Error);
}

AttentionMap causal_map() {
  AttentionMap map;
  map.tag           = "gpt2-tiny_bit-xor_random_fpt_s0";
  map.id            = "0123456789abcdef";
  map.task          = "bit-xor";
  map.layer         = 0;
  map.head          = 1;
  map.output_tokens = 5;
  map.labels        = {"1", "0", "1", "1", "0", "0", "1", "1", "0", "1"};
  map.targets       = {"1", "1", "0", "1", "1"};
  for (int query = 0; query < 10; ++query)  // uniform over the past, a causal map
    for (int key = 0; key < 10; ++key)
      map.probabilities.push_back(key <= query ? 1.0 / (query + 1) : 0.0);
  return map;
}

TEST(AttentionMapFile, RoundTripAndBadFiles) {
  const std::filesystem::path directory = fresh_directory("figures_attention_file");
  const AttentionMap          written   = causal_map();
  write_attention_map(directory / "map.tsv", written);
  const AttentionMap read = read_attention_map(directory / "map.tsv");
  EXPECT_EQ(read.tag, written.tag);
  EXPECT_EQ(read.id, written.id);
  EXPECT_EQ(read.task, "bit-xor");
  EXPECT_EQ(read.head, 1);
  EXPECT_EQ(read.output_tokens, 5);
  EXPECT_EQ(read.labels, written.labels);
  EXPECT_EQ(read.targets, written.targets);
  ASSERT_EQ(read.probabilities.size(), 100u);
  for (size_t i = 0; i < 100; ++i)
    EXPECT_NEAR(read.probabilities[i], written.probabilities[i], 1e-8);

  std::string text = read_file(directory / "map.tsv");
  // Row 3 (file line 13) no longer sums to 1.
  const size_t row = text.find("0.25\t0.25\t0.25\t0.25");
  ASSERT_NE(row, std::string::npos);
  std::string broken = text;
  broken.replace(row, 4, "0.95");
  std::ofstream(directory / "broken.tsv") << broken;
  try {
    read_attention_map(directory / "broken.tsv");
    FAIL() << "no error for a row that does not sum to 1";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("broken.tsv:13: attention row 3 sums to"),
              std::string::npos)
        << error.what();
  }
  std::ofstream(directory / "other.tsv") << "step\tmean\n";
  EXPECT_THROW(read_attention_map(directory / "other.tsv"), Error);
  EXPECT_THROW(read_attention_map(directory / "absent.tsv"), Error);
  AttentionMap not_square = written;
  not_square.probabilities.pop_back();
  EXPECT_THROW(write_attention_map(directory / "x.tsv", not_square), Error);
}

bool is_png(const std::string& bytes) {
  return bytes.size() > 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

TEST(Figures, GnuplotDrawsCurvesAndAttentionMap) {
  const std::filesystem::path  results = fresh_directory("figures_pipeline_results");
  std::vector<core::RunResult> runs    = {run("random", "bit-xor", 0, {0.50, 0.60, 0.70}),
                                          run("random", "bit-xor", 1, {0.40, 0.80, 0.90}),
                                          run("bit", "bit-xor", 0, {0.90, 1.00, 1.00}),
                                          run("bit", "bit-xor", 1, {0.70, 1.00, 1.00})};
  for (const core::RunResult& result : runs) write_run_file(results / (result.id + ".h5"), result);
  core::RunResult failed = run("bit", "bit-xor", 2, {0.1});
  failed.status          = "failed";
  failed.error           = "diverged";
  write_run_file(results / (failed.id + ".h5"), failed);
  const std::filesystem::path scratch = fresh_directory("figures_pipeline_maps");
  write_attention_map(scratch / "xor.tsv", causal_map());

  FigureOptions options;
  options.results_dir       = results;
  options.attention_maps    = {scratch / "xor.tsv"};
  options.out_dir           = fresh_directory("figures_pipeline_out");
  const FigureReport report = make_figures(options);

  ASSERT_EQ(report.figures.size(), 4u);
  ASSERT_EQ(report.left_out.size(), 1u);
  EXPECT_NE(report.left_out[0].find("diverged"), std::string::npos);
  for (const std::string stem : {"curves_bit-xor", "attention_xor"}) {
    const std::string png = read_file(options.out_dir / (stem + ".png"));
    const std::string svg = read_file(options.out_dir / (stem + ".svg"));
    EXPECT_TRUE(is_png(png)) << stem;
    EXPECT_GT(png.size(), 5000u) << stem;
    EXPECT_NE(svg.find("<svg"), std::string::npos) << stem;
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << stem;
    EXPECT_GT(svg.size(), 5000u) << stem;
  }
  // The curves' data: the mean over the two completed seeds of each init, from the run files.
  const auto blocks = data_blocks(read_file(options.out_dir / "curves_bit-xor.tsv"));
  ASSERT_EQ(blocks.size(), 2u);
  for (int index = 0; index < 2; ++index) {
    const std::string init = index == 0 ? "bit" : "random";
    const auto&       rows = blocks.at(index);
    ASSERT_EQ(rows.size(), 3u);
    for (size_t step = 0; step < 3; ++step) {
      double sum = 0;
      for (const core::RunResult& result : runs)
        if (result.spec.init == init) sum += 100 * result.curve[step].eval_accuracy;
      EXPECT_NEAR(rows[step][2], sum / 2, 1e-8) << init << " step " << rows[step][0];
      EXPECT_EQ(rows[step][1], 2);
    }
  }
  // The script that drew them stays, and names both outputs of each figure.
  const std::string script = read_file(options.out_dir / "figures.gp");
  for (const char* name : {"'curves_bit-xor.png'", "'curves_bit-xor.svg'", "'attention_xor.png'",
                           "'attention_xor.svg'"})
    EXPECT_NE(script.find(name), std::string::npos) << name;
}

TEST(Figures, MissingGnuplotIsNamed) {
  const std::filesystem::path scratch = fresh_directory("figures_no_gnuplot");
  write_attention_map(scratch / "xor.tsv", causal_map());
  FigureOptions options;
  options.attention_maps = {scratch / "xor.tsv"};
  options.out_dir        = scratch / "out";
  options.gnuplot        = (scratch / "no-such-gnuplot").string();
  try {
    make_figures(options);
    FAIL() << "no error without gnuplot";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("gnuplot is not installed"), std::string::npos) << message;
    EXPECT_NE(message.find("apt-get install gnuplot-nox"), std::string::npos) << message;
    EXPECT_NE(message.find("gnuplot figures.gp"), std::string::npos) << message;
  }
  EXPECT_TRUE(std::filesystem::exists(options.out_dir / "figures.gp"));  // drawable later
  FigureOptions nothing;
  EXPECT_THROW(make_figures(nothing), Error);
}

}  // namespace
}  // namespace fpt::results
