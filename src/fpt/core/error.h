// fpt::Error: the one exception type fpt throws for bad input or failed work. Its message carries
// the context a user needs to act (file, line, key, experiment) — see fail() below.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace fpt {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// fail("{}: line {}: unknown key '{}'", path, line, key) throws fpt::Error with that message.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace fpt
