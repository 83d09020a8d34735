#include "fpt/sweep/progress.h"

#include <cmath>
#include <ctime>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace fpt::sweep {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long long>(std::llround(seconds));
  if (total >= 3600) return fmt::format("{}h{:02d}m", total / 3600, (total % 3600) / 60);
  if (total >= 60) return fmt::format("{}m{:02d}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

Progress::Progress(int to_run, double total_cost, std::FILE* out)
    : out_(out),
      start_(Clock::now()),
      last_status_(Clock::now()),
      to_run_(to_run),
      total_cost_(total_cost) {}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

std::string Progress::timestamp() const {
  const std::time_t now = std::time(nullptr);
  std::tm           local{};
  localtime_r(&now, &local);
  char text[16];
  std::strftime(text, sizeof(text), "%H:%M:%S", &local);
  return text;
}

void Progress::started(const std::string& tag, int rank, const std::vector<int>& group) {
  ++running_;
  if (group.size() > 1)
    fmt::print(out_, "[{}] start  {} on ranks {} (worker group of {})\n", timestamp(), tag,
               fmt::join(group, ","), group.size());
  else
    fmt::print(out_, "[{}] start  {} on rank {}\n", timestamp(), tag, rank);
  std::fflush(out_);
}

void Progress::interrupted(const Report& report) {
  --running_;
  fmt::print(out_,
             "[{}] interrupted {} at step {} (rank {}): checkpoint saved, resumes on a rerun\n",
             timestamp(), report.tag, report.steps_done, report.rank);
  std::fflush(out_);
}

void Progress::finished(const Report& report, double cost) {
  --running_;
  finished_cost_ += cost;
  const bool ok = report.status == "completed";
  (ok ? done_ : failed_) += 1;
  const int position = done_ + failed_;
  if (ok) {
    fmt::print(out_, "[{}] [{}/{}] done   {}  acc {:.1f}%  ({}, rank {}, {:.0f} samples/s)\n",
               timestamp(), position, to_run_, report.tag, 100 * report.accuracy,
               format_duration(report.wall_seconds), report.rank, report.samples_per_second);
  } else {
    fmt::print(out_, "[{}] [{}/{}] FAILED {}  ({}, rank {}): {}\n", timestamp(), position, to_run_,
               report.tag, format_duration(report.wall_seconds), report.rank, report.error);
  }
  std::fflush(out_);
}

std::string Progress::status_line() const {
  const double elapsed = elapsed_seconds();
  std::string  eta     = "?";
  if (left() + running_ == 0) {
    eta = "0s";
  } else if (finished_cost_ > 0 && total_cost_ > finished_cost_) {
    eta = format_duration(elapsed * (total_cost_ - finished_cost_) / finished_cost_);
  }
  return fmt::format("status: done {} | running {} | failed {} | left {} | elapsed {} | ETA {}",
                     done_, running_, failed_, left(), format_duration(elapsed), eta);
}

void Progress::maybe_print_status(double every_seconds, bool force) {
  const auto now = Clock::now();
  if (!force && std::chrono::duration<double>(now - last_status_).count() < every_seconds) return;
  last_status_ = now;
  fmt::print(out_, "[{}] {}\n", timestamp(), status_line());
  std::fflush(out_);
}

}  // namespace fpt::sweep
