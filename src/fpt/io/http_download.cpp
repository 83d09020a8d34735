#include "fpt/io/http_download.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <tuple>

#include "fpt/core/error.h"
#include "fpt/io/sha256.h"

namespace fpt::io {
namespace {

namespace fs                              = std::filesystem;
using Clock                               = std::chrono::steady_clock;
using Seconds                             = std::chrono::duration<double>;
constexpr double kProgressIntervalSeconds = 3.0;  // at most one progress line per this many seconds
constexpr size_t kErrorBodyLimit          = 300;  // bytes of an error page quoted in a message

void initialise_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) fail("libcurl failed to initialise");
  });
}

double megabytes(uint64_t bytes) {
  return static_cast<double>(bytes) / 1e6;
}

// Everything one attempt (one HTTP request, redirects included) knows while bytes arrive.
struct Attempt {
  CURL*             curl = nullptr;
  std::string       partial_path;
  std::string       label;                    // file name for progress lines
  uint64_t          resume_offset       = 0;  // bytes already in the partial when the request left
  uint64_t          expected_size       = 0;  // 0 = unknown
  bool              quiet               = false;
  long              status              = 0;  // HTTP status of the final response
  bool              body_started        = false;
  bool              body_to_file        = false;
  bool              range_mismatch      = false;  // 206 that does not start where the partial ends
  int64_t           content_range_start = -1;
  std::FILE*        file                = nullptr;
  std::string       write_error;
  std::string       error_body;          // start of a non-2xx body, quoted in the error
  uint64_t          bytes_received = 0;  // body bytes written during this attempt
  Clock::time_point started        = Clock::now();
  Clock::time_point last_report    = Clock::now();

  uint64_t total_on_disk() const { return resume_offset + bytes_received; }
};

// Called once per header line of every response (redirects too); remembers the start offset of the
// final response's Content-Range so a resumed body is only appended where it belongs.
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto&             attempt = *static_cast<Attempt*>(user);
  const size_t      bytes   = size * count;
  const std::string line(data, bytes);
  if (line.rfind("HTTP/", 0) == 0) attempt.content_range_start = -1;  // a new response begins
  std::string lower = line;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string prefix = "content-range:";
  if (lower.rfind(prefix, 0) == 0) {
    unsigned long long start = 0;
    if (std::sscanf(lower.c_str() + prefix.size(), " bytes %llu-", &start) == 1) {
      attempt.content_range_start = static_cast<int64_t>(start);
    }
  }
  return bytes;
}

void report_progress(Attempt& attempt, bool final_line) {
  if (attempt.quiet) return;
  const auto   now     = Clock::now();
  const double elapsed = Seconds(now - attempt.started).count();
  if (!final_line && Seconds(now - attempt.last_report).count() < kProgressIntervalSeconds) return;
  attempt.last_report = now;
  const double rate   = elapsed > 0 ? megabytes(attempt.bytes_received) / elapsed : 0.0;
  if (attempt.expected_size > 0) {
    fmt::print(stderr, "[fetch] {}: {:.1f} / {:.1f} MB ({:.0f}%), {:.1f} MB/s\n", attempt.label,
               megabytes(attempt.total_on_disk()), megabytes(attempt.expected_size),
               100.0 * static_cast<double>(attempt.total_on_disk()) /
                   static_cast<double>(attempt.expected_size),
               rate);
  } else {
    fmt::print(stderr, "[fetch] {}: {:.1f} MB, {:.1f} MB/s\n", attempt.label,
               megabytes(attempt.total_on_disk()), rate);
  }
}

