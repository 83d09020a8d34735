// SeedStatistics: one table cell's runs aggregated over seeds — the measured values of completed
// runs (mean, sample standard deviation) and the runs that failed or measured nothing, which are
// counted and shown but never averaged in. Shared by the end-of-sweep summary and fpt_tables.
#pragma once

#include <string>
#include <vector>

namespace fpt::results {

struct SeedStatistics {
  std::vector<double> values;          // completed runs with a measured value
  int                 failed     = 0;  // runs whose status is not "completed"
  int                 unmeasured = 0;  // completed runs whose value is NaN
  int                 runs       = 0;  // everything that landed in the cell

  // Counts one run: `completed` false -> failed; a NaN value -> unmeasured; else a value.
  void add(bool completed, double value);

  size_t n() const { return values.size(); }
  double mean() const;        // NaN when n() == 0
  double sample_std() const;  // divides by n - 1; NaN when n() < 2
};

// "95.0 ± 7.1", "99.8" (one run) with `decimals` digits; "" when no value was measured.
std::string format_mean_plus_minus_std(const SeedStatistics& cell, int decimals = 1);

// "95.0 ± 7.1 (n=2)", "99.8 (n=1)" with `decimals` digits; "" when no value was measured.
std::string format_mean_std(const SeedStatistics& cell, int decimals = 1);

// format_mean_std plus what was not averaged: "99.8 (n=1), failed 1/2", "failed", "unmeasured",
// "—" for an empty cell.
std::string format_seed_cell(const SeedStatistics& cell, int decimals = 1);

// The notes alone: "failed 1/2, unmeasured 1/2" ("" when every run was measured).
std::string format_not_averaged(const SeedStatistics& cell);

// Markdown cells must not end early at a '|' inside the text.
std::string escape_markdown_pipes(const std::string& text);

}  // namespace fpt::results
