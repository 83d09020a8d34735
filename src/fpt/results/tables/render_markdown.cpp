// Markdown rendering of a filled table (render_table.h).
#include <fmt/format.h>

#include <cmath>

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

std::string render_markdown(const FilledTable& table) {
  const TableDefinition& definition = *table.definition;
  const int              decimals   = metric_decimals(definition);
  const bool             has_ratio  = definition.ratio.of >= 0;
  std::string            out =
      fmt::format("### {}: {}\n\n{}\n\n|  |", definition.name, definition.title, legend(table));
  std::string rule = "|---|";
  for (const auto& column : definition.columns) {
    out += " " + escape_markdown_pipes(column.label) + " |";
    rule += "---|";
  }
  if (has_ratio) {
    out += " " + escape_markdown_pipes(definition.ratio.label) + " |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (size_t row = 0; row < definition.rows.size(); ++row) {
    out += "| " + escape_markdown_pipes(definition.rows[row].label) + " |";
    for (const auto& cell : table.cells[row]) out += " " + markdown_cell(cell, decimals) + " |";
    if (has_ratio) out += " " + ratio_cell(table.ratio[row], table.published_ratio[row]) + " |";
    out += "\n";
  }
  if (!table.missing.empty()) {
    out += "\n";
    for (const auto& line : table.missing) out += "missing: " + line + "\n";
  }
  for (const auto& note : definition.notes) out += "\nnote: " + note + "\n";
  return out;
}

}  // namespace fpt::results::tables
