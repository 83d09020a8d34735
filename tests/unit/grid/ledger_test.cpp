// Sweep ledger: round trip, the last entry per id wins, a partial last line (crash mid-write) is
// skipped and cut off by the next writer, a bad line elsewhere is an error naming file:line, one
// writer at a time, stale "running" entries closed when a new writer opens, and a writer killed
// with SIGKILL mid-append leaves a readable ledger.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "fpt/core/error.h"
#include "fpt/sweep/ledger.h"

namespace fpt::sweep {
namespace {

namespace fs = std::filesystem;

fs::path fresh_directory(const std::string& name) {
  const fs::path directory = fs::path(::testing::TempDir()) / ("fpt_ledger_" + name);
  fs::remove_all(directory);
  fs::create_directories(directory);
  return directory;
}

std::string file_text(const fs::path& path) {
  std::ifstream     in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void append_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
}

std::string read_error(const fs::path& directory) {
  try {
    Ledger::read(directory);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(Ledger, RoundTripKeepsTheLastEntryOfEachId) {
  const fs::path directory = fresh_directory("round_trip");
  {
    Ledger ledger(directory);
    ledger.append(ledger_entry("00000000000000aa", "tag_a", "running", 1));
    ledger.append(ledger_entry("00000000000000bb", "tag_b", "running", 0));
    ledger.append(ledger_entry("00000000000000aa", "tag_a", "completed", 1));
    ledger.append(ledger_entry("00000000000000bb", "tag_b", "failed", 0, 0, "out of \"memory\"\n"));
    ledger.append(ledger_entry("00000000000000cc", "tag_c", "interrupted", 3, 400));
  }
  const auto entries = Ledger::read(directory);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries.at("00000000000000aa").status, "completed");
  EXPECT_EQ(entries.at("00000000000000aa").tag, "tag_a");
  EXPECT_EQ(entries.at("00000000000000aa").rank, 1);
  EXPECT_EQ(entries.at("00000000000000bb").status, "failed");
  EXPECT_EQ(entries.at("00000000000000bb").error, "out of \"memory\"\n");
  EXPECT_EQ(entries.at("00000000000000cc").status, "interrupted");
  EXPECT_EQ(entries.at("00000000000000cc").step, 400);
  EXPECT_EQ(entries.at("00000000000000cc").rank, 3);
  // ISO 8601 UTC, e.g. 2025-01-31T12:00:00Z
  const std::string& time = entries.at("00000000000000cc").time;
  ASSERT_EQ(time.size(), 20u) << time;
  EXPECT_EQ(time[10], 'T');
  EXPECT_EQ(time.back(), 'Z');
  // One line per entry.
  const std::string text = file_text(Ledger::file(directory));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5);
  EXPECT_EQ(Ledger::file(directory), directory / "ledger.jsonl");
}

TEST(Ledger, NoLedgerReadsEmptyAndIsNotInUse) {
  const fs::path directory = fresh_directory("none");
  EXPECT_TRUE(Ledger::read(directory).empty());
  EXPECT_EQ(Ledger::in_use(directory), std::optional<bool>(false));
}

TEST(Ledger, PartialLastLineIsSkippedAndCutOffByTheNextWriter) {
  const fs::path directory = fresh_directory("partial");
  { Ledger(directory).append(ledger_entry("00000000000000aa", "a", "completed", 0)); }
  append_text(Ledger::file(directory),
              R"({"time":"2025-01-01T00:00:00Z","id":"00000000000000bb","ta)");
  auto entries = Ledger::read(directory);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries.at("00000000000000aa").status, "completed");

