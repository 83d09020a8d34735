#include "fpt/sweep/plan_ids.h"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"

namespace fpt::sweep {
namespace {

namespace fs = std::filesystem;

bool looks_like_id(const std::string& text) {
  return text.size() == 16 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

size_t count_missing(const std::set<std::string>& from, const std::set<std::string>& in) {
  return size_t(std::count_if(from.begin(), from.end(),
                              [&](const std::string& id) { return !in.count(id); }));
}

}  // namespace

fs::path plan_ids_file(const fs::path& output_dir) {
  return output_dir / "plan_ids.txt";
}

std::set<std::string> plan_ids(const SweepPlan& plan) {
  std::set<std::string> ids;
  for (const PlannedExperiment& experiment : plan.experiments) ids.insert(experiment.id);
  return ids;
}

std::optional<std::set<std::string>> read_plan_ids(const fs::path& output_dir) {
  const fs::path  path = plan_ids_file(output_dir);
  std::error_code error;
  if (!fs::exists(path, error)) return std::nullopt;
  std::ifstream in(path);
  if (!in) fail("{}: cannot read the list of this directory's experiment ids", path.string());
  std::set<std::string> ids;
  std::string           line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    if (!looks_like_id(line))
      fail(
          "{}:{}: '{}' is not an experiment id (16 hex digits); fpt_sweep writes this file: "
          "delete it and the next run records its grid again",
          path.string(), number, line);
    ids.insert(line);
  }
  return ids;
}

void write_plan_ids(const fs::path& output_dir, const std::set<std::string>& ids) {
  std::string text;
  for (const std::string& id : ids) text += id + "\n";
  io::write_text_atomically(plan_ids_file(output_dir), text);
}

std::string grid_change_error(const fs::path& output_dir, const std::set<std::string>& grid) {
  const std::optional<std::set<std::string>> recorded = read_plan_ids(output_dir);
  if (!recorded || *recorded == grid) return "";
  const size_t added   = count_missing(grid, *recorded);
  const size_t dropped = count_missing(*recorded, grid);
  return fmt::format(
      "{} holds the results of a different grid ({}): {} of this grid's {} experiment ids are "
      "not in it and {} of its {} are not in this grid (was the sweep file or a --set changed?). "
      "Run into a new directory with --output DIR, or pass --force to run this grid into {} "
      "anyway",
      output_dir.string(), plan_ids_file(output_dir).filename().string(), added, grid.size(),
      dropped, recorded->size(), output_dir.string());
}

}  // namespace fpt::sweep
