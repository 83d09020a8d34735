#include "fpt/io/hdf5_array.h"

#include "fpt/core/error.h"

namespace fpt::io {
namespace {

hid_t file_type_of(Hdf5IntegerType type) {
  switch (type) {
    case Hdf5IntegerType::uint8:
      return H5T_STD_U8LE;
    case Hdf5IntegerType::int16:
      return H5T_STD_I16LE;
    case Hdf5IntegerType::int64:
      return H5T_STD_I64LE;
  }
  return H5T_STD_I64LE;
}

hid_t memory_type_of(Hdf5IntegerType type) {
  switch (type) {
    case Hdf5IntegerType::uint8:
      return H5T_NATIVE_UINT8;
    case Hdf5IntegerType::int16:
      return H5T_NATIVE_INT16;
    case Hdf5IntegerType::int64:
      return H5T_NATIVE_INT64;
  }
  return H5T_NATIVE_INT64;
}

Hdf5Handle checked(hid_t id, Hdf5Handle::Closer closer, const std::string& what) {
  if (id < 0) fail("{} (HDF5 error)", what);
  return Hdf5Handle(id, closer);
}

Hdf5Handle open_dataset(const Hdf5Node& node, const std::string& name) {
  if (H5Lexists(node.id(), name.c_str(), H5P_DEFAULT) <= 0)
    fail("{} is missing; the file was not written by this program or is damaged", node.where(name));
  return checked(H5Dopen2(node.id(), name.c_str(), H5P_DEFAULT), H5Dclose,
                 "cannot open dataset " + node.where(name));
}

std::vector<uint64_t> dimensions_of(const Hdf5Handle& dataset, const std::string& where) {
  Hdf5Handle space =
      checked(H5Dget_space(dataset.get()), H5Sclose, "cannot read the shape of " + where);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1) fail("{} must have at least one dimension", where);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
    fail("cannot read the shape of {}", where);
  return std::vector<uint64_t>(dims.begin(), dims.end());
}

}  // namespace

const char* hdf5_integer_type_name(Hdf5IntegerType type) {
  switch (type) {
    case Hdf5IntegerType::uint8:
      return "uint8";
    case Hdf5IntegerType::int16:
      return "int16";
    case Hdf5IntegerType::int64:
      return "int64";
  }
  return "?";
}

size_t hdf5_integer_type_size(Hdf5IntegerType type) {
  switch (type) {
    case Hdf5IntegerType::uint8:
      return 1;
    case Hdf5IntegerType::int16:
      return 2;
    case Hdf5IntegerType::int64:
      return 8;
  }
  return 8;
}

void write_integer_array(const Hdf5Node& node, const std::string& name, Hdf5IntegerType type,
                         const std::vector<uint64_t>& dims, const void* data) {
  silence_hdf5_errors();
  if (dims.empty())
    fail("cannot write {}: an array needs at least one dimension", node.where(name));
  const std::vector<hsize_t> shape(dims.begin(), dims.end());
  Hdf5Handle                 space =
      checked(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), H5Sclose,
              "cannot create a dataspace for " + node.where(name));
  Hdf5Handle dataset = checked(H5Dcreate2(node.id(), name.c_str(), file_type_of(type), space.get(),
                                          H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                               H5Dclose, "cannot create dataset " + node.where(name));
  uint64_t   count   = 1;
  for (uint64_t d : dims) count *= d;
  // an empty array has nothing to write; HDF5 would reject the null buffer
  if (count > 0 &&
      H5Dwrite(dataset.get(), memory_type_of(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail("cannot write dataset {} (HDF5 error; is the disk full?)", node.where(name));
  if (dataset.reset() < 0) fail("cannot close dataset {}", node.where(name));
}

Hdf5ArrayInfo integer_array_info(const Hdf5Node& node, const std::string& name) {
  silence_hdf5_errors();
  const std::string where   = node.where(name);
  Hdf5Handle        dataset = open_dataset(node, name);
  Hdf5Handle        type =
      checked(H5Dget_type(dataset.get()), H5Tclose, "cannot read the type of " + where);
  if (H5Tget_class(type.get()) != H5T_INTEGER) fail("{} must hold integers", where);
  const size_t  size    = H5Tget_size(type.get());
  const bool    signed_ = H5Tget_sign(type.get()) == H5T_SGN_2;
  Hdf5ArrayInfo info;
  if (size == 1 && !signed_)
    info.type = Hdf5IntegerType::uint8;
  else if (size == 2 && signed_)
    info.type = Hdf5IntegerType::int16;
  else if (size == 8 && signed_)
    info.type = Hdf5IntegerType::int64;
  else
    fail("{} holds {}-byte {} integers; expected uint8, int16 or int64", where, size,
         signed_ ? "signed" : "unsigned");
  info.dims = dimensions_of(dataset, where);
  return info;
}

void read_integer_array_rows(const Hdf5Node& node, const std::string& name, Hdf5IntegerType type,
                             uint64_t begin, uint64_t end, void* out) {
  const std::string   where = node.where(name);
  const Hdf5ArrayInfo info  = integer_array_info(node, name);
  if (info.type != type)
    fail("{} holds {}, expected {}", where, hdf5_integer_type_name(info.type),
         hdf5_integer_type_name(type));
  if (begin > end || end > info.dims[0])
    fail("{}: rows [{}, {}) are outside its {} rows", where, begin, end, info.dims[0]);
  if (begin == end) return;
  Hdf5Handle dataset = open_dataset(node, name);
  Hdf5Handle file_space =
      checked(H5Dget_space(dataset.get()), H5Sclose, "cannot read the shape of " + where);
  // the hyperslab: rows [begin, end), every element of the other dimensions
  std::vector<hsize_t> start(info.dims.size(), 0), count(info.dims.begin(), info.dims.end());
  start[0] = begin;
  count[0] = end - begin;
  if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                          nullptr) < 0)
    fail("cannot select rows [{}, {}) of {}", begin, end, where);
  Hdf5Handle memory_space =
      checked(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose,
              "cannot create a dataspace for " + where);
  if (H5Dread(dataset.get(), memory_type_of(type), memory_space.get(), file_space.get(),
              H5P_DEFAULT, out) < 0)
    fail("cannot read rows [{}, {}) of {} (truncated or damaged file?)", begin, end, where);
}

}  // namespace fpt::io
