#include "fpt/tasks/shards_or_raw.h"

#include <fmt/format.h>

#include <cstdio>

#include "fpt/core/error.h"
#include "fpt/io/sha256.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

namespace {

// "" when `recorded` (the shards' sources) names exactly `files` with their SHA-256 sums, else
// the first difference, for the stderr line.
std::string source_difference(const std::map<std::string, std::string>& recorded,
                              const SplitFiles&                         files) {
  for (const auto& [name, path] : files) {
    const auto        sum  = recorded.find(name);
    const std::string here = io::sha256_file(path.string());
    if (sum == recorded.end())
      return fmt::format("they record no {} (SHA-256 {} here: {})", name, here.substr(0, 12),
                         path.string());
    if (sum->second != here)
      return fmt::format("{} had SHA-256 {}, {} has {}", name, sum->second.substr(0, 12),
                         path.string(), here.substr(0, 12));
  }
  for (const auto& [name, sum] : recorded)
    if (files.count(name) == 0)
      return fmt::format("they were made from {}, which is not among the files read here", name);
  return "";
}

std::string describe_sources(const std::map<std::string, std::string>& sources) {
  std::string text;
  for (const auto& [name, sum] : sources)
    text += fmt::format("{}{} ({})", text.empty() ? "" : ", ", name, sum.substr(0, 12));
  return text;
}

// Opens one split's shards and checks they hold `place`'s data set: the encoding alone cannot tell
// Fashion-MNIST shards from MNIST ones (e.g. `fpt_prepare fashion-mnist --out data_shards/mnist`).
ShardSplitInfo open_place_split(const ShardPlace& place, const std::string& split) {
  ShardSplitInfo info = open_shard_split(place.directory, split, place.encoding);
  if (info.dataset != place.dataset)
    fail(
        "{}: the shards of split '{}' hold data set '{}', not '{}'; move them to their own "
        "directory or rerun {}",
        place.directory.string(), split, info.dataset, place.dataset, place.prepare);
  return info;
}

std::vector<ExampleArrays> read_all(const std::vector<ShardSplitInfo>& infos) {
  std::vector<ExampleArrays> splits;
  for (const ShardSplitInfo& info : infos) splits.push_back(read_shard_split(info));
  return splits;
}

}  // namespace

std::optional<std::vector<ShardSplitInfo>> matching_shards(
    const ShardPlace& place, const std::vector<std::pair<std::string, SplitFiles>>& splits) {
  bool any = false;
  for (const auto& [split, files] : splits) any = any || shard_split_exists(place.directory, split);
  if (!any) return std::nullopt;
  std::vector<ShardSplitInfo> infos;
  for (const auto& [split, files] : splits) {
    if (!shard_split_exists(place.directory, split))
      fail("{}: shards of split '{}' are missing beside the other {} splits; rerun {}",
           place.directory.string(), split, place.dataset, place.prepare);
    ShardSplitInfo    info       = open_place_split(place, split);
    const std::string difference = source_difference(info.sources, files);
    if (!difference.empty()) {
      fmt::print(stderr,
                 "{}: not using the shards in {}: split '{}' was prepared from other files "
                 "({}); reading the raw files (rerun {} to use shards)\n",
                 place.dataset, place.directory.string(), split, difference, place.prepare);
      return std::nullopt;
    }
    infos.push_back(std::move(info));
  }
  return infos;
}

LoadedSplits load_splits(const ShardPlace& place, const std::vector<std::string>& splits,
                         const std::optional<std::vector<SplitFiles>>&           raw,
                         const std::function<ExampleArrays(const std::string&)>& read_raw,
                         const std::function<void()>&                            not_found) {
  LoadedSplits loaded;
  if (raw) {
    if (raw->size() != splits.size())
      fail("{}: {} splits but raw files for {}", place.dataset, splits.size(), raw->size());
    std::vector<std::pair<std::string, SplitFiles>> wanted;
    for (size_t i = 0; i < splits.size(); ++i) wanted.emplace_back(splits[i], (*raw)[i]);
    if (auto infos = matching_shards(place, wanted)) {
      fmt::print(stderr, "{}: reading the shards in {} (made from the raw files read here)\n",
                 place.dataset, place.directory.string());
      loaded.splits      = read_all(*infos);
      loaded.from_shards = true;
    } else {
      for (const std::string& split : splits) loaded.splits.push_back(read_raw(split));
    }
    return loaded;
  }

  // No raw files: the shards are the data, if there are any.
  bool any = false;
  for (const std::string& split : splits) any = any || shard_split_exists(place.directory, split);
  if (!any) {
    try {
      not_found();
    } catch (const Error& error) {
      fail("{}\nNo prepared shards either (looked in {}; FPT_SHARDS_DIR sets their root).",
           error.what(), place.directory.string());
    }
    fail("{}: no raw files and no shards in {}", place.dataset, place.directory.string());
  }
  std::vector<ShardSplitInfo> infos;
  for (const std::string& split : splits) infos.push_back(open_place_split(place, split));
  fmt::print(stderr,
             "{}: no raw files found; reading the shards in {} (made from {}; not checked "
             "against raw files)\n",
             place.dataset, place.directory.string(), describe_sources(infos.front().sources));
  loaded.splits      = read_all(infos);
  loaded.from_shards = true;
  return loaded;
}

}  // namespace fpt::tasks
