#include "fpt/results/summary_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "fpt/core/names.h"

namespace fpt::results {

namespace {

// body, init, trains, and the tag's extra-axis suffix (see row_suffix)
using RowKey = std::tuple<std::string, std::string, std::string, std::string>;

// A sweep with more axes than body/init/trains/task/seed (lr, n_layer, ...) tags its experiments
// "<default tag>_lr0.0001"; that suffix keeps such variants in rows of their own instead of
// averaging them together as if they were seeds.
std::string row_suffix(const core::RunResult& result) {
  const std::string base = core::default_tag(result.spec);
  if (result.tag.size() <= base.size() || result.tag.compare(0, base.size(), base) != 0) return "";
  return result.tag.substr(base.size() + (result.tag[base.size()] == '_' ? 1 : 0));
}

struct Cell {
  std::vector<double> accuracies;  // percent, completed runs with a measured accuracy
  int                 failed     = 0;
  int                 unmeasured = 0;
  int                 runs       = 0;
};

// Table text must not end a cell early.
std::string escape_pipes(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string format_cell(const Cell& cell) {
  if (cell.runs == 0) return "—";
  if (cell.accuracies.empty() && cell.failed == cell.runs) return "failed";
  if (cell.accuracies.empty() && cell.unmeasured == cell.runs) return "unmeasured";
  std::string text;
  if (!cell.accuracies.empty()) {
    const double n   = static_cast<double>(cell.accuracies.size());
    double       sum = 0.0;
    for (double value : cell.accuracies) sum += value;
    const double mean = sum / n;
    if (cell.accuracies.size() == 1) {
      text = fmt::format("{:.1f} (n=1)", mean);
    } else {
      double squares = 0.0;
      for (double value : cell.accuracies) squares += (value - mean) * (value - mean);
      const double deviation = std::sqrt(squares / (n - 1.0));  // sample std: n - 1
      text = fmt::format("{:.1f} ± {:.1f} (n={})", mean, deviation, cell.accuracies.size());
    }
  }
  auto append = [&](const std::string& note) { text += (text.empty() ? "" : ", ") + note; };
  if (cell.failed > 0) append(fmt::format("failed {}/{}", cell.failed, cell.runs));
  if (cell.unmeasured > 0) append(fmt::format("unmeasured {}/{}", cell.unmeasured, cell.runs));
  return text;
}

}  // namespace

std::string markdown_summary_table(const std::vector<core::RunResult>& results) {
  std::vector<RowKey>                            rows;
  std::vector<std::string>                       tasks;
  std::map<std::pair<RowKey, std::string>, Cell> cells;
  for (const auto& result : results) {
    const RowKey row{result.spec.body, result.spec.init, result.spec.trains, row_suffix(result)};
    if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
    if (std::find(tasks.begin(), tasks.end(), result.spec.task) == tasks.end())
      tasks.push_back(result.spec.task);
    Cell& cell = cells[{row, result.spec.task}];
    ++cell.runs;
    if (!result.completed()) {
      ++cell.failed;
    } else if (std::isnan(result.headline_accuracy())) {
      ++cell.unmeasured;
    } else {
      cell.accuracies.push_back(result.headline_accuracy() * 100.0);
    }
  }

  // Columns in the paper's order (Memory, XOR, ListOps, ...); names fpt does not know go last.
  const auto& official = core::known_tasks();
  auto        rank_of  = [&](const std::string& task) {
    return std::find(official.begin(), official.end(), task) - official.begin();
  };
  std::stable_sort(tasks.begin(), tasks.end(), [&](const std::string& a, const std::string& b) {
    return rank_of(a) < rank_of(b);
  });

  std::string table     = "| body / init / trains |";
  std::string separator = "|---|";
  for (const auto& task : tasks) {
    table += " " + escape_pipes(task) + " |";
    separator += "---|";
  }
  table += "\n" + separator + "\n";
  for (const auto& row : rows) {
    const auto& [body, init, trains, suffix] = row;
    const std::string label =
        body + " / " + init + " / " + trains + (suffix.empty() ? "" : " " + suffix);
    table += "| " + escape_pipes(label) + " |";
    for (const auto& task : tasks) {
      const auto found = cells.find({row, task});
      table += " " + format_cell(found == cells.end() ? Cell{} : found->second) + " |";
    }
    table += "\n";
  }
  return table;
}

}  // namespace fpt::results
