// Convergence speed (paper §3.4): the steps an experiment needed to reach a fraction of its final
// accuracy, read from its stored learning curve.
#pragma once

#include <vector>

#include "fpt/core/run_result.h"

namespace fpt::results::tables {

// The first curve step whose eval accuracy reaches `threshold` × the final eval accuracy (the
// last measured point of the curve); NaN when the curve has no measured eval accuracy.
// `threshold` is a fraction in (0, 1].
double steps_to_converge(const std::vector<core::CurvePoint>& curve, double threshold);

}  // namespace fpt::results::tables
