// The paper's tables (Lu et al. 2021; ../shared/reference/fpt_spec.md §4) as TableDefinitions:
// rows and columns as spec conditions, each with its published numbers beside it.
#pragma once

#include <string>
#include <vector>

#include "fpt/results/tables/table_definition.h"

namespace fpt::results::tables {

// Every table, in the paper's order.
const std::vector<TableDefinition>& paper_tables();

// The table called `name`; throws fpt::Error listing the names otherwise.
const TableDefinition& find_paper_table(const std::string& name);

// "table1, table2, ..." for help and messages.
std::string paper_table_names();

}  // namespace fpt::results::tables
