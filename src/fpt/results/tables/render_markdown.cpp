// Markdown rendering of a filled table (render_table.h).
#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "fpt/results/tables/render_table.h"

namespace fpt::results::tables {

namespace {

std::string markdown_cell(const FilledCell& cell, int decimals) {
  const CellText text  = cell_text(cell, decimals);
  std::string    out   = cell.best ? "**" + text.value + "**" : text.value;
  std::string    extra = text.count;
  if (!text.notes.empty()) extra += (extra.empty() ? "" : ", ") + text.notes;
  if (!extra.empty()) out += " (" + extra + ")";
  if (!text.published.empty()) {
    out += " / " + text.published;
    if (!text.delta.empty()) out += " (Δ " + text.delta + ")";
  }
  return escape_markdown_pipes(out);
}

std::string ratio_cell(double ours, double published) {
  const std::string mine  = std::isnan(ours) ? "—" : fmt::format("{:.1f}×", ours);
  const std::string paper = std::isnan(published) ? "" : fmt::format(" / {:.1f}×", published);
  return mine + paper;
}

}  // namespace

std::string render_markdown(const FilledTable& table, const MarkdownOptions& options) {
  const TableDefinition& definition = *table.definition;
  const int              decimals   = metric_decimals(definition);
  const size_t           rows       = definition.rows.size();
  const size_t           columns    = definition.columns.size();
  // Which rows and columns are shown: all, or those with a run in some cell.
  std::vector<bool> show_row(rows, !options.only_lines_with_results);
  std::vector<bool> show_column(columns, !options.only_lines_with_results);
  for (size_t row = 0; row < rows; ++row)
    for (size_t column = 0; column < columns; ++column)
      if (table.cells[row][column].stats.runs > 0) show_row[row] = show_column[column] = true;
  bool has_ratio = definition.ratio.of >= 0;
  if (has_ratio && options.only_lines_with_results)
    has_ratio = show_column[definition.ratio.of] && show_column[definition.ratio.to];

  std::string out =
      fmt::format("### {}: {}\n\n{}\n\n|  |", definition.name, definition.title, legend(table));
  std::string rule = "|---|";
  for (size_t column = 0; column < columns; ++column) {
    if (!show_column[column]) continue;
    out += " " + escape_markdown_pipes(definition.columns[column].label) + " |";
    rule += "---|";
  }
  if (has_ratio) {
    out += " " + escape_markdown_pipes(definition.ratio.label) + " |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (size_t row = 0; row < rows; ++row) {
    if (!show_row[row]) continue;
    out += "| " + escape_markdown_pipes(definition.rows[row].label) + " |";
    for (size_t column = 0; column < columns; ++column)
      if (show_column[column])
        out += " " + markdown_cell(table.cells[row][column], decimals) + " |";
    if (has_ratio) out += " " + ratio_cell(table.ratio[row], table.published_ratio[row]) + " |";
    out += "\n";
  }
  if (options.only_lines_with_results) {
    auto hidden = [](const std::vector<Line>& lines, const std::vector<bool>& shown) {
      std::string names;
      for (size_t i = 0; i < lines.size(); ++i)
        if (!shown[i]) names += (names.empty() ? "" : ", ") + lines[i].label;
      return names;
    };
    const std::string hidden_rows    = hidden(definition.rows, show_row);
    const std::string hidden_columns = hidden(definition.columns, show_column);
    if (!hidden_rows.empty() || !hidden_columns.empty())
      out += fmt::format("\nnot run here, so not shown: {}{}{}\n",
                         hidden_rows.empty() ? "" : "rows " + hidden_rows,
                         hidden_rows.empty() || hidden_columns.empty() ? "" : "; ",
                         hidden_columns.empty() ? "" : "columns " + hidden_columns);
  } else if (!table.missing.empty()) {
    out += "\n";
    for (const auto& line : table.missing) out += "missing: " + line + "\n";
  }
  for (const auto& note : definition.notes) out += "\nnote: " + note + "\n";
  return out;
}

}  // namespace fpt::results::tables
