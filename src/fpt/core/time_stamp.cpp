#include "fpt/core/time_stamp.h"

#include <ctime>

namespace fpt::core {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm           utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace fpt::core
