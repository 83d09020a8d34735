#include "fpt/results/figures/gnuplot.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "fpt/core/error.h"

namespace fpt::results {
namespace {

bool is_executable(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
}

// The last `lines` lines of a text file ("" if it cannot be read).
std::string tail(const std::filesystem::path& path, size_t lines) {
  std::ifstream            in(path);
  std::vector<std::string> kept;
  std::string              line;
  while (std::getline(in, line)) {
    kept.push_back(line);
    if (kept.size() > lines) kept.erase(kept.begin());
  }
  std::string text;
  for (const std::string& each : kept) text += "\n  " + each;
  return text;
}

}  // namespace

std::string find_executable(const std::string& program) {
  if (program.empty()) return "";
  if (program.find('/') != std::string::npos) return is_executable(program) ? program : "";
  const char* path        = std::getenv("PATH");
  std::string directories = path ? path : "/usr/bin:/bin";
  size_t      start       = 0;
  while (start <= directories.size()) {
    const size_t      colon = std::min(directories.find(':', start), directories.size());
    const std::string directory =
        colon > start ? directories.substr(start, colon - start) : std::string(".");
    const std::filesystem::path candidate = std::filesystem::path(directory) / program;
    if (is_executable(candidate)) return candidate.string();
    start = colon + 1;
  }
  return "";
}

void run_gnuplot(const std::string& gnuplot, const std::filesystem::path& directory,
                 const std::string& script_name) {
  const std::string program = find_executable(gnuplot);
  if (program.empty())
    fail(
        "{}: gnuplot is not installed ('{}' not found{}); install it with `apt-get install "
        "gnuplot-nox` (scripts/setup.sh does), then run `fpt_figures` again, or draw the figures "
        "yourself: `cd {} && gnuplot {}`",
        (directory / script_name).string(), gnuplot,
        gnuplot.find('/') == std::string::npos ? " on PATH" : "", directory.string(), script_name);
  const std::filesystem::path log   = directory / "gnuplot.log";
  const pid_t                 child = ::fork();
  if (child < 0) fail("{}: cannot start gnuplot (fork failed)", (directory / script_name).string());
  if (child == 0) {  // the child: only async-signal-safe calls until exec
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || ::chdir(directory.c_str()) != 0) ::_exit(127);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::execl(program.c_str(), program.c_str(), script_name.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) fail("{}: lost track of gnuplot (waitpid failed)", program);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("{}: gnuplot ({}) failed on {} (exit {}); its messages ({}):{}", directory.string(),
         program, script_name, WIFEXITED(status) ? WEXITSTATUS(status) : -1, log.string(),
         tail(log, 12));
}

}  // namespace fpt::results
