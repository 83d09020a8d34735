#include "fpt/tasks/listops_arrays.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/io/sha256.h"
#include "fpt/tasks/listops_tsv.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

namespace {

// A 1-D tensor that takes over `values` without copying (the LRA train split holds ~100 M ids).
template <typename T>
torch::Tensor adopt_vector(std::vector<T>&& values, torch::ScalarType dtype) {
  auto*         owned = new std::vector<T>(std::move(values));
  const int64_t size  = static_cast<int64_t>(owned->size());
  return torch::from_blob(
      owned->data(), {size}, [owned](void*) { delete owned; }, torch::TensorOptions(dtype));
}

}  // namespace

ExampleArrays read_listops_arrays(const fs::path& tsv_file, bool checksum) {
  std::vector<int16_t> values;
  std::vector<int64_t> offsets = {0};
  std::vector<int64_t> labels;
  const std::string    file = tsv_file.string();
  for_each_listops_tsv_example(tsv_file, [&](const ListOpsExample& example) {
    verify_listops_target(example, tsv_file);
    const std::vector<uint8_t> ids = listops_token_ids(
        example.source, ListOpsTokenization::corrected, file + ":" + std::to_string(example.line));
    values.insert(values.end(), ids.begin(), ids.end());
    offsets.push_back(static_cast<int64_t>(values.size()));
    labels.push_back(example.target);
  });
  ExampleArrays arrays;
  arrays.values                                = adopt_vector(std::move(values), torch::kShort);
  arrays.offsets                               = adopt_vector(std::move(offsets), torch::kLong);
  arrays.labels                                = adopt_vector(std::move(labels), torch::kLong);
  arrays.sources[tsv_file.filename().string()] = checksum ? io::sha256_file(file) : "";
  return arrays;
}

ListOpsTokens listops_tokens_from_arrays(const ExampleArrays& arrays,
                                         ListOpsTokenization tokenization, int64_t max_tokens,
                                         const std::function<std::string(int64_t)>& describe) {
  if (max_tokens < 0)
    fail("listops_max_tokens {} must be >= 0 (0: the mode's default)", max_tokens);
  if (!arrays.variable_length() || arrays.values.scalar_type() != torch::kShort)
    fail("ListOps data must be variable-length int16 ids");
  const int64_t count = arrays.size();
  if (count == 0) fail("{}: no ListOps examples to tokenise", describe(-1));
  if (arrays.labels.min().item<int64_t>() < 0 || arrays.labels.max().item<int64_t>() > 9)
    fail("{}: labels outside 0..9; the data is damaged", describe(-1));
  const bool     keep_close = tokenization == ListOpsTokenization::corrected;
  const int16_t* ids        = arrays.values.data_ptr<int16_t>();
  const int64_t* offsets    = arrays.offsets.data_ptr<int64_t>();

  // pass 1: every example's length in this mode (before any cut) and the longest
  std::vector<int64_t> lengths(static_cast<size_t>(count));
  int64_t              longest = 0;
  for (int64_t i = 0; i < count; ++i) {
    int64_t length = 0;
    for (int64_t at = offsets[i]; at < offsets[i + 1]; ++at) {
      const int16_t id = ids[at];
      if (id < kListOpsFirstDigitId || id > kListOpsCloseId)
        fail("{}: token id {} is not a ListOps id (1..15); the data is damaged", describe(i), id);
      if (keep_close || id != kListOpsCloseId) ++length;
    }
    lengths[static_cast<size_t>(i)] = length;
    longest                         = std::max(longest, length);
    if (max_tokens > 0 && length > max_tokens && keep_close)
      fail(
          "{}: the example has {} tokens but listops_max_tokens is {}; corrected mode never "
          "truncates (it would lose the tree structure): raise listops_max_tokens or set it "
          "to 0 (the longest example)",
          describe(i), length, max_tokens);
  }

  // pass 2: pack (N, T), pad 0; paper mode keeps the first max_tokens ids (the official cut)
  const int64_t length = max_tokens > 0 ? max_tokens : longest;
  auto          packed = torch::zeros({count, length}, torch::kByte);  // (N, T)
  uint8_t*      out    = packed.data_ptr<uint8_t>();
  for (int64_t i = 0; i < count; ++i) {
    uint8_t* row     = out + i * length;
    int64_t  written = 0;
    for (int64_t at = offsets[i]; at < offsets[i + 1] && written < length; ++at)
      if (keep_close || ids[at] != kListOpsCloseId) row[written++] = static_cast<uint8_t>(ids[at]);
  }
  ListOpsTokens result;
  result.tokens  = packed;
  result.labels  = arrays.labels.to(torch::kLong).clone();  // (N)
  result.longest = longest;
  return result;
}

}  // namespace fpt::tasks