// The first body byte of the final response decides where the bytes go: 206 appends to the
// partial, 200 (a server that ignored the Range header, or a fresh download) rewrites it from byte
// 0, anything else is an error page kept only for the message.
bool start_body(Attempt& attempt) {
  attempt.body_started = true;
  curl_easy_getinfo(attempt.curl, CURLINFO_RESPONSE_CODE, &attempt.status);
  if (attempt.status == 206) {
    if (attempt.content_range_start != static_cast<int64_t>(attempt.resume_offset)) {
      attempt.range_mismatch = true;
      return false;
    }
    attempt.file = std::fopen(attempt.partial_path.c_str(), "ab");
  } else if (attempt.status == 200) {
    if (attempt.resume_offset > 0 && !attempt.quiet) {
      fmt::print(stderr, "[fetch] {}: server ignored the Range request; restarting from byte 0\n",
                 attempt.label);
    }
    attempt.resume_offset = 0;
    attempt.file          = std::fopen(attempt.partial_path.c_str(), "wb");
  } else {
    return true;  // error page: body_to_file stays false
  }
  if (attempt.file == nullptr) {
    attempt.write_error =
        fmt::format("cannot open {}: {}", attempt.partial_path, std::strerror(errno));
    return false;
  }
  attempt.body_to_file = true;
  return true;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto&        attempt = *static_cast<Attempt*>(user);
  const size_t bytes   = size * count;
  if (!attempt.body_started && !start_body(attempt)) return 0;  // 0 makes curl abort the transfer
  if (!attempt.body_to_file) {
    const size_t room = kErrorBodyLimit - std::min(kErrorBodyLimit, attempt.error_body.size());
    attempt.error_body.append(data, std::min(room, bytes));
    return bytes;
  }
  if (std::fwrite(data, 1, bytes, attempt.file) != bytes) {
    attempt.write_error =
        fmt::format("cannot write {}: {}", attempt.partial_path, std::strerror(errno));
    return 0;
  }
  attempt.bytes_received += bytes;
  report_progress(attempt, false);
  return bytes;
}

struct AttemptResult {
  CURLcode    code = CURLE_OK;
  std::string curl_message;
  long        status         = 0;
  bool        range_mismatch = false;
  std::string write_error;
  std::string error_body;
};

AttemptResult run_attempt(const std::string& url, const std::string& partial_path,
                          const std::string& label, uint64_t resume_offset, uint64_t expected_size,
                          const DownloadOptions& options) {
  Attempt attempt;
  attempt.partial_path  = partial_path;
  attempt.label         = label;
  attempt.resume_offset = resume_offset;
  attempt.expected_size = expected_size;
  attempt.quiet         = options.quiet;

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) fail("{}: libcurl could not create a transfer handle", url);
  attempt.curl                              = curl.get();
  char        error_buffer[CURL_ERROR_SIZE] = {0};
  std::string range                         = fmt::format("{}-", resume_offset);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, options.low_speed_seconds);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "fpt_fetch/0.1 (libcurl)");
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &attempt);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &attempt);
  // CURLOPT_RANGE rather than CURLOPT_RESUME_FROM: the latter makes curl fail outright on a 200
  // answer, where a restart from byte 0 is the right response.
  if (resume_offset > 0) curl_easy_setopt(curl.get(), CURLOPT_RANGE, range.c_str());

  AttemptResult result;
  result.code = curl_easy_perform(curl.get());
  if (!attempt.body_started) {
    // No body arrived (an empty file, or a bodiless 416/404): the status still says what happened.
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &attempt.status);
    if (result.code == CURLE_OK && attempt.status == 200) {
      attempt.file = std::fopen(partial_path.c_str(), "wb");  // a genuinely empty file
      if (attempt.file == nullptr) {
        attempt.write_error = fmt::format("cannot open {}: {}", partial_path, std::strerror(errno));
      }
    }
  }
  if (attempt.file != nullptr && std::fclose(attempt.file) != 0 && attempt.write_error.empty()) {
    attempt.write_error = fmt::format("cannot write {}: {}", partial_path, std::strerror(errno));
  }
  if (attempt.body_to_file) report_progress(attempt, true);
  result.status         = attempt.status;
  result.range_mismatch = attempt.range_mismatch;
  result.write_error    = attempt.write_error;
  result.error_body     = attempt.error_body;
  result.curl_message   = error_buffer[0] != 0 ? error_buffer : curl_easy_strerror(result.code);
  return result;
}

uint64_t size_or_zero(const std::string& path) {
  std::error_code error;
  const auto      size = fs::file_size(path, error);
  return error ? 0 : static_cast<uint64_t>(size);
}

