// TableDefinition: how one of the paper's tables maps onto experiment specs — which experiments
// land in each (row, column) cell, and the published number beside each cell. Tables are data:
// the list lives in paper_tables.cpp, and a new table is a few lines there.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace fpt::results::tables {

inline constexpr double kNoNumber = std::numeric_limits<double>::quiet_NaN();

// key = pattern conditions on a spec, all of which must hold (matching rules: selector.h).
using Conditions = std::vector<std::pair<std::string, std::string>>;

// What a cell aggregates over seeds.
enum class Metric {
  accuracy,           // headline accuracy, percent
  steps_to_converge,  // steps until eval accuracy first reaches threshold × its final value
};

// Which cells compete for bold: the rows of a column (the usual: inits or models compared on one
// task), or the columns of a row (convergence: FPT vs Random steps on one task).
enum class BestOf { column, row };

// A row or a column: its label and the conditions its experiments meet.
struct Line {
  std::string label;
  Conditions  when;
};

// An extra column computed per row from two others (convergence: Random steps / FPT steps); the
// published value is the same ratio of the published numbers. Off when `of` < 0.
struct RatioColumn {
  std::string label;
  int         of = -1;  // numerator column
  int         to = -1;  // denominator column
};

struct TableDefinition {
  std::string       name;   // fpt_tables --table NAME
  std::string       title;  // caption
  Metric            metric = Metric::accuracy;
  Conditions        every;  // conditions every cell adds to its row's and column's
  std::vector<Line> rows;
  std::vector<Line> columns;
  // published[row][column]: the paper's number (fpt_spec.md §4); kNoNumber where it has none
  std::vector<std::vector<double>> published;
  std::vector<std::string>         notes;  // printed under the table
  RatioColumn                      ratio;
  BestOf                           best_of = BestOf::column;
  // The sweep file (sweeps/<sweep>.yaml) written to fill this table: at the end of that sweep
  // fpt_sweep prints this table in full, and only names the others it partly fills.
  std::string sweep;

  TableDefinition() = default;
  TableDefinition(std::string name, std::string title, Metric metric, Conditions every,
                  std::vector<Line> rows, std::vector<Line> columns,
                  std::vector<std::vector<double>> published, std::vector<std::string> notes = {},
                  RatioColumn ratio = {}, BestOf best_of = BestOf::column)
      : name(std::move(name)),
        title(std::move(title)),
        metric(metric),
        every(std::move(every)),
        rows(std::move(rows)),
        columns(std::move(columns)),
        published(std::move(published)),
        notes(std::move(notes)),
        ratio(std::move(ratio)),
        best_of(best_of) {}
};

}  // namespace fpt::results::tables
