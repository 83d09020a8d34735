#include "fpt/results/figures/figures.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"
#include "fpt/results/figures/gnuplot.h"

namespace fpt::results {
namespace {

// A gnuplot single-quoted string: a quote inside is written twice.
std::string gnuplot_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// File names from free text (task names, attention map names): letters, digits, . _ -.
std::string file_safe(const std::string& text) {
  std::string safe = text;
  for (char& c : safe)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '-';
  return safe;
}

// The two outputs of every figure: a PNG for pages and slides, an SVG for papers.
std::string draw_twice(const std::string& stem, const std::string& size,
                       const std::string& settings_and_plot) {
  return fmt::format(
      "reset\n"
      "set terminal pngcairo size {0} noenhanced font 'Sans,11'\n"
      "set output {1}\n"
      "{2}"
      "set terminal svg size {0} noenhanced font 'Sans,11' background rgb 'white'\n"
      "set output {3}\n"
      "replot\n"
      "unset output\n\n",
      size, gnuplot_quoted(stem + ".png"), settings_and_plot, gnuplot_quoted(stem + ".svg"));
}

// "bit-xor" -> "Bit XOR": the paper's names in titles.
std::string task_title(const std::string& task) {
  if (task == "bit-memory") return "Bit Memory";
  if (task == "bit-xor") return "Bit XOR";
  if (task == "listops") return "ListOps";
  if (task == "mnist") return "MNIST";
  if (task == "cifar10") return "CIFAR-10";
  if (task == "cifar10-gray") return "CIFAR-10 LRA";
  if (task == "remote-homology") return "Remote Homology";
  return task;
}

}  // namespace

std::string learning_curve_script(const TaskCurves& curves, const std::string& data_file,
                                  const std::string& stem) {
  std::string settings = fmt::format(
      "set title {}\n"
      "set xlabel 'step'\n"
      "set ylabel 'evaluation accuracy (%)'\n"
      "set yrange [0:100]\n"
      "set grid\n"
      "set key outside right top box\n",
      gnuplot_quoted(task_title(curves.task) +
                     ": evaluation accuracy, mean over seeds (band: ± 1 std)"));
  std::vector<std::string> plots;
  for (size_t index = 0; index < curves.lines.size(); ++index) {
    const CurveLine& line = curves.lines[index];
    if (line.points.empty()) continue;  // nothing measured: gnuplot would stop on an empty block
    const int64_t runs  = static_cast<int64_t>(line.tags.size());
    const int     color = static_cast<int>(plots.size() / 2) + 1;
    plots.push_back(fmt::format(
        "{} index {} using 1:4:5 with filledcurves fillstyle transparent solid 0.2 noborder "
        "linecolor {} notitle",
        gnuplot_quoted(data_file), index, color));
    plots.push_back(
        fmt::format("{} index {} using 1:3 with linespoints linewidth 2 pointtype 7 "
                    "pointsize 0.6 linecolor {} title {}",
                    gnuplot_quoted(data_file), index, color,
                    gnuplot_quoted(fmt::format("{} (n={})", line.label, runs))));
  }
  if (plots.empty()) return "";
  std::string plot = "plot ";
  for (size_t i = 0; i < plots.size(); ++i) plot += (i == 0 ? "" : ", \\\n     ") + plots[i];
  return draw_twice(stem, "1000,560", settings + plot + "\n");
}

std::string attention_map_script(const AttentionMap& map, const std::string& data_file,
                                 const std::string& stem) {
  const int64_t tokens     = map.tokens();
  const int64_t first_read = tokens - map.output_tokens;  // the head reads positions >= this
  std::string   xtics, ytics;
  for (int64_t position = 0; position < tokens; ++position) {
    const std::string value     = map.labels[static_cast<size_t>(position)];
    const std::string separator = position == 0 ? "" : ", ";
    xtics += fmt::format("{}{} {}", separator, gnuplot_quoted(value), position);
    std::string   row  = fmt::format("{}: {}", position, value);
    const int64_t read = position - first_read;
    if (read >= 0 && read < static_cast<int64_t>(map.targets.size()))
      row += " -> " + map.targets[static_cast<size_t>(read)];
    ytics += fmt::format("{}{} {}", separator, gnuplot_quoted(row), position);
  }
  std::string settings = fmt::format(
      "set title {}\n"
      "set xlabel 'key position (token value)'\n"
      "set ylabel 'query position: token value (-> target at read positions)'\n"
      "set xrange [-0.5:{}]\n"
      "set yrange [{}:-0.5]\n"
      "set xtics ({}) scale 0\n"
      "set ytics ({}) scale 0\n"
      "set cbrange [0:1]\n"
      "set cblabel 'attention probability'\n"
      "set palette defined (0 '#ffffff', 0.5 '#6baed6', 1 '#08306b')\n"
      "set size ratio -1\n",
      gnuplot_quoted(fmt::format("{} attention, layer {} head {} ({})", task_title(map.task),
                                 map.layer, map.head, map.tag)),
      tokens - 0.5, tokens - 0.5, xtics, ytics);
  if (map.output_tokens > 0 && first_read > 0)  // a line above the positions the head reads
    settings += fmt::format(
        "set arrow from -0.5,{0} to {1},{0} nohead front linecolor rgb '#d62728' linewidth 2\n",
        first_read - 0.5, tokens - 0.5);
  std::string plot = fmt::format("plot {} matrix with image notitle", gnuplot_quoted(data_file));
  // Small enough to print each probability in its cell: gray on light cells, white on dark ones.
  const std::vector<std::pair<std::string, std::string>> cell_labels = {
      {"$3 >= 0.005 && $3 < 0.6", "#444444"}, {"$3 >= 0.6", "#ffffff"}};
  if (tokens <= 16)
    for (const auto& [cells, color] : cell_labels)
      plot += fmt::format(
          ", \\\n     {} matrix using 1:2:({} ? sprintf('%.2f', $3) : '') with labels font ',8' "
          "textcolor rgb '{}' notitle",
          gnuplot_quoted(data_file), cells, color);
  return draw_twice(stem, "760,700", settings + plot + "\n");
}

FigureReport make_figures(const FigureOptions& options) {
  if (options.results_dir.empty() && options.attention_maps.empty())
    fail("fpt_figures: nothing to draw; give a results directory and/or --attention-map FILE");
  io::ensure_writable_directory(options.out_dir);
  FigureReport             report;
  std::string              script = "# fpt_figures: rerun with `gnuplot figures.gp` here\n\n";
  std::vector<std::string> stems;

  if (!options.results_dir.empty()) {
    const ResultsDirectory results = read_results_directory(options.results_dir);
    for (const std::string& failed : results.failed)
      report.left_out.push_back("failed experiment left out: " + failed);
    for (const std::string& unreadable : results.unreadable)
      report.left_out.push_back("unreadable result file skipped: " + unreadable);
    if (results.completed.empty())
      fail("{}: no completed experiment to draw ({} failed, {} unreadable)",
           options.results_dir.string(), results.failed.size(), results.unreadable.size());
    for (const TaskCurves& curves : learning_curves(results.completed)) {
      const std::string stem      = "curves_" + file_safe(curves.task);
      const std::string data_file = stem + ".tsv";
      const std::string commands  = learning_curve_script(curves, data_file, stem);
      if (commands.empty()) {
        report.left_out.push_back("task " + curves.task + ": no evaluation accuracy to draw");
        continue;
      }
      io::write_text_atomically(options.out_dir / data_file, curve_data_text(curves));
      script += commands;
      stems.push_back(stem);
    }
  }
  for (const std::filesystem::path& file : options.attention_maps) {
    const AttentionMap map       = read_attention_map(file);
    const std::string  stem      = "attention_" + file_safe(file.stem().string());
    const std::string  data_file = stem + ".tsv";
    write_attention_map(options.out_dir / data_file, map);  // beside the script that reads it
    script += attention_map_script(map, data_file, stem);
    stems.push_back(stem);
  }
  if (stems.empty()) fail("{}: nothing to draw", options.results_dir.string());

  io::write_text_atomically(options.out_dir / "figures.gp", script);
  for (const std::string& stem : stems)  // a stale figure must not pass for a new one
    for (const char* extension : {".png", ".svg"})
      std::filesystem::remove(options.out_dir / (stem + extension));
  run_gnuplot(options.gnuplot, options.out_dir, "figures.gp");
  for (const std::string& stem : stems) {
    for (const char* extension : {".png", ".svg"}) {
      const std::filesystem::path figure = options.out_dir / (stem + extension);
      std::error_code             error;
      if (!std::filesystem::is_regular_file(figure, error) ||
          std::filesystem::file_size(figure, error) == 0)
        fail("{}: gnuplot ran but did not write this figure; see {}", figure.string(),
             (options.out_dir / "gnuplot.log").string());
      report.figures.push_back(figure);
    }
  }
  return report;
}

}  // namespace fpt::results