bool is_offline_error(CURLcode code) {
  return code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
         code == CURLE_COULDNT_CONNECT;
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

std::string partial_path_for(const std::string& destination) {
  return destination + ".partial";
}

std::string download_file(const std::string& url, const std::string& destination,
                          const std::string& expected_sha256, uint64_t expected_size,
                          const DownloadOptions& options, const std::string& expected_md5) {
  initialise_curl_once();
  const std::string partial = partial_path_for(destination);
  const std::string label   = fs::path(destination).filename().string();
  std::error_code   error;
  const fs::path    parent = fs::path(destination).parent_path();
  if (!parent.empty()) fs::create_directories(parent, error);
  if (error)
    fail("{}: cannot create directory {}: {}", destination, parent.string(), error.message());

  for (int attempt_number = 0;; ++attempt_number) {
    uint64_t have = size_or_zero(partial);
    if (expected_size > 0 && have > expected_size) {  // longer than the real file: start over
      fs::remove(partial, error);
      have = 0;
    }
    bool        complete = expected_size > 0 && have == expected_size;
    std::string retry_reason;
    if (!complete) {
      if (!options.quiet) {
        fmt::print(stderr, "[fetch] {} -> {}{}\n", url, destination,
                   have > 0 ? fmt::format(" (resuming at byte {})", have) : "");
      }
      const AttemptResult result = run_attempt(url, partial, label, have, expected_size, options);
      if (!result.write_error.empty()) fail("{}: {}", url, result.write_error);
      if (is_offline_error(result.code)) {
        fail(
            "cannot download {}: {}. The host is unreachable (offline machine, DNS failure or "
            "nothing listening). Use a reachable mirror with {}, or copy the file by hand to {}",
            url, result.curl_message, options.mirror_hint, destination);
      }
      const std::string body = result.error_body.empty()
                                   ? ""
                                   : fmt::format(" (server said: {})", one_line(result.error_body));
      if (result.status == 404) {
        fail(
            "{}: HTTP 404 Not Found: the file or revision does not exist at that URL; check the "
            "repository, revision and file name, or the mirror ({}){}",
            url, options.mirror_hint, body);
      }
      if (result.range_mismatch) {
        fs::remove(partial, error);
        retry_reason = "the server resumed at a different byte than requested; restarting from 0";
      } else if (result.status == 416) {
        if (have == 0) fail("{}: HTTP 416 Range Not Satisfiable for a fresh download{}", url, body);
        complete = true;  // the partial already holds every byte the server has
      } else if (result.status >= 400 && result.status != 408 && result.status != 429 &&
                 result.status < 500) {
        fail(
            "{}: HTTP {}: the server refused the request (a gated or private repository needs "
            "the files copied by hand into {}){}",
            url, result.status, parent.string(), body);
      } else if (result.status >= 400) {
        retry_reason = fmt::format("HTTP {}{}", result.status, body);
      } else if (result.code != CURLE_OK) {
        retry_reason = result.curl_message;
      } else {
        complete = true;
      }
    }
    if (complete) {
      have = size_or_zero(partial);
      if (expected_size > 0 && have < expected_size) {
        retry_reason = fmt::format("the transfer ended after {} of {} bytes", have, expected_size);
      } else {
        if (expected_size > 0 && have != expected_size) {
          fs::remove(partial, error);
          fail("{}: size mismatch: expected {} bytes, received {}; the partial file was deleted",
               url, expected_size, have);
        }
        const FileDigests found = expected_md5.empty() ? FileDigests{sha256_file(partial), ""}
                                                       : sha256_and_md5_file(partial);
        for (const auto& [kind, expected, actual] :
             {std::tuple{"SHA-256", expected_sha256, found.sha256},
              std::tuple{"MD5", expected_md5, found.md5}}) {
          if (expected.empty() || actual == expected) continue;
          fs::remove(partial, error);
          fail(
              "{}: {} mismatch: expected {}, found {}; the download was deleted (a corrupted "
              "transfer or a changed upstream file)",
              url, kind, expected, actual);
        }
        fs::rename(partial, destination, error);
        if (error) {
          fail("{}: cannot rename {} to {}: {}", url, partial, destination, error.message());
        }
        return found.sha256;
      }
    }
    if (attempt_number >= options.retries) {
      fail(
          "{}: download failed after {} attempt(s): {}. The bytes received so far are kept in {}; "
          "run again to resume",
          url, attempt_number + 1, retry_reason, partial);
    }
    const double delay = options.retry_delay_seconds * (attempt_number + 1);
    if (!options.quiet) {
      fmt::print(stderr, "[fetch] {}: {}; retrying in {:.0f} s ({} of {})\n", label, retry_reason,
                 delay, attempt_number + 1, options.retries);
    }
    std::this_thread::sleep_for(Seconds(delay));
  }
}

}  // namespace fpt::io
