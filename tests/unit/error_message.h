// error_of: the message of the fpt::Error an action throws, for tests of bad input ("" when the
// action throws none, so EXPECT_MESSAGE_HAS-style checks on it fail).
#pragma once

#include <functional>
#include <string>

#include "fpt/core/error.h"

namespace fpt::test {

inline std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const fpt::Error& error) {
    return error.what();
  }
  return "";
}

}  // namespace fpt::test
