#include "fpt/results/tables/convergence.h"

#include <cmath>

#include "fpt/core/error.h"

namespace fpt::results::tables {

double steps_to_converge(const std::vector<core::CurvePoint>& curve, double threshold) {
  if (!(threshold > 0.0 && threshold <= 1.0))
    fail("convergence threshold {} is not a fraction in (0, 1]", threshold);
  double final_accuracy = core::kNotMeasured;
  for (const auto& point : curve)
    if (!std::isnan(point.eval_accuracy)) final_accuracy = point.eval_accuracy;
  if (std::isnan(final_accuracy)) return core::kNotMeasured;
  for (const auto& point : curve)
    if (!std::isnan(point.eval_accuracy) && point.eval_accuracy >= threshold * final_accuracy)
      return static_cast<double>(point.step);
  return core::kNotMeasured;  // unreachable: the final point itself qualifies
}

}  // namespace fpt::results::tables
