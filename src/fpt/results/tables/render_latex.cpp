// LaTeX (booktabs) rendering of a filled table (render_table.h). Needs \usepackage{booktabs},
// and \usepackage{graphicx} for tables of more than four columns, which are scaled to the line
// width (the paper's seven task columns do not fit a page otherwise).
#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "fpt/results/tables/render_table.h"

namespace fpt::results::tables {

namespace {

// Text as LaTeX: special characters escaped, the few non-ASCII symbols fpt prints as math.
std::string latex_escape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (text.compare(i, 2, "±") == 0) {
      out += "$\\pm$", i += 1;
    } else if (text.compare(i, 2, "×") == 0) {
      out += "$\\times$", i += 1;
    } else if (text.compare(i, 2, "Δ") == 0) {
      out += "$\\Delta$", i += 1;
    } else if (text.compare(i, 3, "—") == 0) {
      out += "---", i += 2;
    } else if (text.compare(i, 3, "−") == 0) {
      out += "$-$", i += 2;
    } else if (c == '\\') {
      out += "\\textbackslash{}";
    } else if (c == '~' || c == '^') {
      out += std::string("\\") + c + "{}";
    } else if (c == '&' || c == '%' || c == '$' || c == '#' || c == '_' || c == '{' || c == '}') {
      out += std::string("\\") + c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string latex_cell(const FilledCell& cell, int decimals) {
  const CellText text = cell_text(cell, decimals);
  std::string    out  = latex_escape(text.value);
  if (cell.best) out = "\\textbf{" + out + "}";
  std::string extra = text.count.empty() ? "" : "$n$=" + text.count.substr(2);
  if (!text.notes.empty()) extra += (extra.empty() ? "" : ", ") + latex_escape(text.notes);
  if (!extra.empty()) out += " {\\scriptsize(" + extra + ")}";
  if (text.published.empty()) return out;
  // Ours above, the published number and the difference below in small type: one column stays
  // narrow enough for seven of them on a page.
  std::string published = "/ " + text.published;
  if (!text.delta.empty()) published += " ($" + text.delta + "$)";
  return "\\begin{tabular}[c]{@{}c@{}}" + out + "\\\\{\\scriptsize " + published +
         "}\\end{tabular}";
}

// Tables wider than this many columns (besides the row labels) are scaled to the line width.
constexpr size_t kColumnsWithoutScaling = 4;

}  // namespace

std::string render_latex(const FilledTable& table) {
  const TableDefinition& definition = *table.definition;
  const int              decimals   = metric_decimals(definition);
  const bool             has_ratio  = definition.ratio.of >= 0;
  const size_t           columns    = definition.columns.size() + (has_ratio ? 1 : 0);
  std::string            out =
      fmt::format("% fpt_tables: {}\n\\begin{{table}}[t]\n  \\centering\n", definition.name);
  // LaTeX numbers the table itself: "Table 2: pretraining modality" is captioned without "Table 2:
  // ".
  std::string caption = definition.title;
  if (caption.rfind("Table ", 0) == 0 && caption.find(": ") != std::string::npos &&
      caption.find(": ") < 10)
    caption = caption.substr(caption.find(": ") + 2);
  if (!caption.empty())
    caption[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(caption[0])));
  out +=
      fmt::format("  \\caption{{{}. {}.}}\n", latex_escape(caption), latex_escape(legend(table)));
  out += fmt::format("  \\label{{tab:fpt-{}}}\n", definition.name);
  const bool scaled = columns > kColumnsWithoutScaling;
  if (scaled) out += "  \\resizebox{\\linewidth}{!}{%\n";
  out += fmt::format("  \\begin{{tabular}}{{l{}}}\n    \\toprule\n   ", std::string(columns, 'c'));
  for (const auto& column : definition.columns) out += " & " + latex_escape(column.label);
  if (has_ratio) out += " & " + latex_escape(definition.ratio.label);
  out += " \\\\\n    \\midrule\n";
  for (size_t row = 0; row < definition.rows.size(); ++row) {
    out += "    " + latex_escape(definition.rows[row].label);
    for (const auto& cell : table.cells[row]) out += " & " + latex_cell(cell, decimals);
    if (has_ratio) {
      const double ours = table.ratio[row], paper = table.published_ratio[row];
      out += " & " + (std::isnan(ours) ? std::string("---") : fmt::format("{:.1f}$\\times$", ours));
      if (!std::isnan(paper)) out += fmt::format(" / {:.1f}$\\times$", paper);
    }
    out += " \\\\\n";
  }
  out += "    \\bottomrule\n  \\end{tabular}";
  out += scaled ? "}\n" : "\n";
  out += "\\end{table}\n";
  for (const auto& line : table.missing) out += "% missing: " + line + "\n";
  for (const auto& note : definition.notes) out += "% note: " + note + "\n";
  return out;
}

}  // namespace fpt::results::tables
