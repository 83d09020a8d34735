// The Long Range Arena ListOps file format: a tab-separated table with a header row naming the
// columns `Source` (the expression in LRA text, see listops_expression.h) and `Target` (its value
// 0-9), in any order, possibly beside other columns; one example per line. LRA's csv.writer ends
// lines with "\r\n"; the reader accepts "\n" and "\r\n", the writer writes "\n". Fields are never
// quoted (LRA text holds no tab or quote).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace fpt::tasks {

struct ListOpsExample {
  std::string source;      // the expression as LRA writes it
  int         target = 0;  // its value 0..9
  int64_t     line = 0;  // 1-based line in the file it came from (the header is line 1); 0 if none
};

// All examples of `path`. Fails, naming the file (and line), when the file is missing or empty,
// the header lacks Source or Target, a line has the wrong number of fields, or a Target is not an
// integer in 0..9.
std::vector<ListOpsExample> read_listops_tsv(const std::filesystem::path& path);

// The same reading, one example at a time: calls visit(example) in file order without holding the
// file in memory (the LRA train file is ~600 MB). Same checks and errors; returns the count.
int64_t for_each_listops_tsv_example(const std::filesystem::path&                      path,
                                     const std::function<void(const ListOpsExample&)>& visit);

// The file text for `examples` (header "Source\tTarget", then one line each).
std::string listops_tsv_text(const std::vector<ListOpsExample>& examples);

// Writes `examples` to `path` atomically (temporary name, then rename), so concurrent readers and
// writers of the same file (two MPI ranks) never see a half-written file.
void write_listops_tsv(const std::filesystem::path&       path,
                       const std::vector<ListOpsExample>& examples);

// Checks the Target against the value of the Source (parse + evaluate); fails naming `path`:line
// on a mismatch or an unreadable Source.
void verify_listops_target(const ListOpsExample& example, const std::filesystem::path& path);
void verify_listops_targets(const std::vector<ListOpsExample>& examples,
                            const std::filesystem::path&       path);

}  // namespace fpt::tasks
