// Progress: what the coordinator prints while a sweep runs — one line per finished experiment and
// a periodic status line (done / running / failed / left, elapsed, ETA). Plain lines with a time
// stamp and no terminal control codes, so a terminal and a Slurm log file read the same.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "fpt/sweep/protocol.h"

namespace fpt::sweep {

class Progress {
 public:
  Progress(int to_run, double total_cost, std::FILE* out = stdout);

  // `group`: the ranks of a multi-rank worker group (leader first), empty for one rank.
  void started(const std::string& tag, int rank, const std::vector<int>& group = {});
  void finished(const Report& report, double cost);
  // A running experiment stopped with a checkpoint (status "interrupted").
  void interrupted(const Report& report);

  // Prints the status line if `every_seconds` passed since the last one (or `force`).
  void        maybe_print_status(double every_seconds, bool force = false);
  std::string status_line() const;

  int done() const { return done_; }
  int failed() const { return failed_; }
  int running() const { return running_; }
  int left() const { return to_run_ - done_ - failed_ - running_; }

 private:
  double      elapsed_seconds() const;
  std::string timestamp() const;

  using Clock = std::chrono::steady_clock;
  std::FILE*        out_;
  Clock::time_point start_;
  Clock::time_point last_status_;
  int               to_run_;
  int               done_    = 0;
  int               failed_  = 0;
  int               running_ = 0;
  double            total_cost_;
  double            finished_cost_ = 0.0;
};

// "1h02m", "3m05s", "42s"
std::string format_duration(double seconds);

}  // namespace fpt::sweep
