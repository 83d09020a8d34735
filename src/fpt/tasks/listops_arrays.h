// ListOps as ExampleArrays, the form data shards store: per example the int16 ids of every LRA
// token — digits '0'..'9' -> 1..10, [MAX [MIN [MED [SM -> 11..14, ']' -> 15 (the corrected
// tokenisation's ids, listops_tokenizer.h) — and the Target as label. Both modes derive from it
// exactly: corrected = the ids as stored; paper = the ids without 15 (the official tokenizer drops
// brackets), cut at max_tokens. The ListOps task reads TSV files and shards through this one path,
// so both give the same tokens by construction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "fpt/tasks/example_arrays.h"
#include "fpt/tasks/listops_tokenizer.h"

namespace fpt::tasks {

// The meaning of the stored values; shards of another encoding are rejected.
constexpr const char* kListOpsShardEncoding = "listops-lra-ids-v1";

// Reads an LRA TSV file, checking every Target against the evaluator (fails naming file:line, as
// verify_listops_target). `checksum`: also record the file's SHA-256 in sources (keyed by file
// name); otherwise sources holds the name with "".
ExampleArrays read_listops_arrays(const std::filesystem::path& tsv_file, bool checksum);

// The (N, T) uint8 tokens of one mode from ListOps ExampleArrays, exactly as
// ListOpsTokenAccumulator makes them from the text: T = max_tokens, or the longest example when 0;
// paper mode cuts, corrected mode fails on a longer example. `describe(i)` names example i in
// errors (e.g. "basic_train.tsv:5").
ListOpsTokens listops_tokens_from_arrays(const ExampleArrays& arrays,
                                         ListOpsTokenization tokenization, int64_t max_tokens,
                                         const std::function<std::string(int64_t)>& describe);

}  // namespace fpt::tasks
