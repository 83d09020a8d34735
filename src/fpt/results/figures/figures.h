// fpt_figures' work: from a sweep's results directory, the learning curves of every task (one
// line per configuration, usually the init, mean over seeds with a ± std band), and from attention
// map files (fpt_train --attention-map) the paper's Bit XOR attention figure — each as PNG and SVG
// drawn by gnuplot from data files and one script, all kept in the output directory:
//
//   curves_<task>.tsv   the data (learning_curves.h)      attention_<name>.tsv  a copy of the map
//   curves_<task>.png   curves_<task>.svg                 attention_<name>.png attention_<name>.svg
//   figures.gp          the gnuplot script that drew them (rerun: cd DIR && gnuplot figures.gp)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fpt/results/figures/attention_map_file.h"
#include "fpt/results/figures/learning_curves.h"

namespace fpt::results {

struct FigureOptions {
  std::filesystem::path              results_dir;     // a sweep's results ("" = no curves)
  std::vector<std::filesystem::path> attention_maps;  // attention map files to draw
  std::filesystem::path              out_dir = "figures";
  std::string                        gnuplot = "gnuplot";  // program name or path
};

struct FigureReport {
  std::vector<std::filesystem::path> figures;   // every PNG and SVG written
  std::vector<std::string>           left_out;  // failed experiments, unreadable files
};

// The gnuplot commands drawing one task's curves from `data_file` into `<stem>.png`, `<stem>.svg`.
std::string learning_curve_script(const TaskCurves& curves, const std::string& data_file,
                                  const std::string& stem);

// The gnuplot commands drawing `map` (read from `data_file`) as a heat map with the tokens'
// values on the axes and the positions the head reads marked, into `<stem>.png`, `<stem>.svg`.
std::string attention_map_script(const AttentionMap& map, const std::string& data_file,
                                 const std::string& stem);

// Writes the data files and figures.gp into options.out_dir and runs gnuplot there. Throws
// fpt::Error when there is nothing to draw (no results directory and no attention map; a results
// directory without one completed run), for an unreadable attention map, when gnuplot is missing
// or fails, or when a figure it should have drawn is not there afterwards.
FigureReport make_figures(const FigureOptions& options);

}  // namespace fpt::results
