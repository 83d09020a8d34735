// CompoundTable: columns of equal length written as ONE HDF5 compound dataset (one record per
// row), so that h5py reads a whole table with `f["summary"][:]` and pandas.DataFrame takes it as
// it is. Column types follow run files: strings variable-length UTF-8, integers int64, reals
// float64 (NaN = not measured), booleans h5py's 8-bit enum.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fpt/io/hdf5_file.h"

namespace fpt::results {

struct CompoundColumn {
  enum class Kind { text, integer, real, boolean };
  std::string              name;
  Kind                     kind = Kind::text;
  std::vector<std::string> texts;     // kind text
  std::vector<int64_t>     integers;  // kind integer and boolean (0 / 1)
  std::vector<double>      reals;     // kind real

  size_t size() const;
};

// Writes `columns` as the compound dataset `parent/name` of shape (rows,). Every column must have
// the same length and names must be unique; throws fpt::Error naming the file and column.
void write_compound_table(const io::Hdf5Node& parent, const std::string& name,
                          const std::vector<CompoundColumn>& columns);

}  // namespace fpt::results
