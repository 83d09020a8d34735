// Ledger: a sweep's history of what happened to each experiment — `<output_dir>/ledger.jsonl`, an
// append-only JSON-lines file with one line per event (started running, completed, failed,
// interrupted). Only the coordinator (rank 0) writes it; each line goes out with one write() and
// an fsync, so a kill -9 or a power loss leaves at most one partial last line, which readers skip
// and the next writer cuts off. The result files stay the ground truth for done / failed; the
// ledger adds what they cannot say (running now, interrupted at step N, an error whose result
// file could not be written). No torch, no MPI.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace fpt::sweep {

struct LedgerEntry {
  std::string id;         // experiment id (16 hex digits)
  std::string tag;        // readable tag, for people reading the file
  std::string status;     // "running" | "completed" | "failed" | "interrupted"
  std::string error;      // why it failed ("" otherwise)
  std::string time;       // ISO 8601 UTC, e.g. 2025-01-31T12:00:00Z
  int         rank = -1;  // the (leader) rank that ran it; -1 unknown
  int64_t     step = 0;   // interrupted: the step its checkpoint holds (0: unknown); else 0
};

// An entry stamped with the current time (what the coordinator appends at assign / report).
LedgerEntry ledger_entry(const std::string& id, const std::string& tag, const std::string& status,
                         int rank, int64_t step = 0, const std::string& error = "");

class Ledger {
 public:
  // Opens (creating) `<output_dir>/ledger.jsonl` for appending and takes an exclusive lock on it
  // for the lifetime of this object, so that a second fpt_sweep writing into the same directory is
  // refused (fpt::Error naming the file) and `fpt_sweep status` can tell whether a sweep runs
  // there. Then cleans up after a crash of the previous writer: cuts off a partial last line, and
  // appends "interrupted" (step 0: unknown) for every id whose last entry is still "running" —
  // so while a writer lives, "running" means running in this sweep. Construct ONE per process.
  explicit Ledger(std::filesystem::path output_dir);
  ~Ledger();
  Ledger(const Ledger&)            = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends `entry` as one line (single write + fsync). Throws fpt::Error naming the file if the
  // entry is invalid (empty id, unknown status) or cannot be written.
  void append(const LedgerEntry& entry);

  // The last entry of every id in `output_dir`'s ledger; empty when there is no ledger. A partial
  // last line (no newline: a crash mid-write) is ignored; any other line that is not a valid entry
  // throws fpt::Error naming file:line.
  static std::map<std::string, LedgerEntry> read(const std::filesystem::path& output_dir);

  // Whether some process (an fpt_sweep coordinator) holds `output_dir`'s ledger right now: false
  // when there is no ledger, nullopt when the lock cannot be probed (a file system without locks).
  static std::optional<bool> in_use(const std::filesystem::path& output_dir);

  // `<output_dir>/ledger.jsonl`.
  static std::filesystem::path file(const std::filesystem::path& output_dir);

 private:
  std::filesystem::path path_;
  int                   fd_ = -1;
};

}  // namespace fpt::sweep
