// Small RAII layer over the HDF5 C API: an owning handle (Hdf5Handle), a group or file node
// (Hdf5Node) with typed attribute and 1-D dataset read/write, and Hdf5File (create / open
// read-only). Every failure throws fpt::Error naming the file and the object inside it; HDF5's
// own error-stack printing is switched off so users see one clear message instead of a traceback.
//
// What is written is chosen so that h5py and h5dump read it without surprises:
//   strings   variable-length UTF-8 (h5py returns str for attributes; use .asstr() on datasets)
//   integers  64-bit little-endian signed
//   reals     IEEE 754 64-bit little-endian (NaN allowed)
//   booleans  8-bit enum {FALSE = 0, TRUE = 1}, the type h5py uses for numpy bool
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fpt::io {

// Turns off HDF5's automatic error-stack printing for this process (idempotent, thread-safe).
void silence_hdf5_errors();

// Owns one HDF5 identifier and closes it with the matching H5?close. Move-only.
class Hdf5Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Hdf5Handle() = default;
  Hdf5Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Hdf5Handle() { reset(); }
  Hdf5Handle(Hdf5Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) {
    other.id_ = H5I_INVALID_HID;
  }
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept;
  Hdf5Handle(const Hdf5Handle&)            = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;

  hid_t get() const { return id_; }
  bool  valid() const { return id_ >= 0; }
  // Closes now and returns the close call's status (negative on failure); no-op when empty.
  herr_t reset();

 private:
  hid_t  id_     = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// A file's root group or any group inside it. `file` and `path` only feed error messages.
class Hdf5Node {
 public:
  Hdf5Node(Hdf5Handle handle, std::filesystem::path file, std::string path)
      : handle_(std::move(handle)), file_(std::move(file)), path_(std::move(path)) {}

  hid_t                        id() const { return handle_.get(); }
  const std::filesystem::path& file() const { return file_; }
  const std::string&           path() const { return path_; }  // "/" or "/curves"

  Hdf5Node create_group(const std::string& name) const;
  Hdf5Node open_group(const std::string& name) const;  // throws when missing
  bool     has_group(const std::string& name) const;

  // Scalar attributes. Writing an existing name throws (files are written once).
  void write_attribute(const std::string& name, const std::string& value) const;
  void write_attribute(const std::string& name, const char* value) const {
    write_attribute(name, std::string(value));
  }
  void write_attribute(const std::string& name, int64_t value) const;
  void write_attribute(const std::string& name, int value) const {
    write_attribute(name, static_cast<int64_t>(value));
  }
  void write_attribute(const std::string& name, double value) const;
  void write_attribute(const std::string& name, bool value) const;

  bool                     has_attribute(const std::string& name) const;
  std::vector<std::string> attribute_names() const;  // sorted by name
  // Readers accept fixed- or variable-length strings, any integer width, any float width; a value
  // of another class (e.g. a string where a number belongs) throws naming the attribute.
  std::string read_string_attribute(const std::string& name) const;
  int64_t     read_integer_attribute(const std::string& name) const;
  double      read_real_attribute(const std::string& name) const;

  // 1-D datasets; an empty vector makes a dataset of shape (0,).
  void write_dataset(const std::string& name, const std::vector<double>& values) const;
  void write_dataset(const std::string& name, const std::vector<int64_t>& values) const;
  void write_dataset(const std::string& name, const std::vector<std::string>& values) const;

  std::vector<double>      read_real_dataset(const std::string& name) const;
  std::vector<int64_t>     read_integer_dataset(const std::string& name) const;
  std::vector<std::string> read_string_dataset(const std::string& name) const;

  // "<file>: <path>/<name>" for messages.
  std::string where(const std::string& name = "") const;

 private:
  Hdf5Handle open_attribute(const std::string& name, H5T_class_t expected,
                            const char* expected_text) const;
  Hdf5Handle open_dataset_1d(const std::string& name, H5T_class_t expected,
                             const char* expected_text, hsize_t& length) const;
  void       write_scalar_attribute(const std::string& name, hid_t file_type, hid_t memory_type,
                                    const void* value) const;
  void write_dataset_1d(const std::string& name, hid_t file_type, hid_t memory_type, size_t length,
                        const void* values) const;

  friend class Hdf5File;  // closes its root group before the file

  Hdf5Handle            handle_;
  std::filesystem::path file_;
  std::string           path_;
};

// An open HDF5 file; root() is its "/" group. close() flushes and reports failure (a write that
// did not reach the disk must not be renamed into place); the destructor closes silently.
// Groups taken from root() must be gone before close(): the file is opened with close degree
// SEMI, so close() throws instead of leaving the file open behind a forgotten group handle.
// File locking is off: run files are written once under a temporary name and never modified,
// and locking fails outright on many cluster file systems (NFS, Lustre).
class Hdf5File {
 public:
  // Creates (truncating) `path` for writing.
  static Hdf5File create(const std::filesystem::path& path);
  // Opens an existing file read-only; throws naming the file when it is missing, not HDF5, or
  // unreadable.
  static Hdf5File open_read_only(const std::filesystem::path& path);

  const Hdf5Node&              root() const { return root_; }
  const std::filesystem::path& path() const { return path_; }
  void                         close();

 private:
  Hdf5File(Hdf5Handle file, std::filesystem::path path);

  Hdf5Handle            file_;
  Hdf5Node              root_;
  std::filesystem::path path_;
};

}  // namespace fpt::io
