#include "fpt/tasks/listops_tsv.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"
#include "fpt/tasks/listops_expression.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

namespace {

// Splits `line` at tabs into `fields` (views into `line`).
void split_tabs(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return;
    }
    fields.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

// Reads one line without its "\n" or "\r\n"; false at the end of the file.
bool read_line(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

int64_t for_each_listops_tsv_example(const fs::path&                                   path,
                                     const std::function<void(const ListOpsExample&)>& visit) {
  std::error_code error;
  if (!fs::is_regular_file(path, error))
    fail("ListOps file {} does not exist (expected an LRA TSV file such as basic_train.tsv)",
         path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open ListOps file {}: {}", path.string(), std::strerror(errno));

  std::string line;
  if (!read_line(in, line))
    fail("{}: the file is empty; expected a header row 'Source<TAB>Target' and examples",
         path.string());
  std::vector<std::string_view> fields;
  split_tabs(line, fields);
  const size_t header_fields = fields.size();
  size_t       source_column = header_fields, target_column = header_fields;
  for (size_t i = 0; i < header_fields; ++i) {
    const std::string_view name = trim(fields[i]);
    if (name == "Source") source_column = i;
    if (name == "Target") target_column = i;
  }
  if (source_column == header_fields || target_column == header_fields)
    fail(
        "{}:1: the header '{}' lacks the column {}; an LRA ListOps file starts with the "
        "tab-separated header 'Source<TAB>Target'",
        path.string(), line.substr(0, 80), source_column == header_fields ? "Source" : "Target");

  ListOpsExample example;  // reused: its source keeps its capacity from line to line
  int64_t        count       = 0;
  int64_t        line_number = 1;
  int64_t        blank_lines = 0;  // blank lines are allowed only at the end of the file
  while (read_line(in, line)) {
    ++line_number;
    if (line.empty()) {
      ++blank_lines;
      continue;
    }
    if (blank_lines > 0)
      fail("{}:{}: blank line inside the data; every line after the header must be an example",
           path.string(), line_number - 1);
    split_tabs(line, fields);
    if (fields.size() != header_fields)
      fail("{}:{}: expected {} tab-separated fields as in the header, found {}", path.string(),
           line_number, header_fields, fields.size());
    const std::string_view target_text = trim(fields[target_column]);
    const std::string_view magnitude =
        !target_text.empty() && target_text.front() == '-' ? target_text.substr(1) : target_text;
    if (magnitude.empty() || magnitude.find_first_not_of("0123456789") != std::string_view::npos)
      fail("{}:{}: Target '{}' is not an integer (expected a value 0-9)", path.string(),
           line_number, target_text.substr(0, 20));
    // a value with more than 9 digits is out of range anyway; the cap keeps stol from overflowing
    const long value  = magnitude.size() > 9 ? 1000000000L : std::stol(std::string(magnitude));
    const long target = target_text.front() == '-' ? -value : value;
    if (target < 0 || target > 9)
      fail("{}:{}: Target {} is outside 0-9", path.string(), line_number,
           target_text.substr(0, 20));
    const std::string_view source = trim(fields[source_column]);
    if (source.empty()) fail("{}:{}: Source is empty", path.string(), line_number);
    example.source.assign(source.data(), source.size());
    example.target = static_cast<int>(target);
    example.line   = line_number;
    visit(example);
    ++count;
  }
  if (in.bad()) fail("error reading ListOps file {}: {}", path.string(), std::strerror(errno));
  if (count == 0) fail("{}: the file has a header but no examples", path.string());
  return count;
}

std::vector<ListOpsExample> read_listops_tsv(const fs::path& path) {
  std::vector<ListOpsExample> examples;
  for_each_listops_tsv_example(path,
                               [&](const ListOpsExample& example) { examples.push_back(example); });
  return examples;
}

namespace {

void write_example_line(std::string& out, const ListOpsExample& example) {
  if (example.source.find_first_of("\t\r\n") != std::string::npos)
    fail("ListOps example '{}' cannot be written: its Source holds a tab or a line break",
         example.source.substr(0, 40));
  if (example.target < 0 || example.target > 9)
    fail("ListOps example '{}' cannot be written: Target {} is outside 0-9",
         example.source.substr(0, 40), example.target);
  out += example.source;
  out += '\t';
  out += static_cast<char>('0' + example.target);
  out += '\n';
}

constexpr const char* kHeader = "Source\tTarget\n";

}  // namespace

std::string listops_tsv_text(const std::vector<ListOpsExample>& examples) {
  size_t size = 16;
  for (const ListOpsExample& example : examples) size += example.source.size() + 4;
  std::string text;
  text.reserve(size);
  text += kHeader;
  for (const ListOpsExample& example : examples) write_example_line(text, example);
  return text;
}

void write_listops_tsv(const fs::path& path, const std::vector<ListOpsExample>& examples) {
  // streamed line by line through io::write_atomically rather than write_text_atomically: the
  // full LRA-sized train file is ~600 MB, too much to hold twice
  io::write_atomically(path, [&](const fs::path& temporary) {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) fail("cannot open {} for writing: {}", temporary.string(), std::strerror(errno));
    out << kHeader;
    std::string line;
    for (const ListOpsExample& example : examples) {
      line.clear();
      write_example_line(line, example);
      out << line;
    }
    out.flush();
    if (!out) fail("error writing {}: {}", temporary.string(), std::strerror(errno));
  });
}

void verify_listops_target(const ListOpsExample& example, const fs::path& path) {
  const std::string context = path.string() + ":" + std::to_string(example.line);
  const int         value   = evaluate_lra_string(example.source, context);
  if (value != example.target)
    fail("{}: Target {} is wrong: the expression evaluates to {}", context, example.target, value);
}

void verify_listops_targets(const std::vector<ListOpsExample>& examples, const fs::path& path) {
  for (const ListOpsExample& example : examples) verify_listops_target(example, path);
}

}  // namespace fpt::tasks
