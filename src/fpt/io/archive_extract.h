// extract_members: unpacks chosen members of a .tar.gz release archive (CIFAR-10, the LRA release,
// TAPE) with libarchive — only regular files, never an absolute path or a ".." component, and
// atomically: everything is written below a temporary directory first and renamed into place only
// when the whole selection came out intact, so an interrupted or failed extraction never leaves a
// half-written file under a name a reader looks for.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace fpt::io {

struct ArchiveSelection {
  // Member paths to extract: an exact path ("lra_release/listops-1000/basic_train.tsv"), or a
  // directory prefix ending in '/' ("cifar-10-batches-bin/": every file below it). A leading "./"
  // in the archive's names is ignored.
  std::vector<std::string> members;
  // Removed from the front of every extracted path ("lra_release/listops-1000/"; "" = keep paths).
  std::string strip_prefix;
};

// Extracts the selected members of the tar(.gz) at `archive_path` into `directory` (created if
// needed): written into "<directory>/.extracting-<archive file name>" (removed first if an earlier
// run was killed), then each top-level output (a file, or a directory such as
// cifar-10-batches-bin/) replaces the one of the same name in `directory`. Returns each extracted
// file's path relative to `directory` → its SHA-256. Throws fpt::Error naming the archive and the
// member for: an unsafe member path (absolute, "..", "."), a selected member that is not a regular
// file or directory (symlinks, devices), a corrupt or truncated archive, and a selection entry
// that matches nothing (naming the entry: the wrong archive, or a changed release layout). On any
// error the temporary directory is removed and `directory`'s earlier contents stay as they were.
// libarchive catches broken structure (truncation, bad deflate data, damaged tar headers) but not
// every flipped byte (it does not check the gzip CRC): callers verify the archive's SHA-256 first.
std::map<std::string, std::string> extract_members(const std::string&      archive_path,
                                                   const ArchiveSelection& selection,
                                                   const std::string&      directory);

}  // namespace fpt::io
