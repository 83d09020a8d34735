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
  static const std::vector<std::string> names = {
      "gpt2",     "gpt2-medium", "gpt2-large", "gpt2-xl",   "gpt2-mini", "gpt2-tiny", "vit-base",
      "vit-tiny", "bert-base",   "minilm",     "bert-tiny", "lstm",      "lstm-tiny"};
  return names;
}
const std::vector<std::string>& available_bodies() {
  return known_bodies();
}

const std::vector<std::string>& known_inits() {
  static const std::vector<std::string> names = {"random", "pretrained", "bit", "stats"};
  return names;
}
const std::vector<std::string>& available_inits() {
  return known_inits();
}

const std::vector<std::string>& known_tasks() {
  static const std::vector<std::string> names = {
      "bit-memory", "bit-xor", "listops", "mnist", "cifar10", "cifar10-gray", "remote-homology"};
  return names;
}
const std::vector<std::string>& available_tasks() {
  static const std::vector<std::string> names = {
      "bit-memory", "bit-xor", "listops", "mnist", "cifar10", "cifar10-gray", "remote-homology"};
  return names;
}

namespace {

struct NameLists {
  const std::vector<std::string>* known     = nullptr;
  const std::vector<std::string>* available = nullptr;
};

NameLists lists_of(const std::string& what) {
  if (what == "body") return {&known_bodies(), &available_bodies()};
  if (what == "init") return {&known_inits(), &available_inits()};
  if (what == "task") return {&known_tasks(), &available_tasks()};
  fail("no list of {} names", what);
}

}  // namespace

bool is_available(const std::string& what, const std::string& name) {
  return contains(*lists_of(what).available, name);
}

void check_known(const std::string& what, const std::string& name, const std::string& context) {
  const NameLists lists = lists_of(what);
  if (contains(*lists.known, name)) return;
  fail("{}: unknown {} '{}'; valid {}s: {}", context, what, name, what,
       fmt::join(*lists.known, ", "));
}

void check_available(const std::string& what, const std::string& name, const std::string& context) {
  const NameLists                 lists     = lists_of(what);
  const std::vector<std::string>* known     = lists.known;
  const std::vector<std::string>* available = lists.available;
  if (contains(*available, name)) return;
  if (contains(*known, name))
    fail("{}: {} '{}' is not available in this build of fpt yet; available: {}", context, what,
         name, fmt::join(*available, ", "));
  fail("{}: unknown {} '{}'; valid {}s: {}", context, what, name, what,
       fmt::join(*available, ", "));
}

}  // namespace fpt::core
