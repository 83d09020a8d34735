// Atomic file creation: write under a temporary name in the same directory, then rename, so a
// reader (or a crash) never sees a half-written file. Also the up-front writability check a sweep
// runs before any training starts.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace fpt::io {

// The temporary name used for `path` while it is written: "<path>.tmp.<pid>" (pid keeps two
// processes writing the same file from clobbering each other's temporary).
std::filesystem::path temporary_path_for(const std::filesystem::path& path);

// Calls write(temporary), flushes it to disk and renames it to `path` (then flushes the
// directory); removes the temporary if write throws.
void write_atomically(const std::filesystem::path&                             path,
                      const std::function<void(const std::filesystem::path&)>& write);

// Removes the temporaries ("<name>.tmp.<pid>") a crashed writer left in `directory`; returns how
// many. Call it only when no other process writes there (a sweep holds its ledger lock).
size_t remove_stale_temporaries(const std::filesystem::path& directory);

// Writes `text` to `path` atomically.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

// Creates `directory` (and parents) and proves it writable by creating and removing a probe file;
// throws fpt::Error naming the directory and the reason otherwise.
void ensure_writable_directory(const std::filesystem::path& directory);

}  // namespace fpt::io
