#include "fpt/results/tables/filled_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "fpt/core/error.h"
#include "fpt/results/tables/convergence.h"
#include "fpt/results/tables/selector.h"

namespace fpt::results::tables {

namespace {

double metric_value(const TableDefinition& definition, const core::RunResult& result,
                    const FillOptions& options) {
  if (definition.metric == Metric::steps_to_converge)
    return steps_to_converge(result.curve, options.convergence_threshold);
  return result.headline_accuracy() * 100.0;
}

// Keys other than seed whose values differ among `runs`, comma-separated ("" when none).
std::string differing_keys(const std::vector<const core::RunResult*>& runs) {
  std::set<std::string> keys;
  for (const auto* run : runs)
    for (const auto& key : core::spec_keys())
      if (key.name != "seed" && core::get_spec_key(run->spec, key.name) !=
                                    core::get_spec_key(runs.front()->spec, key.name))
        keys.insert(key.name);
  std::string text;
  for (const auto& key : keys) text += (text.empty() ? "" : ", ") + key;
  return text;
}

bool any_matches(const std::vector<core::RunResult>& results, const Conditions& conditions) {
  return std::any_of(results.begin(), results.end(), [&](const core::RunResult& result) {
    return matches(result.spec, conditions);
  });
}

// Lines saying which conditions, rows and columns no experiment meets.
std::vector<std::string> find_missing(const TableDefinition&              definition,
                                      const std::vector<core::RunResult>& results) {
  std::vector<std::string> missing;
  for (const auto& condition : definition.every)
    if (!any_matches(results, {condition}))
      missing.push_back(fmt::format("no experiment has {}", describe({condition})));
  auto lines_without = [&](const std::vector<Line>& lines, const char* what) {
    std::string listed;
    for (const auto& line : lines)
      if (!any_matches(results, combine(definition.every, line.when)))
        listed +=
            fmt::format("{}{} ({})", listed.empty() ? "" : "; ", line.label, describe(line.when));
    if (!listed.empty()) missing.push_back(fmt::format("{} without results: {}", what, listed));
  };
  lines_without(definition.rows, "rows");
  lines_without(definition.columns, "columns");
  return missing;
}

// Bold for the best mean among the cells that compete (a column's rows, or a row's columns):
// highest accuracy, fewest steps; ties all bold; a lone number is not "best" of anything.
void mark_best_among(std::vector<FilledCell*> cells, bool lower_is_better) {
  int    candidates = 0;
  double best       = 0.0;
  for (const FilledCell* cell : cells) {
    if (!cell->has_mean()) continue;
    const double mean = cell->stats.mean();
    if (candidates++ == 0 || (lower_is_better ? mean < best : mean > best)) best = mean;
  }
  if (candidates < 2) return;
  for (FilledCell* cell : cells)
    if (cell->has_mean() && cell->stats.mean() == best) cell->best = true;
}

void mark_best(const TableDefinition& definition, std::vector<std::vector<FilledCell>>& cells) {
  const bool lower_is_better = definition.metric == Metric::steps_to_converge;
  if (definition.best_of == BestOf::row) {
    for (auto& row : cells) {
      std::vector<FilledCell*> competing;
      for (auto& cell : row) competing.push_back(&cell);
      mark_best_among(competing, lower_is_better);
    }
    return;
  }
  for (size_t column = 0; column < definition.columns.size(); ++column) {
    std::vector<FilledCell*> competing;
    for (auto& row : cells) competing.push_back(&row[column]);
    mark_best_among(competing, lower_is_better);
  }
}

}  // namespace

bool FilledTable::compares() const {
  const bool   by_row = definition->best_of == BestOf::row;
  const size_t outer  = by_row ? cells.size() : (cells.empty() ? 0 : cells.front().size());
  const size_t inner  = by_row ? (cells.empty() ? 0 : cells.front().size()) : cells.size();
  for (size_t a = 0; a < outer; ++a) {
    int with_results = 0;
    for (size_t b = 0; b < inner; ++b) {
      const FilledCell& cell = by_row ? cells[a][b] : cells[b][a];
      with_results += cell.stats.runs > 0;
    }
    if (with_results >= 2) return true;
  }
  return false;
}

double FilledCell::delta() const {
  if (!has_mean() || std::isnan(published)) return kNoNumber;
  return stats.mean() - published;
}

int metric_decimals(const TableDefinition& definition) {
  return definition.metric == Metric::steps_to_converge ? 0 : 1;
}

FilledTable fill_table(const TableDefinition&              definition,
                       const std::vector<core::RunResult>& results, const FillOptions& options) {
  FilledTable table;
  table.definition = &definition;
  table.threshold  = options.convergence_threshold;
  table.cells.assign(definition.rows.size(), std::vector<FilledCell>(definition.columns.size()));
  for (size_t row = 0; row < definition.rows.size(); ++row) {
    for (size_t column = 0; column < definition.columns.size(); ++column) {
      const Conditions when = combine(combine(definition.every, definition.rows[row].when),
                                      definition.columns[column].when);
      FilledCell&      cell = table.cells[row][column];
      if (row < definition.published.size() && column < definition.published[row].size())
        cell.published = definition.published[row][column];
      std::vector<const core::RunResult*> runs;
      for (const auto& result : results)
        if (matches(result.spec, when)) runs.push_back(&result);
      runs = preferred_runs(std::move(runs), when);  // a stand-in only where the real one is not
      if (runs.empty()) continue;
      ++table.cells_with_runs;
      cell.mixed = differing_keys(runs);
      for (const auto* run : runs)
        cell.stats.add(run->completed(), metric_value(definition, *run, options));
    }
  }
  mark_best(definition, table.cells);
  if (definition.ratio.of >= 0) {
    for (size_t row = 0; row < definition.rows.size(); ++row) {
      const FilledCell& of = table.cells[row][definition.ratio.of];
      const FilledCell& to = table.cells[row][definition.ratio.to];
      table.ratio.push_back(of.has_mean() && to.has_mean() && to.stats.mean() > 0
                                ? of.stats.mean() / to.stats.mean()
                                : kNoNumber);
      table.published_ratio.push_back(of.published / to.published);
    }
  }
  table.missing = find_missing(definition, results);
  if (!table.fillable() && table.missing.empty())
    table.missing.push_back("no experiment meets both a row's and a column's conditions");
  return table;
}

std::string unfillable_message(const FilledTable& table, const std::string& source) {
  std::string text =
      fmt::format("table '{}' ({}) cannot be filled from {}:", table.definition->name,
                  table.definition->title, source);
  for (const auto& line : table.missing) text += "\n  " + line;
  return text;
}

}  // namespace fpt::results::tables
