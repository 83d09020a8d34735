#include "fpt/sweep/stop_signal.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>

#include "fpt/core/error.h"

namespace fpt::sweep {
namespace {

std::atomic<int> received_signal{0};  // 0 = none; -1 = request_stop()
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void on_stop_signal(int number) {
  int expected = 0;
  received_signal.compare_exchange_strong(expected, number);
}

const std::map<std::string, int>& signal_numbers() {
  static const std::map<std::string, int> numbers = {
      {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"HUP", SIGHUP}, {"INT", SIGINT}};
  return numbers;
}

}  // namespace

void install_stop_signal_handlers(const std::vector<std::string>& names) {
  for (const std::string& name : names)
    if (!signal_numbers().count(name)) fail("unknown stop signal '{}'", name);
  // The named signals get the handler; the other known ones their default action back.
  for (const auto& [name, number] : signal_numbers()) {
    const bool       stops = std::find(names.begin(), names.end(), name) != names.end();
    struct sigaction action {};
    action.sa_handler = stops ? on_stop_signal : SIG_DFL;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(number, &action, nullptr) != 0)
      fail("could not install the handler for SIG{}", name);
  }
}

int signal_mask(const std::vector<std::string>& names) {
  int mask = 0;
  for (const std::string& name : names) {
    const auto found = signal_numbers().find(name);
    if (found == signal_numbers().end()) fail("unknown stop signal '{}'", name);
    mask |= 1 << found->second;
  }
  return mask;
}

std::vector<std::string> signals_from_mask(int mask) {
  std::vector<std::string> names;
  for (const auto& [name, number] : signal_numbers())
    if (mask & (1 << number)) names.push_back(name);
  return names;
}

bool stop_requested() {
  return received_signal.load() != 0;
}

std::string stop_signal_name() {
  const int number = received_signal.load();
  for (const auto& [name, value] : signal_numbers())
    if (value == number) return "SIG" + name;
  return "";
}

void request_stop() {
  int expected = 0;
  received_signal.compare_exchange_strong(expected, -1);
}

}  // namespace fpt::sweep
