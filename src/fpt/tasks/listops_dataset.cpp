#include "fpt/tasks/listops_dataset.h"

#include <fmt/format.h>

#include <cstdlib>
#include <functional>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include "fpt/core/error.h"
#include "fpt/core/hashing.h"
#include "fpt/io/atomic_file.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSplitFiles[] = {"basic_train.tsv", "basic_val.tsv", "basic_test.tsv"};

void validate_sizes(const ListOpsDataOptions& options) {
  if (options.train_size < 1) fail("listops_train_size {} must be >= 1", options.train_size);
  if (options.eval_size < 1) fail("listops_eval_size {} must be >= 1", options.eval_size);
}

}  // namespace

std::string listops_data_settings_text(const ListOpsDataOptions& options) {
  const ListOpsGeneratorOptions& g = options.generator;
  // bump the version tag whenever the generator's output for the same settings changes
  return fmt::format(
      "fpt-listops-generator-v1 max_depth={} min_length={} max_length={} max_args={} "
      "digit_probability={:.17g} train_size={} eval_size={}",
      g.max_depth, g.min_length, g.max_length, g.max_args, g.digit_probability, options.train_size,
      options.eval_size);
}

uint64_t listops_data_seed(const ListOpsDataOptions& options) {
  return core::derive_seed(core::fnv1a_64(listops_data_settings_text(options)), 0);
}

fs::path listops_generated_directory(const ListOpsDataOptions& options) {
  return io::fpt_data_root() / "listops-generated" /
         core::hex64(core::fnv1a_64(listops_data_settings_text(options)));
}

ListOpsSplits generate_listops_splits(const ListOpsDataOptions& options) {
  validate_sizes(options);
  validate_listops_generator_options(options.generator);
  const int64_t total = options.train_size + 2 * options.eval_size;

  ListOpsGenerator            generator(options.generator, listops_data_seed(options));
  std::vector<ListOpsExample> examples;
  examples.reserve(static_cast<size_t>(total));
  // LRA keeps a set of trees; two trees are equal exactly when their texts are. Keyed by a hash
  // of the text (confirmed by comparing the texts) so the ~600 MB of full-size text is not held
  // twice.
  std::unordered_multimap<size_t, size_t> seen;
  seen.reserve(static_cast<size_t>(total));
  constexpr int64_t kMaxDuplicatesInARow = 100000;
  int64_t           duplicates_in_a_row  = 0;
  while (static_cast<int64_t>(examples.size()) < total) {
    const ListOpsExpression expression = generator.next();
    std::string             source     = to_lra_string(expression);
    const size_t            key        = std::hash<std::string_view>{}(source);
    bool                    duplicate  = false;
    for (auto [at, end] = seen.equal_range(key); at != end && !duplicate; ++at)
      duplicate = examples[at->second].source == source;
    if (duplicate) {
      if (++duplicates_in_a_row >= kMaxDuplicatesInARow)
        fail(
            "ListOps generator found only {} distinct expressions of the {} asked for "
            "(listops_train_size {} + 2 x listops_eval_size {}); lower the sizes or widen "
            "listops_min_length / listops_max_length / listops_max_depth",
            examples.size(), total, options.train_size, options.eval_size);
      continue;
    }
    duplicates_in_a_row = 0;
    seen.emplace(key, examples.size());
    ListOpsExample example;
    example.target = evaluate(expression);
    example.source = std::move(source);
    examples.push_back(std::move(example));
  }

  ListOpsSplits splits;
  auto          take = [&](std::vector<ListOpsExample>& split, int64_t begin, int64_t count) {
    split.assign(std::make_move_iterator(examples.begin() + begin),
                          std::make_move_iterator(examples.begin() + begin + count));
    for (size_t i = 0; i < split.size(); ++i) split[i].line = static_cast<int64_t>(i) + 2;
  };
  take(splits.train, 0, options.train_size);
  take(splits.val, options.train_size, options.eval_size);
  take(splits.test, options.train_size + options.eval_size, options.eval_size);
  return splits;
}

fs::path ensure_generated_listops(const ListOpsDataOptions& options) {
  validate_sizes(options);
  validate_listops_generator_options(options.generator);
  const fs::path directory = listops_generated_directory(options);
  bool           complete  = true;
  for (const char* file : kSplitFiles) complete = complete && fs::is_regular_file(directory / file);
  if (complete) return directory;

  std::error_code error;
  fs::create_directories(directory, error);
  if (error || !fs::is_directory(directory))
    fail(
        "cannot create the ListOps data directory {} ({}); set FPT_DATA_DIR to a writable "
        "directory",
        directory.string(), error ? error.message() : "exists and is not a directory");
  ListOpsSplits splits = generate_listops_splits(options);
  // Each file is written under a per-process temporary name and renamed into place, so a rank
  // that races with another only ever sees complete files; both write the same bytes.
  // for a person browsing the cache: which settings made this directory
  io::write_text_atomically(directory / "settings.txt", listops_data_settings_text(options) + "\n");
  write_listops_tsv(directory / kSplitFiles[0], splits.train);
  write_listops_tsv(directory / kSplitFiles[1], splits.val);
  write_listops_tsv(directory / kSplitFiles[2], splits.test);
  return directory;
}

}  // namespace fpt::tasks
