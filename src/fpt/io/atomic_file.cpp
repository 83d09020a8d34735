#include "fpt/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "fpt/core/error.h"

namespace fpt::io {

namespace fs = std::filesystem;

fs::path temporary_path_for(const fs::path& path) {
  return fs::path(path.string() + ".tmp." + std::to_string(::getpid()));
}

namespace {

// Flushes `path` (a file or a directory) to stable storage; best effort (some file systems refuse
// fsync on directories).
void sync_to_disk(const fs::path& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) return;
  ::fsync(descriptor);
  ::close(descriptor);
}

}  // namespace

void write_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  const fs::path temporary = temporary_path_for(path);
  try {
    write(temporary);
    // The contents reach the disk before the name does: after a power loss or a node crash the
    // file is either the old one or the whole new one (and a checkpoint removed after a result
    // was written is never the only copy of the progress).
    sync_to_disk(temporary);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw;
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    fs::remove(temporary, error);
    fail("could not move {} into place as {}: {}", temporary.string(), path.string(),
         error.message());
  }
  sync_to_disk(path.has_parent_path() ? path.parent_path() : fs::path("."));
}

size_t remove_stale_temporaries(const fs::path& directory) {
  size_t          removed = 0;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    const size_t      mark = name.rfind(".tmp.");
    if (mark == std::string::npos || !entry.is_regular_file(error)) continue;
    const std::string pid = name.substr(mark + 5);
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (fs::remove(entry.path(), error)) ++removed;
  }
  return removed;
}

void write_text_atomically(const fs::path& path, const std::string& text) {
  write_atomically(path, [&](const fs::path& temporary) {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) fail("cannot open {} for writing: {}", temporary.string(), std::strerror(errno));
    out << text;
    out.flush();
    if (!out) fail("error writing {}: {}", temporary.string(), std::strerror(errno));
  });
}

void ensure_writable_directory(const fs::path& directory) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error)
    fail("output directory {} cannot be created: {}; choose another with --output",
         directory.string(), error.message());
  if (!fs::is_directory(directory))
    fail("output path {} exists and is not a directory; choose another with --output",
         directory.string());
  const fs::path probe = directory / (".fpt-write-probe." + std::to_string(::getpid()));
  {
    std::ofstream out(probe);
    if (!out)
      fail(
          "output directory {} is not writable ({}); fix its permissions or choose another with "
          "--output",
          directory.string(), std::strerror(errno));
  }
  fs::remove(probe, error);
}

}  // namespace fpt::io
