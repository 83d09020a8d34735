// fpt_prepare listops --verify FILE: recomputes the Target of every line of an LRA ListOps TSV file
// with the evaluator and reports every line that disagrees or cannot be read — all of them, not
// just the first — so a corrupted or mislabelled file is caught before any training.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fpt::tasks {

struct ListOpsLineProblem {
  int64_t     line = 0;  // 1-based (the header is line 1)
  std::string message;   // e.g. "Target 3, the expression evaluates to 7"
};

struct ListOpsVerifyReport {
  int64_t                         examples = 0;  // lines read as examples (good or not)
  int64_t                         agree    = 0;  // Target == value
  std::vector<ListOpsLineProblem> disagree;      // parsed, but Target != value
  std::vector<ListOpsLineProblem> unparsable;    // wrong field count, bad Target, bad Source

  bool ok() const { return disagree.empty() && unparsable.empty(); }
};

// Checks every line of `tsv_file`. Fails (fpt::Error) only when the file cannot be read at all:
// missing, empty, or a header without Source and Target.
ListOpsVerifyReport verify_listops_file(const std::filesystem::path& tsv_file);

}  // namespace fpt::tasks
