#include "fpt/results/figures/attention_map_file.h"

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"

namespace fpt::results {
namespace {

constexpr const char* kMagic = "# fpt attention map";

std::vector<std::string> split_tabs(const std::string& text) {
  std::vector<std::string> parts;
  if (text.empty()) return parts;
  size_t start = 0;
  while (true) {
    const size_t tab = text.find('\t', start);
    parts.push_back(text.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return parts;
    start = tab + 1;
  }
}

int64_t integer_value(const std::map<std::string, std::string>& header, const std::string& key,
                      const std::string& where) {
  const std::string& text = header.at(key);
  try {
    size_t        used  = 0;
    const int64_t value = std::stoll(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  fail("{}: header '{}' must be an integer >= 0, got '{}'", where, key, text);
}

}  // namespace

void write_attention_map(const std::filesystem::path& path, const AttentionMap& map) {
  const int64_t tokens = map.tokens();
  if (tokens == 0 || static_cast<int64_t>(map.probabilities.size()) != tokens * tokens)
    fail("{}: an attention map over {} tokens needs {} probabilities, got {}", path.string(),
         tokens, tokens * tokens, map.probabilities.size());
  std::string text = std::string(kMagic) + "\n";
  text += fmt::format("# tag {}\n# id {}\n# task {}\n# layer {}\n# head {}\n# output_tokens {}\n",
                      map.tag, map.id, map.task, map.layer, map.head, map.output_tokens);
  text += fmt::format("# labels {}\n", fmt::join(map.labels, "\t"));
  text += fmt::format("# targets {}\n", fmt::join(map.targets, "\t"));
  for (int64_t query = 0; query < tokens; ++query) {
    for (int64_t key = 0; key < tokens; ++key)
      text += fmt::format("{}{:.9g}", key == 0 ? "" : "\t", map.at(query, key));
    text += "\n";
  }
  io::write_text_atomically(path, text);
}

AttentionMap read_attention_map(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    fail("{}: cannot read the attention map (write one with `fpt_train ... --attention-map FILE`)",
         path.string());
  const std::string                  file = path.string();
  std::map<std::string, std::string> header;
  std::vector<std::vector<double>>   rows;
  std::string                        line;
  int                                number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string where = fmt::format("{}:{}", file, number);
    if (number == 1 && line != kMagic)
      fail("{}: not an fpt attention map (the first line must be '{}')", where, kMagic);
    if (line.rfind("# ", 0) == 0) {
      const std::string rest  = line.substr(2);
      const size_t      space = rest.find(' ');
      if (space != std::string::npos) header[rest.substr(0, space)] = rest.substr(space + 1);
      continue;
    }
    if (line.empty()) continue;
    std::vector<double> row;
    for (const std::string& cell : split_tabs(line)) {
      double value = NAN;
      try {
        size_t used = 0;
        value       = std::stod(cell, &used);
        if (used != cell.size()) value = NAN;
      } catch (const std::exception&) {
      }
      if (!(value >= 0.0 && value <= 1.0))
        fail("{}: '{}' is not a probability in [0, 1]", where, cell);
      row.push_back(value);
    }
    double sum = 0;
    for (double value : row) sum += value;
    if (std::abs(sum - 1.0) > 1e-4)
      fail("{}: attention row {} sums to {}, not 1", where, rows.size(), sum);
    rows.push_back(std::move(row));
  }
  for (const char* key : {"tag", "id", "task", "layer", "head", "output_tokens", "labels"})
    if (!header.count(key)) fail("{}: the header line '# {} ...' is missing", file, key);

  AttentionMap map;
  map.tag             = header["tag"];
  map.id              = header["id"];
  map.task            = header["task"];
  map.layer           = integer_value(header, "layer", file);
  map.head            = integer_value(header, "head", file);
  map.output_tokens   = integer_value(header, "output_tokens", file);
  map.labels          = split_tabs(header["labels"]);
  map.targets         = split_tabs(header.count("targets") ? header["targets"] : "");
  const size_t tokens = map.labels.size();
  if (rows.size() != tokens)
    fail("{}: {} labels but {} rows of probabilities; the map must be square", file, tokens,
         rows.size());
  for (size_t query = 0; query < rows.size(); ++query) {
    if (rows[query].size() != tokens)
      fail("{}: row {} has {} values, expected {}", file, query, rows[query].size(), tokens);
    map.probabilities.insert(map.probabilities.end(), rows[query].begin(), rows[query].end());
  }
  return map;
}

}  // namespace fpt::results
