// Rendering a FilledTable: Markdown (terminal, README), LaTeX (booktabs, for a paper) and CSV
// (one line per cell, for scripts). Every format shows per cell our mean ± sample std over seeds
// with n, failures (never averaged in), the published number and Δ = ours − published, "—" where
// no experiment exists, and the best mean of each column in bold.
#pragma once

#include <string>

#include "fpt/results/tables/filled_table.h"

namespace fpt::results::tables {

enum class TableFormat { markdown, latex, csv };

TableFormat parse_table_format(const std::string& text);  // markdown | latex | csv; throws

struct MarkdownOptions {
  // Leave out the rows and columns where no experiment landed (and the "missing:" lines), with
  // one line naming them: the end of a sweep shows what it filled, `fpt_tables` the whole table.
  bool only_lines_with_results = false;
};

std::string render_markdown(const FilledTable& table, const MarkdownOptions& options = {});
std::string render_latex(const FilledTable& table);
// Header line included; `with_header` false to append a second table to the first one's lines.
std::string render_csv(const FilledTable& table, bool with_header = true);

std::string render_table(const FilledTable& table, TableFormat format, bool first = true);

// The pieces of one cell's text, shared by the formats.
struct CellText {
  std::string value;      // "95.0 ± 7.1" | "—" | "failed" | "unmeasured" | "mixed (lr, steps)"
  std::string count;      // "n=2" ("" without a mean)
  std::string notes;      // "failed 1/3" ("" when every run was averaged)
  std::string published;  // "38.4" ("" when the paper has none)
  std::string delta;      // "+6.6" ("" without a mean or a published number)
};
CellText cell_text(const FilledCell& cell, int decimals);

// "cells: ours mean ± sample std over seeds (n) / published (Δ = ours − published)" and, for
// convergence, what is counted.
std::string legend(const FilledTable& table);

}  // namespace fpt::results::tables
