// describe_plan: the text `fpt_sweep --dry-run` prints, so a user sees what a sweep file expands
// to (and what it will cost, relatively) before spending any compute.
#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/sweep/grid.h"

namespace fpt::sweep {

std::string describe_plan(const SweepPlan& plan) {
  int     cannot_run  = 0;
  double  total_cost  = 0;
  int64_t total_steps = 0;
  size_t  tag_width   = 3;
  for (const PlannedExperiment& experiment : plan.experiments) {
    total_cost += experiment.cost;
    total_steps += experiment.spec.steps;
    tag_width = std::max(tag_width, experiment.tag.size());
  }
  const std::string scale = plan.scale.empty() ? "" : " at scale " + plan.scale;
  std::string       text =
      fmt::format("sweep '{}'{} from {}: {} experiments, results in {}\n", plan.name, scale,
                  plan.source.string(), plan.experiments.size(), plan.output_dir.string());
  text += fmt::format("{:>5}  {:<16}  {:<{}}  {:>8}  {:>10}  {:>6}\n", "#", "id", "tag", tag_width,
                      "steps", "cost", "share");
  for (size_t i = 0; i < plan.experiments.size(); ++i) {
    const PlannedExperiment& experiment = plan.experiments[i];
    const double             share = total_cost > 0 ? 100.0 * experiment.cost / total_cost : 0.0;
    std::string              note;
    if (experiment.provides_body) note = "  (saves its body for init: bit)";
    if (!experiment.depends_on.empty()) note = "  (after " + experiment.depends_on + ")";
    const std::string unrunnable = unrunnable_reason(experiment.spec);
    if (!unrunnable.empty()) {
      note += "  [cannot run: " + unrunnable + "]";
      ++cannot_run;
    }
    text +=
        fmt::format("{:>5}  {:<16}  {:<{}}  {:>8}  {:>10.3e}  {:>5.1f}%{}\n", i + 1, experiment.id,
                    experiment.tag, tag_width, experiment.spec.steps, experiment.cost, share, note);
  }
  text += fmt::format(
      "total: {} experiments, {} optimizer steps, cost {:.3e} (tokens x n_layer*d^2 x steps x "
      "batch; relative)\n",
      plan.experiments.size(), total_steps, total_cost);
  if (plan.scale.empty() && !plan.scale_names.empty())
    text += fmt::format("smaller versions of this grid: --scale {}\n",
                        fmt::join(plan.scale_names, " | "));
  if (cannot_run > 0)
    text += fmt::format(
        "{} experiments cannot run in this build (marked); fpt_sweep --only-runnable runs the "
        "others\n",
        cannot_run);
  return text;
}

}  // namespace fpt::sweep
