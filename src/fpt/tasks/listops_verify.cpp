#include "fpt/tasks/listops_verify.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>

#include "fpt/core/error.h"
#include "fpt/tasks/listops_expression.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t                        start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool read_line(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace

ListOpsVerifyReport verify_listops_file(const fs::path& tsv_file) {
  std::error_code error;
  if (!fs::is_regular_file(tsv_file, error))
    fail("{}: no such file (expected an LRA ListOps TSV file such as basic_train.tsv)",
         tsv_file.string());
  std::ifstream in(tsv_file, std::ios::binary);
  if (!in) fail("cannot open {}: {}", tsv_file.string(), std::strerror(errno));
  std::string line;
  if (!read_line(in, line))
    fail("{}: the file is empty; expected a header row 'Source<TAB>Target' and examples",
         tsv_file.string());
  const std::vector<std::string_view> header        = split_tabs(line);
  size_t                              source_column = header.size(), target_column = header.size();
  for (size_t i = 0; i < header.size(); ++i) {
    if (trim(header[i]) == "Source") source_column = i;
    if (trim(header[i]) == "Target") target_column = i;
  }
  if (source_column == header.size() || target_column == header.size())
    fail(
        "{}:1: the header lacks the column {}; an LRA ListOps file starts with "
        "'Source<TAB>Target'",
        tsv_file.string(), source_column == header.size() ? "Source" : "Target");

  ListOpsVerifyReport report;
  int64_t             line_number = 1;
  int64_t             blank_since = 0;  // first line of a run of blank lines; 0 if none
  while (read_line(in, line)) {
    ++line_number;
    if (trim(line).empty()) {
      if (blank_since == 0) blank_since = line_number;
      continue;
    }
    if (blank_since != 0) {  // blank lines are allowed only at the end of the file
      report.unparsable.push_back({blank_since, "blank line inside the data"});
      blank_since = 0;
    }
    ++report.examples;
    const std::vector<std::string_view> fields = split_tabs(line);
    if (fields.size() != header.size()) {
      report.unparsable.push_back(
          {line_number, fmt::format("expected {} tab-separated fields as in the header, found {}",
                                    header.size(), fields.size())});
      continue;
    }
    const std::string_view target_text = trim(fields[target_column]);
    if (target_text.size() != 1 || target_text[0] < '0' || target_text[0] > '9') {
      report.unparsable.push_back(
          {line_number, fmt::format("Target '{}' is not a value 0-9", target_text.substr(0, 20))});
      continue;
    }
    const int target = target_text[0] - '0';
    try {
      // context "Source": the report prefixes file and line itself
      const int value = evaluate_lra_string(trim(fields[source_column]), "Source");
      if (value == target)
        ++report.agree;
      else
        report.disagree.push_back(
            {line_number, fmt::format("Target {}, the expression evaluates to {}", target, value)});
    } catch (const Error& problem) {
      report.unparsable.push_back({line_number, problem.what()});
    }
  }
  if (in.bad()) fail("error reading {}: {}", tsv_file.string(), std::strerror(errno));
  return report;
}

}  // namespace fpt::tasks
