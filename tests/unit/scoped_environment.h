// ScopedEnvironment: sets (or, with nullptr, unsets) an environment variable for one scope and
// restores the old value afterwards — for tests of FPT_DATA_DIR, FPT_WEIGHTS_DIR and the like.
#pragma once

#include <cstdlib>
#include <string>

namespace fpt::test {

class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    had_old_        = old != nullptr;
    if (had_old_) old_ = old;
    if (value != nullptr)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ScopedEnvironment(const char* name, const std::string& value)
      : ScopedEnvironment(name, value.c_str()) {}
  ScopedEnvironment(const ScopedEnvironment&)            = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;
  ~ScopedEnvironment() {
    if (had_old_)
      ::setenv(name_.c_str(), old_.c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::string old_;
  bool        had_old_ = false;
};

}  // namespace fpt::test
