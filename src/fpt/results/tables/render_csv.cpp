// CSV rendering of a filled table (render_table.h): one line per cell (and per ratio), numbers in
// full precision, empty fields where there is no number.
#include <fmt/format.h>

#include <cmath>

#include "fpt/results/tables/render_table.h"

namespace fpt::results::tables {

namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double value) {
  return std::isnan(value) ? "" : fmt::format("{}", value);
}

std::string cell_status(const FilledCell& cell) {
  if (!cell.mixed.empty()) return "mixed: " + cell.mixed;
  if (cell.stats.runs == 0) return "empty";
  if (cell.stats.n() == 0) return cell.stats.failed > 0 ? "failed" : "unmeasured";
  return "ok";
}

}  // namespace

std::string render_csv(const FilledTable& table, bool with_header) {
  const TableDefinition& definition = *table.definition;
  std::string            out;
  if (with_header)
    out = "table,row,column,mean,std,n,failed,unmeasured,runs,published,delta,best,status\n";
  for (size_t row = 0; row < definition.rows.size(); ++row) {
    for (size_t column = 0; column < definition.columns.size(); ++column) {
      const FilledCell& cell   = table.cells[row][column];
      const bool        usable = cell.has_mean();
      out += fmt::format(
          "{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(definition.name),
          csv_field(definition.rows[row].label), csv_field(definition.columns[column].label),
          usable ? number(cell.stats.mean()) : "", usable ? number(cell.stats.sample_std()) : "",
          cell.stats.n(), cell.stats.failed, cell.stats.unmeasured, cell.stats.runs,
          number(cell.published), number(cell.delta()), cell.best ? 1 : 0,
          csv_field(cell_status(cell)));
    }
    if (definition.ratio.of >= 0)
      out += fmt::format("{},{},{},{},,,,,,{},,0,{}\n", csv_field(definition.name),
                         csv_field(definition.rows[row].label), csv_field(definition.ratio.label),
                         number(table.ratio[row]), number(table.published_ratio[row]),
                         std::isnan(table.ratio[row]) ? "empty" : "ok");
  }
  return out;
}

}  // namespace fpt::results::tables
