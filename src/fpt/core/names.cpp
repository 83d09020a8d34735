#include "fpt/core/names.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"

namespace fpt::core {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

const std::vector<std::string>& known_bodies() {
  static const std::vector<std::string> names = {"gpt2",    "gpt2-medium", "gpt2-large",
                                                 "gpt2-xl", "gpt2-mini",   "gpt2-tiny"};
  return names;
}
const std::vector<std::string>& available_bodies() {
  return known_bodies();
}

const std::vector<std::string>& known_inits() {
  static const std::vector<std::string> names = {"random", "pretrained", "bit", "vit", "stats"};
  return names;
}
const std::vector<std::string>& available_inits() {
  static const std::vector<std::string> names = {"random"};
  return names;
}

const std::vector<std::string>& known_tasks() {
  static const std::vector<std::string> names = {
      "bit-memory", "bit-xor", "listops", "mnist", "cifar10", "cifar10-gray", "remote-homology"};
  return names;
}
const std::vector<std::string>& available_tasks() {
  static const std::vector<std::string> names = {"bit-memory", "bit-xor", "listops"};
  return names;
}

void check_available(const std::string& what, const std::string& name, const std::string& context) {
  const std::vector<std::string>* known     = nullptr;
  const std::vector<std::string>* available = nullptr;
  if (what == "body") {
    known = &known_bodies(), available = &available_bodies();
  } else if (what == "init") {
    known = &known_inits(), available = &available_inits();
  } else if (what == "task") {
    known = &known_tasks(), available = &available_tasks();
  } else {
    fail("check_available: no list of {} names", what);
  }
  if (contains(*available, name)) return;
  if (contains(*known, name))
    fail("{}: {} '{}' is not available in this build of fpt yet; available: {}", context, what,
         name, fmt::join(*available, ", "));
  fail("{}: unknown {} '{}'; valid {}s: {}", context, what, name, what,
       fmt::join(*available, ", "));
}

}  // namespace fpt::core
