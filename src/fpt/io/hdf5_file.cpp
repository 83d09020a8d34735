#include "fpt/io/hdf5_file.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <system_error>

#include "fpt/core/error.h"

namespace fpt::io {

namespace fs = std::filesystem;

namespace {

// Walking the error stack downward ends at the most specific entry (e.g. "unable to open file:
// ... errno = 2, error message = 'No such file or directory'"), the one worth showing a user.
herr_t remember_error(unsigned, const H5E_error2_t* error, void* data) {
  try {
    if (error != nullptr && error->desc != nullptr && error->desc[0] != '\0')
      *static_cast<std::string*>(data) = error->desc;
  } catch (...) {
  }
  return 0;
}

std::string hdf5_detail() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, remember_error, &text);
  return text.empty() ? "no detail from HDF5" : text;
}

// Throws fpt::Error with `what` and HDF5's most specific explanation.
[[noreturn]] void fail_hdf5(const std::string& what) {
  fail("{} ({})", what, hdf5_detail());
}

Hdf5Handle checked(hid_t id, Hdf5Handle::Closer closer, const std::string& what) {
  if (id < 0) fail_hdf5(what);
  return Hdf5Handle(id, closer);
}

// Variable-length UTF-8 string: h5py reads it as str.
Hdf5Handle utf8_string_type() {
  Hdf5Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create an HDF5 string type");
  if (H5Tset_size(type.get(), H5T_VARIABLE) < 0 || H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0)
    fail_hdf5("cannot create an HDF5 UTF-8 string type");
  return type;
}

// numpy bool as h5py stores it: an 8-bit enum FALSE = 0, TRUE = 1.
Hdf5Handle boolean_type() {
  Hdf5Handle type =
      checked(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose, "cannot create an HDF5 enum type");
  const int8_t false_value = 0, true_value = 1;
  if (H5Tenum_insert(type.get(), "FALSE", &false_value) < 0 ||
      H5Tenum_insert(type.get(), "TRUE", &true_value) < 0)
    fail_hdf5("cannot create the HDF5 boolean enum type");
  return type;
}

bool class_is_one_of(H5T_class_t actual, std::initializer_list<H5T_class_t> accepted) {
  return std::find(accepted.begin(), accepted.end(), actual) != accepted.end();
}

// Copies fixed-length strings out of `buffer` (count × size bytes), dropping NUL/space padding.
std::vector<std::string> split_fixed_strings(const std::vector<char>& buffer, size_t count,
                                             size_t size, H5T_str_t padding) {
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const char* start  = buffer.data() + i * size;
    size_t      length = strnlen(start, size);
    if (padding == H5T_STR_SPACEPAD)
      while (length > 0 && start[length - 1] == ' ') --length;
    out.emplace_back(start, length);
  }
  return out;
}

herr_t collect_attribute_name(hid_t, const char* name, const H5A_info_t*, void* data) {
  try {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  } catch (...) {
    return -1;  // stops the iteration; the caller reports the failure
  }
}

}  // namespace

