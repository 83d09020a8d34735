#include "fpt/results/summary_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "fpt/core/names.h"
#include "fpt/results/seed_statistics.h"

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

}  // namespace

std::string markdown_summary_table(const std::vector<core::RunResult>& results) {
  std::vector<RowKey>                                      rows;
  std::vector<std::string>                                 tasks;
  std::map<std::pair<RowKey, std::string>, SeedStatistics> cells;
  for (const auto& result : results) {
    const RowKey row{result.spec.body, result.spec.init, result.spec.trains, row_suffix(result)};
    if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
    if (std::find(tasks.begin(), tasks.end(), result.spec.task) == tasks.end())
      tasks.push_back(result.spec.task);
    cells[{row, result.spec.task}].add(result.completed(), result.headline_accuracy() * 100.0);
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
    table += " " + escape_markdown_pipes(task) + " |";
    separator += "---|";
  }
  table += "\n" + separator + "\n";
  for (const auto& row : rows) {
    const auto& [body, init, trains, suffix] = row;
    const std::string label =
        body + " / " + init + " / " + trains + (suffix.empty() ? "" : " " + suffix);
    table += "| " + escape_markdown_pipes(label) + " |";
    for (const auto& task : tasks) {
      const auto found = cells.find({row, task});
      table +=
          " " + format_seed_cell(found == cells.end() ? SeedStatistics{} : found->second) + " |";
    }
    table += "\n";
  }
  return table;
}

}  // namespace fpt::results
