// Collection: a sweep's per-experiment run files (results/<sweep>/<id>.h5) gathered into memory —
// with unreadable files named and skipped, and files of another sweep or grid refused unless
// asked — and written as ONE file, results/<sweep>.h5, whose /summary compound dataset (one row
// per experiment) h5py and pandas load in one call and whose /curves/<id>/ hold every learning
// curve. The collection file is derived: rebuilt from the run files whenever asked, atomically.
// Layout: docs/results-format.md ("Sweep collection").
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fpt/core/run_result.h"

namespace fpt::results {

inline constexpr const char* kCollectionFormat        = "fpt-collection";  // root `format`
inline constexpr int64_t     kCollectionFormatVersion = 1;

// What to do with a run file that belongs to another sweep (its `sweep` attribute differs) or
// another grid (its id is not in the directory's plan_ids.txt).
enum class ForeignFiles {
  refuse,   // throw, naming them (the default: two grids' results must not mix in one table)
  skip,     // leave them out and report them
  include,  // tabulate them with the rest (and report them)
};
ForeignFiles parse_foreign_files(const std::string& text);  // refuse | skip | include

struct CollectOptions {
  // The grid's ids (sweep::read_plan_ids); nullopt: not checked.
  std::optional<std::set<std::string>> plan_ids;
  // The sweep the files must come from; "": `name:` of <dir>/sweep.yaml, else not checked (but
  // files of several sweeps in one directory are then refused, naming the sweeps).
  std::string  sweep_name;
  ForeignFiles foreign = ForeignFiles::refuse;
};

struct SkippedFile {
  std::filesystem::path path;
  std::string           reason;
};

struct Collection {
  std::filesystem::path        directory;
  std::string                  sweep;    // the sweep name checked against ("" when unknown)
  std::vector<core::RunResult> results;  // readable files in the grid (+ foreign ones if
                                         // included), sorted by tag then id
  std::vector<SkippedFile> corrupted;    // unreadable: named, skipped
  std::vector<SkippedFile> foreign;      // another sweep or grid: skipped or included
  bool                     foreign_included = false;
};

// Reads every `<dir>/*.h5` run file. Throws fpt::Error when `dir` is not a directory, or when
// foreign files are found under ForeignFiles::refuse (naming them and the two ways out).
Collection collect_run_files(const std::filesystem::path& dir, const CollectOptions& options);

// `results/<sweep>` -> `results/<sweep>.h5` (the directory's name plus .h5, beside it).
std::filesystem::path collection_path(const std::filesystem::path& dir);

// Writes the collection atomically (replacing an older one). Throws fpt::Error naming the file.
void write_collection(const std::filesystem::path& path, const Collection& collection);

// One line per skipped or included-foreign file ("skipped corrupted file X: why"); "" if none.
std::string describe_skipped(const Collection& collection);

}  // namespace fpt::results
