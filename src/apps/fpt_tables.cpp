// fpt_tables: the paper's tables from a sweep's results — each cell our mean ± sample std over
// seeds (n), the published number and Δ, "—" where no experiment exists, failed runs shown and not
// averaged, the best per column in bold (tables: src/fpt/results/tables/paper_tables.cpp).
//
//   build/fpt_tables results/table2                       # every table the results fill, Markdown
//   build/fpt_tables results/table2 --table table2 --format latex --out table2.tex
//   build/fpt_tables results/table2 --format csv          # one line per cell
//   build/fpt_tables results/table2 --table convergence --threshold 0.95
//   build/fpt_tables results/table2 --collect             # (re)write results/table2.h5
//   build/fpt_tables --list                               # the tables and what they need
//
// Exit: 0 tables written; 2 bad input (no such directory or table, a table the results cannot
// fill, files of another sweep without --foreign skip|include).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"
#include "fpt/results/collection.h"
#include "fpt/results/tables/filled_table.h"
#include "fpt/results/tables/load_sweep_results.h"
#include "fpt/results/tables/paper_tables.h"
#include "fpt/results/tables/render_table.h"
#include "fpt/results/tables/selector.h"

namespace {

namespace fs     = std::filesystem;
namespace tables = fpt::results::tables;

struct Arguments {
  std::string results_dir;
  std::string format    = "markdown";
  std::string table     = "";  // "" = every table the results fill
  std::string out       = "";  // "" = standard output
  double      threshold = 0.99;
  std::string foreign   = "refuse";
  std::string sweep     = "";
  bool        collect   = false;
  bool        list      = false;
};

void print_list() {
  for (const auto& table : tables::paper_tables()) {
    fmt::print("{:<24} {}\n", table.name, table.title);
    fmt::print("{:<24}   every cell: {}\n", "", tables::describe(table.every));
    std::string rows, columns;
    for (const auto& row : table.rows)
      rows += (rows.empty() ? "" : "; ") + row.label + " (" + tables::describe(row.when) + ")";
    for (const auto& column : table.columns)
      columns +=
          (columns.empty() ? "" : "; ") + column.label + " (" + tables::describe(column.when) + ")";
    fmt::print("{:<24}   rows: {}\n{:<24}   columns: {}\n", "", rows, "", columns);
  }
}

int run(const Arguments& arguments) {
  if (arguments.list) {
    print_list();
    return 0;
  }
  if (arguments.results_dir.empty())
    fpt::fail("give a results directory (results/<sweep>), or --list for the tables");
  const tables::TableFormat format = tables::parse_table_format(arguments.format);
  if (!(arguments.threshold > 0.0 && arguments.threshold <= 1.0))
    fpt::fail("--threshold {}: must be a fraction in (0, 1]", arguments.threshold);

  std::vector<const tables::TableDefinition*> wanted;
  if (!arguments.table.empty())
    wanted.push_back(&tables::find_paper_table(arguments.table));
  else
    for (const auto& table : tables::paper_tables()) wanted.push_back(&table);

  fpt::results::CollectOptions options;
  options.foreign                           = fpt::results::parse_foreign_files(arguments.foreign);
  options.sweep_name                        = arguments.sweep;
  const fs::path                 dir        = arguments.results_dir;
  const fpt::results::Collection collection = tables::load_sweep_results(dir, options);
  fmt::print(stderr, "{}", fpt::results::describe_skipped(collection));
  if (arguments.collect) {
    const fs::path path = fpt::results::collection_path(dir);
    fpt::results::write_collection(path, collection);
    fmt::print(stderr, "wrote {} ({} experiments)\n", path.string(), collection.results.size());
  }

  tables::FillOptions fill;
  fill.convergence_threshold = arguments.threshold;
  std::string text, unfilled;
  bool        first = true;
  for (const auto* definition : wanted) {
    const tables::FilledTable table = tables::fill_table(*definition, collection.results, fill);
    if (!table.fillable()) {
      unfilled += tables::unfillable_message(table, dir.string()) + "\n";
      continue;
    }
    if (!first && format != tables::TableFormat::csv) text += "\n";
    text += tables::render_table(table, format, first);
    first = false;
  }
  if (text.empty()) {
    if (!arguments.table.empty()) fpt::fail("{}", unfilled.substr(0, unfilled.size() - 1));
    fpt::fail("{}: {} result files fill none of the paper's tables:\n{}", dir.string(),
              collection.results.size(), unfilled);
  }
  if (!unfilled.empty()) fmt::print(stderr, "not rendered (no results for them):\n{}", unfilled);
  if (arguments.out.empty()) {
    fmt::print("{}", text);
  } else {
    fpt::io::write_text_atomically(arguments.out, text);
    fmt::print(stderr, "wrote {}\n", arguments.out);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App  app{"fpt_tables: the paper's tables from a sweep's result files"};
  Arguments arguments;
  app.add_option("results_dir", arguments.results_dir,
                 "results/<sweep> (one <id>.h5 per experiment)");
  app.add_option("--format", arguments.format, "markdown | latex | csv")->capture_default_str();
  app.add_option("--table", arguments.table, "one table: " + tables::paper_table_names());
  app.add_option("--out", arguments.out, "write to FILE instead of standard output");
  app.add_option("--threshold", arguments.threshold,
                 "convergence: fraction of the final accuracy to reach")
      ->capture_default_str();
  app.add_option("--foreign", arguments.foreign,
                 "files of another sweep or grid: refuse | skip | include")
      ->capture_default_str();
  app.add_option("--sweep", arguments.sweep,
                 "the sweep the files must come from (default: name in <dir>/sweep.yaml)");
  app.add_flag("--collect", arguments.collect,
               "also (re)write the collection results/<sweep>.h5 from the run files");
  app.add_flag("--list", arguments.list, "list the tables, their rows and columns");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(arguments);
  } catch (const std::exception& error) {
    fmt::print(stderr, "fpt_tables: error: {}\n", error.what());
    return 2;
  }
}
