// The end of a sweep (fpt_sweep calls this after its summary): the paper's tables that the
// sweep's results can fill, in Markdown, and where the files are — the run files, and the
// collection results/<sweep>.h5 this writes (rebuilt from the run files each time).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace fpt::results::tables {

// Which tables are printed in full: the sweep's own — those whose definition names the sweep
// (TableDefinition::sweep) and those its file lists (`tables:`, passed as `sweep_tables`) — and,
// for a sweep that fills none of its own, every table in which its results compare something
// (FilledTable::compares). The rest that the results touch are named in one line, as are the
// tables they cannot fill. Printed tables show only their rows and columns with results.
//
// Never throws: a problem (unreadable directory, collection not writable) becomes a line of the
// text. Files of another sweep or grid are left out and named; corrupted files are named.
std::string render_available_tables(const std::filesystem::path&    results_dir,
                                    const std::vector<std::string>& sweep_tables = {});

}  // namespace fpt::results::tables
