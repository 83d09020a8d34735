// The end of a sweep (fpt_sweep calls this after its summary): the paper's tables that the
// sweep's results can fill, in Markdown, and where the files are — the run files, and the
// collection results/<sweep>.h5 this writes (rebuilt from the run files each time).
#pragma once

#include <filesystem>
#include <string>

namespace fpt::results::tables {

// Never throws: a problem (unreadable directory, collection not writable) becomes a line of the
// text. Files of another sweep or grid are left out and named; corrupted files are named.
std::string render_available_tables(const std::filesystem::path& results_dir);

}  // namespace fpt::results::tables
