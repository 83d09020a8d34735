#include "fpt/sweep/ledger.h"

#include "fpt/core/time_stamp.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "fpt/core/error.h"

namespace fpt::sweep {
namespace {

namespace fs = std::filesystem;

bool known_status(const std::string& status) {
  return status == "running" || status == "completed" || status == "failed" ||
         status == "interrupted";
}

std::string errno_text() {
  return std::strerror(errno);
}

// The entry one ledger line holds, or the reason it is not one.
std::pair<LedgerEntry, std::string> parse_line(const std::string& line) {
  const nlohmann::json object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return {{}, "not JSON"};
  if (!object.is_object()) return {{}, "not a JSON object"};
  LedgerEntry entry;
  for (auto [key, field] : {std::pair<const char*, std::string*>{"id", &entry.id},
                            {"status", &entry.status},
                            {"time", &entry.time},
                            {"tag", &entry.tag},
                            {"error", &entry.error}}) {
    const auto found = object.find(key);
    if (found == object.end()) continue;
    if (!found->is_string()) return {{}, fmt::format("'{}' is not a string", key)};
    *field = found->get<std::string>();
  }
  for (const char* key : {"rank", "step"}) {
    const auto found = object.find(key);
    if (found == object.end()) continue;
    if (!found->is_number_integer()) return {{}, fmt::format("'{}' is not an integer", key)};
  }
  if (entry.id.empty()) return {{}, "no 'id'"};
  if (!known_status(entry.status))
    return {
        {},
        fmt::format("unknown status '{}' (running, completed, failed, interrupted)", entry.status)};
  entry.rank = object.value("rank", -1);
  entry.step = object.value("step", int64_t{0});
  return {entry, ""};
}

// Cuts a partial last line (a crash mid-write) off the open ledger, so the next entry starts on a
// line of its own instead of gluing onto the fragment.
void cut_partial_last_line(int fd, const fs::path& path) {
  struct stat info {};
  if (fstat(fd, &info) != 0)
    fail("{}: cannot stat the sweep ledger: {}", path.string(), errno_text());
  off_t end = info.st_size;
  char  last;
  if (end == 0 || (pread(fd, &last, 1, end - 1) == 1 && last == '\n')) return;
  // Walk back to the last newline; everything after it is the fragment.
  char  chunk[4096];
  off_t keep = 0;
  while (end > 0 && keep == 0) {
    const off_t   start = end > off_t(sizeof(chunk)) ? end - off_t(sizeof(chunk)) : 0;
    const ssize_t got   = pread(fd, chunk, size_t(end - start), start);
    if (got != end - start)
      fail("{}: cannot read the sweep ledger: {}", path.string(), errno_text());
    for (ssize_t i = got - 1; i >= 0; --i)
      if (chunk[i] == '\n') {
        keep = start + i + 1;
        break;
      }
    end = start;
  }
  if (ftruncate(fd, keep) != 0 || fsync(fd) != 0)
    fail("{}: cannot cut off the partial last line a crash left: {}", path.string(), errno_text());
}

}  // namespace

LedgerEntry ledger_entry(const std::string& id, const std::string& tag, const std::string& status,
                         int rank, int64_t step, const std::string& error) {
  LedgerEntry entry;
  entry.id = id, entry.tag = tag, entry.status = status, entry.error = error;
  entry.time = core::utc_now(), entry.rank = rank, entry.step = step;
  return entry;
}

fs::path Ledger::file(const fs::path& output_dir) {
  return output_dir / "ledger.jsonl";
}

Ledger::Ledger(fs::path output_dir) : path_(file(output_dir)) {
  std::error_code error;
  fs::create_directories(output_dir, error);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0)
    fail(
        "{}: cannot open the sweep ledger for writing: {}; make the results directory writable "
        "or choose another with --output",
        path_.string(), errno_text());
  // A lock the kernel drops when this process dies (even by kill -9): it marks a live writer.
  // File systems without flock (some cluster mounts) run without this check.
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    ::close(fd_);
    fd_ = -1;
    fail(
        "{}: another fpt_sweep is running into {} (it holds this ledger); wait for it to finish "
        "or stop it, or use --output for another results directory",
        path_.string(), output_dir.string());
  }
  try {
    cut_partial_last_line(fd_, path_);
    // Nothing runs before this writer starts: a "running" left over was cut off by a crash.
    for (const auto& [id, last] : read(output_dir))
      if (last.status == "running")
        append(ledger_entry(id, last.tag, "interrupted", last.rank, 0,
                            "fpt_sweep stopped while it ran (killed, crashed or preempted)"));
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

Ledger::~Ledger() {
  if (fd_ >= 0) ::close(fd_);
}

void Ledger::append(const LedgerEntry& entry) {
  if (entry.id.empty()) fail("{}: a ledger entry needs an experiment id", path_.string());
  if (!known_status(entry.status))
    fail("{}: ledger entry for {}: unknown status '{}' (running, completed, failed, interrupted)",
         path_.string(), entry.id, entry.status);
  nlohmann::ordered_json object;
  object["time"]   = entry.time;
  object["id"]     = entry.id;
  object["tag"]    = entry.tag;
  object["status"] = entry.status;
  object["rank"]   = entry.rank;
  object["step"]   = entry.step;
  object["error"]  = entry.error;
  // Error texts may carry bytes that are not UTF-8 (paths): replaced rather than thrown on.
  const std::string line =
      object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  // One write() of the whole line: a kill can cut it short only at the end of the file.
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t count = ::write(fd_, line.data() + written, line.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0)
      fail("{}: cannot append to the sweep ledger: {}; is the disk full?", path_.string(),
           errno_text());
    written += size_t(count);
  }
  if (fsync(fd_) != 0)
    fail("{}: cannot flush the sweep ledger to disk: {}", path_.string(), errno_text());
}

std::map<std::string, LedgerEntry> Ledger::read(const fs::path& output_dir) {
  const fs::path  path = file(output_dir);
  std::error_code error;
  if (!fs::exists(path, error)) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot read the sweep ledger: {}", path.string(), errno_text());
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  std::map<std::string, LedgerEntry> last;
  size_t                             line_number = 0;
  // Only newline-terminated lines count: text after the last newline is a write a crash cut short.
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos;
       start        = end + 1) {
    ++line_number;
    const std::string line = text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto [entry, reason] = parse_line(line);
    if (!reason.empty())
      fail(
          "{}:{}: not a ledger entry ({}); only fpt_sweep writes this file: fix or delete that "
          "line (the result files keep what finished)",
          path.string(), line_number, reason);
    last[entry.id] = std::move(entry);
  }
  return last;
}

std::optional<bool> Ledger::in_use(const fs::path& output_dir) {
  const fs::path  path = file(output_dir);
  std::error_code error;
  if (!fs::exists(path, error)) return false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<bool> held;
  if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
    held = false;
    flock(fd, LOCK_UN);
  } else if (errno == EWOULDBLOCK) {
    held = true;
  }
  ::close(fd);
  return held;
}

}  // namespace fpt::sweep
