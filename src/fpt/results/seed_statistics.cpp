#include "fpt/results/seed_statistics.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace fpt::results {

void SeedStatistics::add(bool completed, double value) {
  ++runs;
  if (!completed)
    ++failed;
  else if (std::isnan(value))
    ++unmeasured;
  else
    values.push_back(value);
}

double SeedStatistics::mean() const {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  for (double value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

double SeedStatistics::sample_std() const {
  if (values.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const double average = mean();
  double       squares = 0.0;
  for (double value : values) squares += (value - average) * (value - average);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));  // sample std: n - 1
}

std::string format_mean_plus_minus_std(const SeedStatistics& cell, int decimals) {
  if (cell.values.empty()) return "";
  if (cell.values.size() == 1) return fmt::format("{:.{}f}", cell.mean(), decimals);
  return fmt::format("{:.{}f} ± {:.{}f}", cell.mean(), decimals, cell.sample_std(), decimals);
}

std::string format_mean_std(const SeedStatistics& cell, int decimals) {
  if (cell.values.empty()) return "";
  return fmt::format("{} (n={})", format_mean_plus_minus_std(cell, decimals), cell.values.size());
}

std::string format_not_averaged(const SeedStatistics& cell) {
  std::string text;
  auto        append = [&](const std::string& note) { text += (text.empty() ? "" : ", ") + note; };
  if (cell.failed > 0) append(fmt::format("failed {}/{}", cell.failed, cell.runs));
  if (cell.unmeasured > 0) append(fmt::format("unmeasured {}/{}", cell.unmeasured, cell.runs));
  return text;
}

std::string format_seed_cell(const SeedStatistics& cell, int decimals) {
  if (cell.runs == 0) return "—";
  if (cell.values.empty() && cell.failed == cell.runs) return "failed";
  if (cell.values.empty() && cell.unmeasured == cell.runs) return "unmeasured";
  std::string       text  = format_mean_std(cell, decimals);
  const std::string notes = format_not_averaged(cell);
  if (!notes.empty()) text += (text.empty() ? "" : ", ") + notes;
  return text;
}

std::string escape_markdown_pipes(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace fpt::results
