// Small helpers the io tests share: the message of the fpt::Error an action throws, substring
// checks, and download options that keep a test quiet and fast.
#pragma once

#include <functional>
#include <string>

#include "../error_message.h"
#include "fpt/core/error.h"
#include "fpt/io/http_download.h"

namespace fpt::io::testing {

using fpt::test::error_of;

// The message of the fpt::Error `action` throws; "" when it throws nothing.
inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// No progress lines, no waiting between retries.
inline DownloadOptions quiet_options() {
  DownloadOptions options;
  options.quiet               = true;
  options.retry_delay_seconds = 0;
  return options;
}

}  // namespace fpt::io::testing
