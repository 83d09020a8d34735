#include "fpt/results/compound_table.h"

#include <cstring>
#include <set>

#include "fpt/core/error.h"

namespace fpt::results {

using io::Hdf5Handle;

size_t CompoundColumn::size() const {
  switch (kind) {
    case Kind::text:
      return texts.size();
    case Kind::real:
      return reals.size();
    default:
      return integers.size();
  }
}

namespace {

size_t field_size(CompoundColumn::Kind kind) {
  switch (kind) {
    case CompoundColumn::Kind::text:
      return sizeof(const char*);
    case CompoundColumn::Kind::boolean:
      return sizeof(int8_t);
    default:
      return 8;
  }
}

// The HDF5 type of one field, as h5py writes the same numpy dtype.
Hdf5Handle field_type(CompoundColumn::Kind kind) {
  switch (kind) {
    case CompoundColumn::Kind::text: {
      Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(type.get(), H5T_VARIABLE);
      H5Tset_cset(type.get(), H5T_CSET_UTF8);
      return type;
    }
    case CompoundColumn::Kind::integer:
      return Hdf5Handle(H5Tcopy(H5T_STD_I64LE), H5Tclose);
    case CompoundColumn::Kind::real:
      return Hdf5Handle(H5Tcopy(H5T_IEEE_F64LE), H5Tclose);
    case CompoundColumn::Kind::boolean: {
      Hdf5Handle type(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
      int8_t     no = 0, yes = 1;
      H5Tenum_insert(type.get(), "FALSE", &no);
      H5Tenum_insert(type.get(), "TRUE", &yes);
      return type;
    }
  }
  return {};
}

}  // namespace

void write_compound_table(const io::Hdf5Node& parent, const std::string& name,
                          const std::vector<CompoundColumn>& columns) {
  const std::string where = parent.where(name);
  if (columns.empty()) fail("{}: a compound table needs at least one column", where);
  const size_t          rows = columns.front().size();
  std::set<std::string> names;
  std::vector<size_t>   offsets;
  size_t                record = 0;
  for (const auto& column : columns) {
    if (column.size() != rows)
      fail("{}: column '{}' has {} entries, '{}' has {}", where, column.name, column.size(),
           columns.front().name, rows);
    if (!names.insert(column.name).second) fail("{}: column '{}' twice", where, column.name);
    offsets.push_back(record);
    record += field_size(column.kind);
  }

  // One packed type serves as memory and file type (little-endian fields on every fpt platform).
  Hdf5Handle type(H5Tcreate(H5T_COMPOUND, record), H5Tclose);
  if (!type.valid()) fail("{}: cannot create the compound type", where);
  for (size_t c = 0; c < columns.size(); ++c) {
    Hdf5Handle field = field_type(columns[c].kind);
    if (H5Tinsert(type.get(), columns[c].name.c_str(), offsets[c], field.get()) < 0)
      fail("{}: cannot add column '{}'", where, columns[c].name);
  }

  std::vector<unsigned char> buffer(record * rows);
  for (size_t row = 0; row < rows; ++row) {
    unsigned char* out = buffer.data() + row * record;
    for (size_t c = 0; c < columns.size(); ++c) {
      const CompoundColumn& column = columns[c];
      unsigned char*        field  = out + offsets[c];
      if (column.kind == CompoundColumn::Kind::text) {
        const char* text = column.texts[row].c_str();  // HDF5 copies the characters on write
        std::memcpy(field, &text, sizeof text);
      } else if (column.kind == CompoundColumn::Kind::real) {
        std::memcpy(field, &column.reals[row], 8);
      } else if (column.kind == CompoundColumn::Kind::integer) {
        std::memcpy(field, &column.integers[row], 8);
      } else {
        const int8_t flag = column.integers[row] != 0 ? 1 : 0;
        std::memcpy(field, &flag, 1);
      }
    }
  }

  const hsize_t dims[1] = {static_cast<hsize_t>(rows)};
  Hdf5Handle    space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  Hdf5Handle    dataset(H5Dcreate2(parent.id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                   H5P_DEFAULT, H5P_DEFAULT),
                        H5Dclose);
  if (!dataset.valid()) fail("{}: cannot create the dataset", where);
  if (rows > 0 &&
      H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
    fail("{}: cannot write {} rows", where, rows);
  if (dataset.reset() < 0) fail("{}: cannot close the dataset", where);
}

}  // namespace fpt::results