void silence_hdf5_errors() {
  // Thread-safe HDF5 builds keep one error stack per thread, so this is cheap to repeat and
  // every entry point below calls it for its own thread.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

// --- Hdf5Handle
// -----------------------------------------------------------------------------------

Hdf5Handle& Hdf5Handle::operator=(Hdf5Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_       = other.id_;
    closer_   = other.closer_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

herr_t Hdf5Handle::reset() {
  herr_t status = 0;
  if (id_ >= 0 && closer_ != nullptr) status = closer_(id_);
  id_ = H5I_INVALID_HID;
  return status;
}

// --- Hdf5Node: groups
// -----------------------------------------------------------------------------

std::string Hdf5Node::where(const std::string& name) const {
  std::string object = path_;
  if (!name.empty()) object += (path_ == "/" ? "" : "/") + name;
  return file_.string() + ": " + object;
}

static std::string child_path(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

Hdf5Node Hdf5Node::create_group(const std::string& name) const {
  Hdf5Handle group = checked(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                             H5Gclose, "cannot create group " + where(name));
  return Hdf5Node(std::move(group), file_, child_path(path_, name));
}

bool Hdf5Node::has_group(const std::string& name) const {
  if (H5Lexists(id(), name.c_str(), H5P_DEFAULT) <= 0) return false;
  // H5Oopen + H5Iget_type rather than H5Oget_info*, whose signature differs across 1.10/1.12/1.14.
  Hdf5Handle object(H5Oopen(id(), name.c_str(), H5P_DEFAULT), H5Oclose);
  return object.valid() && H5Iget_type(object.get()) == H5I_GROUP;
}

Hdf5Node Hdf5Node::open_group(const std::string& name) const {
  if (!has_group(name))
    fail("{}: group {} is missing; the file was not written by this program or is damaged",
         file_.string(), child_path(path_, name));
  Hdf5Handle group = checked(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), H5Gclose,
                             "cannot open group " + where(name));
  return Hdf5Node(std::move(group), file_, child_path(path_, name));
}

// --- Hdf5Node: attributes
// -------------------------------------------------------------------------

void Hdf5Node::write_scalar_attribute(const std::string& name, hid_t file_type, hid_t memory_type,
                                      const void* value) const {
  Hdf5Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, "cannot create a scalar dataspace");
  Hdf5Handle attribute =
      checked(H5Acreate2(id(), name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, "cannot create attribute " + where("@" + name));
  if (H5Awrite(attribute.get(), memory_type, value) < 0)
    fail_hdf5("cannot write attribute " + where("@" + name));
  if (attribute.reset() < 0) fail_hdf5("cannot close attribute " + where("@" + name));
}

void Hdf5Node::write_attribute(const std::string& name, const std::string& value) const {
  Hdf5Handle  type = utf8_string_type();
  const char* text = value.c_str();
  write_scalar_attribute(name, type.get(), type.get(), &text);
}

void Hdf5Node::write_attribute(const std::string& name, int64_t value) const {
  write_scalar_attribute(name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void Hdf5Node::write_attribute(const std::string& name, double value) const {
  write_scalar_attribute(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void Hdf5Node::write_attribute(const std::string& name, bool value) const {
  Hdf5Handle   type   = boolean_type();
  const int8_t stored = value ? 1 : 0;
  write_scalar_attribute(name, type.get(), type.get(), &stored);
}

bool Hdf5Node::has_attribute(const std::string& name) const {
  return H5Aexists(id(), name.c_str()) > 0;
}

std::vector<std::string> Hdf5Node::attribute_names() const {
  std::vector<std::string> names;
  hsize_t                  index = 0;
  if (H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute_name, &names) < 0)
    fail_hdf5("cannot list the attributes of " + where());
  std::sort(names.begin(), names.end());
  return names;
}

Hdf5Handle Hdf5Node::open_attribute(const std::string& name, H5T_class_t expected,
                                    const char* expected_text) const {
  if (!has_attribute(name))
    fail("{} is missing; the file was not written by this program or is damaged",
         where("@" + name));
  Hdf5Handle        attribute = checked(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose,
                                        "cannot open attribute " + where("@" + name));
  Hdf5Handle        type      = checked(H5Aget_type(attribute.get()), H5Tclose,
                                        "cannot read the type of attribute " + where("@" + name));
  const H5T_class_t actual    = H5Tget_class(type.get());
  // A real may be stored as an integer (e.g. by a hand-written file); HDF5 converts it.
  const bool accepted = expected == H5T_FLOAT ? class_is_one_of(actual, {H5T_FLOAT, H5T_INTEGER})
                                              : actual == expected;
  if (!accepted) fail("{} must be {}", where("@" + name), expected_text);
  Hdf5Handle space = checked(H5Aget_space(attribute.get()), H5Sclose,
                             "cannot read the shape of attribute " + where("@" + name));
  if (H5Sget_simple_extent_npoints(space.get()) != 1)
    fail("{} must be a single value, not an array", where("@" + name));
  return attribute;
}

std::string Hdf5Node::read_string_attribute(const std::string& name) const {
  Hdf5Handle attribute = open_attribute(name, H5T_STRING, "a string");
  Hdf5Handle type      = checked(H5Aget_type(attribute.get()), H5Tclose,
                                 "cannot read the type of attribute " + where("@" + name));
  // Reading with (a copy of) the stored type keeps HDF5 from converting between character sets.
  Hdf5Handle memory_type = checked(H5Tcopy(type.get()), H5Tclose, "cannot copy an HDF5 type");
  if (H5Tis_variable_str(type.get()) > 0) {
    char* text = nullptr;
    if (H5Aread(attribute.get(), memory_type.get(), &text) < 0)
      fail_hdf5("cannot read attribute " + where("@" + name));
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  const size_t      size = H5Tget_size(type.get());
  std::vector<char> buffer(size + 1, '\0');
  if (H5Aread(attribute.get(), memory_type.get(), buffer.data()) < 0)
    fail_hdf5("cannot read attribute " + where("@" + name));
  return split_fixed_strings(buffer, 1, size, H5Tget_strpad(type.get())).front();
}

int64_t Hdf5Node::read_integer_attribute(const std::string& name) const {
  Hdf5Handle attribute = open_attribute(name, H5T_INTEGER, "an integer");
  int64_t    value     = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_INT64, &value) < 0)
    fail_hdf5("cannot read attribute " + where("@" + name));
  return value;
}

double Hdf5Node::read_real_attribute(const std::string& name) const {
  Hdf5Handle attribute = open_attribute(name, H5T_FLOAT, "a number");
  double     value     = 0.0;
  if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0)
    fail_hdf5("cannot read attribute " + where("@" + name));
  return value;
}

// --- Hdf5Node: datasets
// ---------------------------------------------------------------------------

void Hdf5Node::write_dataset_1d(const std::string& name, hid_t file_type, hid_t memory_type,
                                size_t length, const void* values) const {
  const hsize_t dimensions[1] = {static_cast<hsize_t>(length)};
  Hdf5Handle    space         = checked(H5Screate_simple(1, dimensions, nullptr), H5Sclose,
                                        "cannot create a dataspace for " + where(name));
  Hdf5Handle    dataset       = checked(
               H5Dcreate2(id(), name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               H5Dclose, "cannot create dataset " + where(name));
  // A (0,)-shaped dataset has nothing to write; HDF5 would reject the null buffer.
  if (length > 0 && H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)
    fail_hdf5("cannot write dataset " + where(name));
  if (dataset.reset() < 0) fail_hdf5("cannot close dataset " + where(name));
}

void Hdf5Node::write_dataset(const std::string& name, const std::vector<double>& values) const {
  write_dataset_1d(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.size(), values.data());
}

void Hdf5Node::write_dataset(const std::string& name, const std::vector<int64_t>& values) const {
  write_dataset_1d(name, H5T_STD_I64LE, H5T_NATIVE_INT64, values.size(), values.data());
}

void Hdf5Node::write_dataset(const std::string&              name,
                             const std::vector<std::string>& values) const {
  Hdf5Handle               type = utf8_string_type();
  std::vector<const char*> texts;
  texts.reserve(values.size());
  for (const auto& value : values) texts.push_back(value.c_str());
  write_dataset_1d(name, type.get(), type.get(), texts.size(), texts.data());
}

Hdf5Handle Hdf5Node::open_dataset_1d(const std::string& name, H5T_class_t expected,
                                     const char* expected_text, hsize_t& length) const {
  if (H5Lexists(id(), name.c_str(), H5P_DEFAULT) <= 0)
    fail("{} is missing; the file was not written by this program or is damaged", where(name));
  Hdf5Handle        dataset = checked(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose,
                                      "cannot open dataset " + where(name));
  Hdf5Handle        type    = checked(H5Dget_type(dataset.get()), H5Tclose,
                                      "cannot read the type of dataset " + where(name));
  const H5T_class_t actual  = H5Tget_class(type.get());
  const bool accepted = expected == H5T_FLOAT ? class_is_one_of(actual, {H5T_FLOAT, H5T_INTEGER})
                                              : actual == expected;
  if (!accepted) fail("{} must hold {}", where(name), expected_text);
  Hdf5Handle space = checked(H5Dget_space(dataset.get()), H5Sclose,
                             "cannot read the shape of dataset " + where(name));
  if (H5Sget_simple_extent_ndims(space.get()) != 1) fail("{} must be one-dimensional", where(name));
  if (H5Sget_simple_extent_dims(space.get(), &length, nullptr) < 0)
    fail_hdf5("cannot read the shape of dataset " + where(name));
  return dataset;
}

std::vector<double> Hdf5Node::read_real_dataset(const std::string& name) const {
  hsize_t             length  = 0;
  Hdf5Handle          dataset = open_dataset_1d(name, H5T_FLOAT, "numbers", length);
  std::vector<double> values(length);
  if (length > 0 &&
      H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    fail_hdf5("cannot read dataset " + where(name));
  return values;
}

std::vector<int64_t> Hdf5Node::read_integer_dataset(const std::string& name) const {
  hsize_t              length  = 0;
  Hdf5Handle           dataset = open_dataset_1d(name, H5T_INTEGER, "integers", length);
  std::vector<int64_t> values(length);
  if (length > 0 &&
      H5Dread(dataset.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    fail_hdf5("cannot read dataset " + where(name));
  return values;
}

std::vector<std::string> Hdf5Node::read_string_dataset(const std::string& name) const {
  hsize_t    length  = 0;
  Hdf5Handle dataset = open_dataset_1d(name, H5T_STRING, "strings", length);
  if (length == 0) return {};
  Hdf5Handle type        = checked(H5Dget_type(dataset.get()), H5Tclose,
                                   "cannot read the type of dataset " + where(name));
  Hdf5Handle memory_type = checked(H5Tcopy(type.get()), H5Tclose, "cannot copy an HDF5 type");
  if (H5Tis_variable_str(type.get()) > 0) {
    std::vector<char*> texts(length, nullptr);
    if (H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data()) < 0)
      fail_hdf5("cannot read dataset " + where(name));
    std::vector<std::string> values;
    values.reserve(length);
    for (char* text : texts) values.emplace_back(text != nullptr ? text : "");
    Hdf5Handle space = checked(H5Dget_space(dataset.get()), H5Sclose,
                               "cannot read the shape of dataset " + where(name));
    H5Dvlen_reclaim(memory_type.get(), space.get(), H5P_DEFAULT, texts.data());
    return values;
  }
  const size_t      size = H5Tget_size(type.get());
  std::vector<char> buffer(length * size + 1, '\0');
  if (H5Dread(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
    fail_hdf5("cannot read dataset " + where(name));
  return split_fixed_strings(buffer, length, size, H5Tget_strpad(type.get()));
}

// --- Hdf5File
// -------------------------------------------------------------------------------------

namespace {

Hdf5Handle file_access_properties() {
  Hdf5Handle properties =
      checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot create HDF5 file-access properties");
  if (H5Pset_fclose_degree(properties.get(), H5F_CLOSE_SEMI) < 0)
    fail_hdf5("cannot set the HDF5 file close degree");
#if H5_VERSION_GE(1, 10, 7)
  if (H5Pset_file_locking(properties.get(), false, true) < 0)
    fail_hdf5("cannot turn off HDF5 file locking");
#endif
  return properties;
}

Hdf5Handle open_root(hid_t file, const fs::path& path) {
  return checked(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose,
                 "cannot open the root group of " + path.string());
}

}  // namespace

Hdf5File::Hdf5File(Hdf5Handle file, fs::path path)
    : file_(std::move(file)), root_(open_root(file_.get(), path), path, "/"), path_(path) {}

Hdf5File Hdf5File::create(const fs::path& path) {
  silence_hdf5_errors();
  Hdf5Handle properties = file_access_properties();
  Hdf5Handle file = checked(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, properties.get()),
                            H5Fclose, "cannot create HDF5 file " + path.string());
  return Hdf5File(std::move(file), path);
}

Hdf5File Hdf5File::open_read_only(const fs::path& path) {
  silence_hdf5_errors();
  std::error_code error;
  if (!fs::exists(path, error)) fail("{}: no such file", path.string());
  if (fs::is_directory(path, error)) fail("{}: is a directory, not an HDF5 file", path.string());
  Hdf5Handle  properties = file_access_properties();
  const hid_t file       = H5Fopen(path.c_str(), H5F_ACC_RDONLY, properties.get());
  if (file < 0)
    fail(
        "{}: not a readable HDF5 file (truncated, corrupt, or another format; {}); delete or "
        "replace it",
        path.string(), hdf5_detail());
  return Hdf5File(Hdf5Handle(file, H5Fclose), path);
}

void Hdf5File::close() {
  if (!file_.valid()) return;
  if (root_.handle_.reset() < 0) fail_hdf5("cannot close the root group of " + path_.string());
  if (file_.reset() < 0)
    fail_hdf5("cannot close " + path_.string() +
              " (an object inside it is still open, or the data did not reach the disk)");
}

}  // namespace fpt::io
