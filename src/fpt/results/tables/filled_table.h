// FilledTable: a TableDefinition filled from run results — per cell the runs aggregated over
// seeds, the published number, whether it is the column's best — plus, for a table the results
// cannot fill, which rows, columns and conditions no experiment meets. The renderers
// (render_table.h) only format what is here.
#pragma once

#include <string>
#include <vector>

#include "fpt/core/run_result.h"
#include "fpt/results/seed_statistics.h"
#include "fpt/results/tables/table_definition.h"

namespace fpt::results::tables {

struct FilledCell {
  SeedStatistics stats;                  // metric values of the cell's runs (percent or steps)
  double         published = kNoNumber;  // the paper's number
  bool           best      = false;  // best mean of its column, or row (TableDefinition::best_of)
  // Keys other than seed in which the cell's runs differ ("lr, steps"): they are different
  // experiments, not seeds, so the cell is shown as mixed and not averaged. "" when comparable.
  std::string mixed;

  bool   has_mean() const { return mixed.empty() && stats.n() > 0; }
  double delta() const;  // mean − published; NaN when either is missing
};

struct FilledTable {
  const TableDefinition*               definition = nullptr;
  double                               threshold  = 0.99;  // steps_to_converge fraction
  std::vector<std::vector<FilledCell>> cells;              // [row][column]
  std::vector<double>                  ratio;              // [row], when a ratio column is defined
  std::vector<double>                  published_ratio;    // [row]
  int                                  cells_with_runs = 0;
  // Why parts are empty: "no experiment has task=cifar10", "rows without results: ...".
  std::vector<std::string> missing;

  bool fillable() const { return cells_with_runs > 0; }
  // Whether the table compares anything: two cells with results among cells that compete (a
  // column's rows, or a row's columns for BestOf::row). One number alone is not a comparison.
  bool compares() const;
};

struct FillOptions {
  double convergence_threshold = 0.99;  // Metric::steps_to_converge: fraction of final accuracy
};

FilledTable fill_table(const TableDefinition&              definition,
                       const std::vector<core::RunResult>& results,
                       const FillOptions&                  options = {});

// "table 'sizes' (Model size, CIFAR-10) cannot be filled from <source>: ..." with the missing
// axes and values.
std::string unfillable_message(const FilledTable& table, const std::string& source);

// Digits after the point for the table's metric (accuracy 1, steps 0).
int metric_decimals(const TableDefinition& definition);

}  // namespace fpt::results::tables