  {
    Ledger ledger(directory);
    ledger.append(ledger_entry("00000000000000bb", "b", "running", 2));
  }
  const std::string text = file_text(Ledger::file(directory));
  EXPECT_EQ(text.find("\"ta{"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  entries = Ledger::read(directory);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries.at("00000000000000bb").status, "running");
}

TEST(Ledger, BadLineInTheMiddleNamesFileAndLine) {
  const fs::path directory = fresh_directory("corrupt");
  { Ledger(directory).append(ledger_entry("00000000000000aa", "a", "running", 0)); }
  append_text(Ledger::file(directory),
              "garbage\n"
              R"({"time":"2025-01-01T00:00:00Z","id":"00000000000000aa","status":"completed"})"
              "\n");
  const std::string error = read_error(directory);
  EXPECT_NE(error.find((directory / "ledger.jsonl").string() + ":2:"), std::string::npos) << error;
  EXPECT_NE(error.find("not JSON"), std::string::npos) << error;
  EXPECT_NE(error.find("delete that line"), std::string::npos) << error;
  // A writer refuses it too, rather than appending to a ledger nobody can read.
  try {
    Ledger writer(directory);
    FAIL() << "a writer opened a corrupt ledger";
  } catch (const Error& failure) {
    EXPECT_EQ(std::string(failure.what()), error);
  }
}

TEST(Ledger, InvalidEntriesAreErrorsEvenOnTheLastCompleteLine) {
  const struct {
    const char* line;
    const char* reason;
  } cases[] = {
      {R"({"id":"00000000000000aa","status":"paused","time":"t"})", "unknown status 'paused'"},
      {R"({"status":"running","time":"t"})", "no 'id'"},
      {R"({"id":"00000000000000aa","status":"running","step":"7"})", "'step' is not an integer"},
      {R"(["id"])", "not a JSON object"},
  };
  for (const auto& bad : cases) {
    const fs::path directory = fresh_directory("invalid");
    append_text(Ledger::file(directory), std::string(bad.line) + "\n");
    const std::string error = read_error(directory);
    EXPECT_NE(error.find("ledger.jsonl:1: not a ledger entry (" + std::string(bad.reason)),
              std::string::npos)
        << error;
  }
}

TEST(Ledger, AppendRejectsAnEntryItCouldNotReadBack) {
  const fs::path directory = fresh_directory("append_invalid");
  Ledger         ledger(directory);
  EXPECT_THROW(ledger.append(ledger_entry("", "a", "running", 0)), Error);
  EXPECT_THROW(ledger.append(ledger_entry("00000000000000aa", "a", "done", 0)), Error);
  EXPECT_TRUE(Ledger::read(directory).empty());
}

TEST(Ledger, OneWriterAtATime) {
  const fs::path directory = fresh_directory("one_writer");
  {
    Ledger ledger(directory);
    EXPECT_EQ(Ledger::in_use(directory), std::optional<bool>(true));
    try {
      Ledger second(directory);
      FAIL() << "a second writer was allowed";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("another fpt_sweep is running into"),
                std::string::npos)
          << error.what();
    }
  }
  EXPECT_EQ(Ledger::in_use(directory), std::optional<bool>(false));
  Ledger again(directory);  // the lock went with the first writer
}

TEST(Ledger, NewWriterClosesRunningEntriesLeftByACrash) {
  const fs::path directory = fresh_directory("stale");
  {
    Ledger ledger(directory);
    ledger.append(ledger_entry("00000000000000aa", "a", "running", 1));
    ledger.append(ledger_entry("00000000000000bb", "b", "running", 0));
    ledger.append(ledger_entry("00000000000000bb", "b", "completed", 0));
  }
  EXPECT_EQ(Ledger::read(directory).at("00000000000000aa").status, "running");
  Ledger     ledger(directory);
  const auto entries = Ledger::read(directory);
  EXPECT_EQ(entries.at("00000000000000aa").status, "interrupted");
  EXPECT_EQ(entries.at("00000000000000aa").rank, 1);
  EXPECT_EQ(entries.at("00000000000000aa").step, 0);
  EXPECT_NE(entries.at("00000000000000aa").error.find("stopped while it ran"), std::string::npos);
  EXPECT_EQ(entries.at("00000000000000bb").status, "completed");
}

TEST(Ledger, KillMinus9MidAppendLeavesAReadableLedger) {
  const fs::path directory = fresh_directory("kill9");
  const pid_t    child     = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Ledger      ledger(directory);
    std::string long_error(3000, 'x');  // long lines make a kill inside a write more likely
    for (int64_t step = 1;; ++step)
      ledger.append(ledger_entry("00000000000000aa", "a", "interrupted", 0, step, long_error));
  }
  // Wait until the child has written a few entries, then kill it wherever it is.
  const fs::path file = Ledger::file(directory);
  for (int tries = 0; tries < 500; ++tries) {
    std::error_code error;
    if (fs::exists(file, error) && fs::file_size(file, error) > 20000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  const auto entries = Ledger::read(directory);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_GT(entries.at("00000000000000aa").step, 0);
  Ledger ledger(directory);  // the lock died with the child
  ledger.append(ledger_entry("00000000000000aa", "a", "completed", 0));
  EXPECT_EQ(Ledger::read(directory).at("00000000000000aa").status, "completed");
}

}  // namespace
}  // namespace fpt::sweep
