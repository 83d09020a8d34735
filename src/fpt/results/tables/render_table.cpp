#include "fpt/results/tables/render_table.h"

#include <fmt/format.h>

#include <cmath>

#include "fpt/core/error.h"

namespace fpt::results::tables {

TableFormat parse_table_format(const std::string& text) {
  if (text == "markdown" || text == "md") return TableFormat::markdown;
  if (text == "latex" || text == "tex") return TableFormat::latex;
  if (text == "csv") return TableFormat::csv;
  fail("--format: '{}' is not one of markdown, latex, csv", text);
}

CellText cell_text(const FilledCell& cell, int decimals) {
  CellText text;
  if (!cell.mixed.empty()) {
    text.value = "mixed (" + cell.mixed + ")";
  } else if (cell.stats.n() > 0) {
    text.value = format_mean_plus_minus_std(cell.stats, decimals);
    text.count = fmt::format("n={}", cell.stats.n());
    text.notes = format_not_averaged(cell.stats);
  } else {
    // "—", "failed" or "unmeasured" (with how many runs), or both kinds of failure counted
    text.value = format_seed_cell(cell.stats, decimals);
    if (text.value == "failed" || text.value == "unmeasured")
      text.notes = fmt::format("{} run{}", cell.stats.runs, cell.stats.runs == 1 ? "" : "s");
  }
  if (!std::isnan(cell.published))
    text.published = fmt::format("{:.{}f}", cell.published, decimals);
  if (!std::isnan(cell.delta())) text.delta = fmt::format("{:+.{}f}", cell.delta(), decimals);
  return text;
}

std::string legend(const FilledTable& table) {
  std::string what = "accuracy %";
  if (table.definition->metric == Metric::steps_to_converge)
    what = fmt::format("steps until the eval accuracy first reaches {:g}% of its final value",
                       table.threshold * 100.0);
  return fmt::format(
      "cells: {}, ours mean ± sample std over seeds (n) / published (Δ = ours − published); "
      "best mean per {} in bold; — no experiment",
      what, table.definition->best_of == BestOf::row ? "row" : "column");
}

std::string render_table(const FilledTable& table, TableFormat format, bool first) {
  switch (format) {
    case TableFormat::markdown:
      return render_markdown(table);
    case TableFormat::latex:
      return render_latex(table);
    case TableFormat::csv:
      return render_csv(table, first);
  }
  return "";
}

}  // namespace fpt::results::tables
