// Helpers shared by the grid tests: run parse_sweep and capture the fpt::Error message.
#pragma once

#include <string>

#include "fpt/core/error.h"
#include "fpt/sweep/grid.h"

namespace fpt::sweep::testing {

// The message parse_sweep throws for `yaml`, or "" when it does not throw.
inline std::string sweep_error(const std::string& yaml,
                               const std::string& source = "sweeps/x.yaml") {
  try {
    parse_sweep(yaml, source);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

}  // namespace fpt::sweep::testing
