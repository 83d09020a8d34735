// download_file: one URL to one file over HTTP(S) with libcurl — resumable (a ".partial" file and
// an HTTP Range request), retried, size- and SHA-256-checked, and renamed into place atomically so
// a reader never sees a half-downloaded weights file under its final name.
#pragma once

#include <cstdint>
#include <string>

namespace fpt::io {

struct DownloadOptions {
  long   connect_timeout_seconds = 30;     // give up connecting after this long
  long   low_speed_seconds       = 60;     // abort an attempt that moves < 1 byte/s for this long
  int    retries                 = 3;      // further attempts after a dropped/stalled transfer
  double retry_delay_seconds     = 1.0;    // wait retry_number × this before each retry
  bool   quiet                   = false;  // no progress lines on stderr
  // Where an error message sends a user whose host is unreachable or lacks the file.
  std::string mirror_hint = "--base-url URL or the FPT_HUB_URL environment variable";
};

// Downloads `url` to `destination`. Bytes go to destination + ".partial"; an existing partial is
// resumed with "Range: bytes=N-" (a server answering 200 instead of 206 restarts it from byte 0; a
// 416 means the partial already holds the whole file). Redirects are followed (Hugging Face
// "resolve" URLs redirect to a CDN). A transfer that drops or stalls is retried `retries` times,
// each retry resuming where the last stopped. Then:
//   - expected_size (0 = unknown) must match the partial's size;
//   - expected_sha256 (lowercase hex; "" = not pinned, not checked) must match its SHA-256 — on a
//     mismatch the partial is deleted and the error gives both sums; so must expected_md5 (for
//     files whose publisher gives only an MD5);
//   - the partial is renamed to `destination`.
// Returns the file's SHA-256. Throws fpt::Error naming the URL on every failure: HTTP 404 (the
// file or revision does not exist there), other HTTP errors, and offline / DNS / refused
// connections (the message suggests options.mirror_hint or copying the file to `destination` by
// hand). Progress (bytes, MB/s) goes to stderr every few seconds unless quiet.
std::string download_file(const std::string& url, const std::string& destination,
                          const std::string& expected_sha256, uint64_t expected_size,
                          const DownloadOptions& options, const std::string& expected_md5 = "");

// The name the bytes are written under while downloading: destination + ".partial".
std::string partial_path_for(const std::string& destination);

}  // namespace fpt::io
