#include "fpt/results/figures/learning_curves.h"

#include "fpt/results/collection.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"
#include "fpt/core/names.h"
#include "fpt/results/run_file.h"

namespace fpt::results {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The spec of a run without its seed and task: runs with the same one form a line.
nlohmann::json configuration(const core::RunResult& run) {
  nlohmann::json spec = core::spec_to_json(run.spec);
  spec.erase("seed");
  spec.erase("task");
  return spec;
}

std::string value_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// Labels for the lines of one task: the keys whose values differ between them.
std::vector<std::string> line_labels(const std::vector<nlohmann::json>& configurations) {
  std::vector<std::string> differing;
  for (const core::SpecKey& key : core::spec_keys()) {
    if (key.name == "seed" || key.name == "task") continue;
    for (const nlohmann::json& other : configurations)
      if (other.at(key.name) != configurations.front().at(key.name)) {
        differing.push_back(key.name);
        break;
      }
  }
  if (differing.empty()) differing = {"body", "init", "trains"};
  std::vector<std::string> labels;
  for (const nlohmann::json& configuration : configurations) {
    std::vector<std::string> parts;
    for (const std::string& key : differing) {
      const std::string value = value_text(configuration.at(key));
      parts.push_back(key == "body" || key == "init" || key == "trains" ? value
                                                                        : key + "=" + value);
    }
    labels.push_back(fmt::format("{}", fmt::join(parts, " ")));
  }
  return labels;
}

CurveStatistic statistic(int64_t step, const std::vector<double>& values) {
  CurveStatistic point;
  point.step = step;
  point.runs = static_cast<int64_t>(values.size());
  double sum = 0;
  for (double value : values) sum += value;
  point.mean     = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double value : values) squares += (value - point.mean) * (value - point.mean);
  point.std = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
  point.min = *std::min_element(values.begin(), values.end());
  point.max = *std::max_element(values.begin(), values.end());
  return point;
}

size_t task_order(const std::string& task) {
  const std::vector<std::string>& tasks = core::known_tasks();
  return static_cast<size_t>(std::find(tasks.begin(), tasks.end(), task) - tasks.begin());
}

}  // namespace

ResultsDirectory read_results_directory(const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error))
    fail("{}: not a results directory (run `fpt_sweep` first; results go to results/<sweep>)",
         directory.string());
  // The same reading as the tables (collection.h); figures draw whatever sweep the files are from.
  CollectOptions options;
  options.foreign             = ForeignFiles::include;
  const Collection collection = collect_run_files(directory, options);
  if (collection.results.empty() && collection.corrupted.empty())
    fail("{}: holds no result files (<id>.h5); has its sweep run yet?", directory.string());
  ResultsDirectory results;
  for (const core::RunResult& run : collection.results) {
    if (run.completed())
      results.completed.push_back(run);
    else
      results.failed.push_back(run.tag + ": " + run.error);
  }
  for (const SkippedFile& file : collection.corrupted) results.unreadable.push_back(file.reason);
  return results;
}

std::vector<TaskCurves> learning_curves(const std::vector<core::RunResult>& runs) {
  // task -> configuration (its JSON text) -> the runs of that line
  std::map<std::string, std::map<std::string, std::vector<const core::RunResult*>>> grouped;
  for (const core::RunResult& run : runs) {
    if (ends_with(run.tag, "_bit-pretraining")) continue;
    grouped[run.spec.task][configuration(run).dump()].push_back(&run);
  }
  std::vector<TaskCurves> tasks;
  for (const auto& [task, lines] : grouped) {
    TaskCurves                  curves{task, {}};
    std::vector<nlohmann::json> configurations;
    for (const auto& [text, members] : lines) configurations.push_back(nlohmann::json::parse(text));
    const std::vector<std::string> labels = line_labels(configurations);
    size_t                         index  = 0;
    for (const auto& [text, members] : lines) {
      CurveLine line;
      line.label = labels[index++];
      std::map<int64_t, std::vector<double>> by_step;
      for (const core::RunResult* run : members) {
        line.tags.push_back(run->tag);
        for (const core::CurvePoint& point : run->curve)
          if (!std::isnan(point.eval_accuracy))
            by_step[point.step].push_back(100.0 * point.eval_accuracy);
      }
      std::sort(line.tags.begin(), line.tags.end());
      for (const auto& [step, values] : by_step) line.points.push_back(statistic(step, values));
      curves.lines.push_back(std::move(line));
    }
    std::sort(curves.lines.begin(), curves.lines.end(),
              [](const CurveLine& a, const CurveLine& b) { return a.label < b.label; });
    tasks.push_back(std::move(curves));
  }
  std::stable_sort(tasks.begin(), tasks.end(), [](const TaskCurves& a, const TaskCurves& b) {
    return task_order(a.task) < task_order(b.task);
  });
  return tasks;
}

std::string curve_data_text(const TaskCurves& curves) {
  std::string text = fmt::format(
      "# fpt learning curves: task {}, evaluation accuracy (%) by step, mean over seeds\n"
      "# one block per line (gnuplot index 0, 1, ...), blocks separated by two blank lines\n"
      "# columns: step runs mean lower upper std min max   (lower, upper = mean -/+ sample std)\n",
      curves.task);
  for (size_t index = 0; index < curves.lines.size(); ++index) {
    const CurveLine& line = curves.lines[index];
    if (index > 0) text += "\n\n";
    text += fmt::format("# line {}: {} (runs: {})\n", index, line.label, fmt::join(line.tags, " "));
    for (const CurveStatistic& point : line.points)
      text += fmt::format("{}\t{}\t{:.10g}\t{:.10g}\t{:.10g}\t{:.10g}\t{:.10g}\t{:.10g}\n",
                          point.step, point.runs, point.mean, point.mean - point.std,
                          point.mean + point.std, point.std, point.min, point.max);
  }
  return text;
}

}  // namespace fpt::results
