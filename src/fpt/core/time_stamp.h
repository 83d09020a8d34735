// Time stamps written into result files and the sweep ledger.
#pragma once

#include <string>

namespace fpt::core {

// ISO 8601 UTC time stamp of now, e.g. 2026-11-30T12:00:00Z.
std::string utc_now();

}  // namespace fpt::core
