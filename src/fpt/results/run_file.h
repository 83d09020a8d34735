// RunFile: one HDF5 file per experiment (results/<sweep>/<id>.h5) holding a core::RunResult —
// identity, spec, outcome, learning curve, final metrics, parameter counts, where and how it ran.
// Written under a temporary name and renamed, so a crash never leaves a half-written run file;
// the layout (documented in docs/results-format.md) is plain groups, attributes and 1-D datasets
// that h5py, pandas and h5dump read directly.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fpt/core/run_result.h"
#include "fpt/io/hdf5_file.h"

namespace fpt::results {

// Version 2 added /eval_splits (each split of the final full pass); version 1 reads with none.
inline constexpr const char* kRunFileFormat        = "fpt-run";  // root attribute `format`
inline constexpr int64_t     kRunFileFormatVersion = 2;          // root attribute `format_version`

// Writes `result` to `path` atomically (temporary file, then rename), replacing any file there.
// Throws fpt::Error naming the file when it cannot be written; the previous file at `path`, if
// any, is then left untouched and no temporary file remains.
void write_run_file(const std::filesystem::path& path, const core::RunResult& result);

// Reads a run file back into a RunResult (every field, the spec from its canonical JSON).
// Throws fpt::Error naming the file when it is missing, not HDF5, not an fpt run file, written by
// a newer format version, or lacks a field.
core::RunResult read_run_file(const std::filesystem::path& path);

// Just the `status` attribute ("completed" | "failed"), cheaply, for skipping finished
// experiments. nullopt when the file is missing, unreadable, corrupt or not an fpt run file.
std::optional<std::string> read_run_status(const std::filesystem::path& path);

// Writes `curve` as the group `parent/name` with one dataset per field (step, train_loss,
// train_accuracy, eval_loss, eval_accuracy, elapsed_seconds): the run file's /curves layout, also
// used for each experiment in a sweep collection.
void write_curve_columns(const io::Hdf5Node& parent, const std::string& name,
                         const std::vector<core::CurvePoint>& curve);

}  // namespace fpt::results
