#include "fpt/io/atomic_file.h"

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

void write_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  const fs::path temporary = temporary_path_for(path);
  try {
    write(temporary);
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
