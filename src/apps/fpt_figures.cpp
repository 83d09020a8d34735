// fpt_figures: the paper's figures from results — learning curves per task (evaluation accuracy
// against step, one line per init, mean over seeds with a ± std band) from a sweep's results
// directory, and the Bit XOR attention map from files written by `fpt_train --attention-map` —
// as PNG and SVG drawn by gnuplot (data files and the script stay beside them).
//
//   build/fpt_figures results/quick --out figures/quick
//   build/fpt_train --task bit-xor --body gpt2-tiny --steps 1500 --attention-map xor_attention.tsv
//   build/fpt_figures --attention-map xor_attention.tsv --out figures/xor
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "fpt/results/figures/figures.h"

int main(int argc, char** argv) {
  CLI::App app{
      "fpt_figures: learning curves of a sweep's results and attention maps, as PNG and SVG "
      "(drawn by gnuplot)"};
  fpt::results::FigureOptions options;
  std::string                 results_dir;
  std::vector<std::string>    attention_maps;
  std::string                 out_dir = "figures";
  app.add_option("results", results_dir, "a sweep's results directory, e.g. results/quick");
  app.add_option("--attention-map", attention_maps,
                 "an attention map written by fpt_train --attention-map (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--out", out_dir, "where the figures, their data and figures.gp go")
      ->capture_default_str();
  app.add_option("--gnuplot", options.gnuplot, "the gnuplot program")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    options.results_dir = results_dir;
    options.out_dir     = out_dir;
    for (const std::string& file : attention_maps) options.attention_maps.emplace_back(file);
    const fpt::results::FigureReport report = fpt::results::make_figures(options);
    for (const std::string& note : report.left_out) fmt::print(stderr, "fpt_figures: {}\n", note);
    for (const auto& figure : report.figures) fmt::print("{}\n", figure.string());
    fmt::print("fpt_figures: {} figures in {} (data and figures.gp beside them)\n",
               report.figures.size(), out_dir);
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "fpt_figures: error: {}\n", error.what());
    return 2;
  }
}
