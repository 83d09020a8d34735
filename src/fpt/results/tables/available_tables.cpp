#include "fpt/results/tables/available_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "fpt/results/tables/filled_table.h"
#include "fpt/results/tables/load_sweep_results.h"
#include "fpt/results/tables/paper_tables.h"
#include "fpt/results/tables/render_table.h"

namespace fpt::results::tables {

std::string render_available_tables(const std::filesystem::path&    results_dir,
                                    const std::vector<std::string>& sweep_tables) {
  const std::string dir = results_dir.string();
  Collection        collection;
  try {
    CollectOptions options;
    options.foreign = ForeignFiles::skip;  // e.g. files left by an earlier grid (--force)
    collection      = load_sweep_results(results_dir, options);
  } catch (const std::exception& error) {
    return fmt::format("Tables: cannot read the results in {}: {}\n", dir, error.what());
  }

  // A paper sweep's own tables in full and the others it partly fills by name (a Table 2 run
  // also fills a row or two of five other tables); any other sweep: the tables its results
  // compare something in. (When none of its own tables can be filled, the same as any other.)
  auto own = [&](const TableDefinition& definition) {
    return definition.sweep == collection.sweep ||
           std::find(sweep_tables.begin(), sweep_tables.end(), definition.name) !=
               sweep_tables.end();
  };
  std::vector<FilledTable> tables;
  bool                     own_tables = false;
  for (const auto& definition : paper_tables()) {
    tables.push_back(fill_table(definition, collection.results));
    own_tables = own_tables || (own(definition) && tables.back().fillable());
  }
  MarkdownOptions compact;
  compact.only_lines_with_results = true;
  std::string text;
  std::string partly_filled;
  std::string unfilled;
  for (const FilledTable& table : tables) {
    const TableDefinition& definition = *table.definition;
    const bool             shown      = own_tables ? own(definition) : table.compares();
    if (!table.fillable())
      unfilled += (unfilled.empty() ? "" : ", ") + definition.name;
    else if (!shown)
      partly_filled += (partly_filled.empty() ? "" : ", ") + definition.name;
    else
      text += "\n" + render_markdown(table, compact);
  }
  if (!text.empty()) {
    text = fmt::format("\nThe paper's tables that these results fill:\n{}", text);
    if (!partly_filled.empty())
      text += fmt::format("\nThese results fill parts of {} too (fpt_tables {} --table NAME).\n",
                          partly_filled, dir);
  } else if (!partly_filled.empty()) {
    text = fmt::format(
        "\nNo table of the paper compares two of these results; they fill single cells of {} "
        "(fpt_tables {} --table NAME).\n",
        partly_filled, dir);
  } else {
    text = fmt::format("\nNo table of the paper can be filled from {}.\n", dir);
  }
  if (!unfilled.empty())
    text += fmt::format(
        "\nNot filled by these results: {} (fpt_tables {} --table NAME says what is missing).\n",
        unfilled, dir);
  text += describe_skipped(collection);

  const std::filesystem::path collected = collection_path(results_dir);
  text += fmt::format("Files: {}/<id>.h5 ({} run files)", dir, collection.results.size());
  try {
    write_collection(collected, collection);
    text += fmt::format(", all of them in {}", collected.string());
  } catch (const std::exception& error) {
    text += fmt::format("; the collection was not written: {}", error.what());
  }
  text += fmt::format(
      ".\nLaTeX or CSV: fpt_tables {} --format latex|csv [--table NAME] [--out FILE]\n", dir);
  return text;
}

}  // namespace fpt::results::tables
