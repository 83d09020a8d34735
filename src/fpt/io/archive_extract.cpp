#include "fpt/io/archive_extract.h"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <system_error>

#include "fpt/core/error.h"
#include "fpt/io/pinned_files.h"
#include "fpt/io/sha256.h"

namespace fpt::io {
namespace {

namespace fs = std::filesystem;

using ArchiveReader = std::unique_ptr<archive, decltype(&archive_read_free)>;

bool is_directory_prefix(const std::string& selection) {
  return !selection.empty() && selection.back() == '/';
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// The member's name as the selection sees it: without a leading "./" (tar's "tar -C dir ." style).
std::string normalised_member_name(std::string name) {
  while (starts_with(name, "./")) name.erase(0, 2);
  return name;
}

// The selection entry `name` falls under, or nullptr.
const std::string* matching_selection(const std::string& name, const ArchiveSelection& selection) {
  for (const auto& wanted : selection.members) {
    if (is_directory_prefix(wanted) ? starts_with(name, wanted) && name != wanted
                                    : name == wanted) {
      return &wanted;
    }
  }
  return nullptr;
}

const char* describe_type(mode_t type) {
  switch (type) {
    case AE_IFLNK:
      return "symbolic link";
    case AE_IFCHR:
      return "character device";
    case AE_IFBLK:
      return "block device";
    case AE_IFIFO:
      return "FIFO";
    case AE_IFSOCK:
      return "socket";
    default:
      return "special file";
  }
}

// Copies the current member's bytes from the archive to `output_path`.
void write_member(archive* reader, const std::string& archive_path, const std::string& name,
                  const fs::path& output_path) {
  std::error_code error;
  fs::create_directories(output_path.parent_path(), error);
  if (error) {
    fail("{}: cannot create {}: {}", archive_path, output_path.parent_path().string(),
         error.message());
  }
  std::ofstream output(output_path, std::ios::binary | std::ios::trunc);
  if (!output)
    fail("{}: cannot write {}: {}", archive_path, output_path.string(), std::strerror(errno));
  for (;;) {
    const void* block  = nullptr;
    size_t      size   = 0;
    la_int64_t  offset = 0;
    const int   status = archive_read_data_block(reader, &block, &size, &offset);
    if (status == ARCHIVE_EOF) break;
    if (status < ARCHIVE_WARN) {
      fail("{}: corrupt or truncated archive while reading member {}: {}", archive_path, name,
           archive_error_string(reader));
    }
    // Sparse members give offsets; the release archives have none, but honour them anyway.
    output.seekp(offset);
    output.write(static_cast<const char*>(block), static_cast<std::streamsize>(size));
    if (!output) fail("{}: cannot write {}", archive_path, output_path.string());
  }
  output.close();
  if (!output) fail("{}: cannot write {}", archive_path, output_path.string());
}

// Reads the archive, writes the selected members below `staging`; returns their staged paths
// (relative, after strip_prefix).
std::vector<std::string> stage_members(const std::string&      archive_path,
                                       const ArchiveSelection& selection, const fs::path& staging) {
  ArchiveReader reader(archive_read_new(), &archive_read_free);
  if (!reader) fail("{}: libarchive could not create a reader", archive_path);
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_format_tar(reader.get());
  archive_read_support_format_gnutar(reader.get());
  if (archive_read_open_filename(reader.get(), archive_path.c_str(), 1 << 20) != ARCHIVE_OK) {
    fail("{}: corrupt or truncated archive, or not a .tar.gz: {}", archive_path,
         archive_error_string(reader.get()));
  }

  std::set<std::string>    matched;  // selection entries that matched at least one file
  std::set<std::string>    written;  // stripped paths, to refuse two members with one name
  std::vector<std::string> staged;
  bool                     all_exact = true;
  for (const auto& wanted : selection.members)
    all_exact = all_exact && !is_directory_prefix(wanted);

  for (;;) {
    archive_entry* entry  = nullptr;
    const int      status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    if (status < ARCHIVE_WARN) {
      fail("{}: corrupt or truncated archive: {}", archive_path,
           archive_error_string(reader.get()));
    }
    const char* raw_name = archive_entry_pathname(entry);
    if (raw_name == nullptr) fail("{}: a member without a path name", archive_path);
    std::string  name      = normalised_member_name(raw_name);
    const mode_t type      = archive_entry_filetype(entry);
    std::string  path_part = name;
    if (!path_part.empty() && path_part.back() == '/') path_part.pop_back();
    if (path_part.empty() && type == AE_IFDIR) continue;  // "./" itself
    // Every member is checked, selected or not: an archive that tries to escape its directory is
    // not one to trust at all.
    if (!is_safe_relative_path(path_part)) {
      fail(
          "{}: refusing member '{}': an absolute path or a '.'/'..' component could write outside "
          "the data directory (a damaged or malicious archive)",
          archive_path, raw_name);
    }
    const std::string* wanted = matching_selection(name, selection);
    if (wanted == nullptr || type == AE_IFDIR) continue;
    // A tar hard link reads as a regular file of size 0: it would unpack as an empty file.
    if (type != AE_IFREG || archive_entry_hardlink(entry) != nullptr) {
      fail("{}: member '{}' is a {}; only regular files are extracted", archive_path, name,
           archive_entry_hardlink(entry) != nullptr ? "hard link" : describe_type(type));
    }
    if (!starts_with(name, selection.strip_prefix) ||
        name.size() == selection.strip_prefix.size()) {
      fail("{}: member '{}' does not start with '{}', the prefix to strip (catalogue error)",
           archive_path, name, selection.strip_prefix);
    }
    const std::string relative = name.substr(selection.strip_prefix.size());
    if (!is_safe_relative_path(relative)) {
      fail(
          "{}: member '{}' minus the prefix '{}' is '{}', not a relative path below the data "
          "directory (a catalogue prefix without its trailing '/', or a malicious archive)",
          archive_path, name, selection.strip_prefix, relative);
    }
    if (!written.insert(relative).second) {
      fail("{}: member '{}' appears twice in the archive", archive_path, name);
    }
    write_member(reader.get(), archive_path, name, staging / relative);
    staged.push_back(relative);
    matched.insert(*wanted);
    // Only exact names wanted and all found: the rest of a multi-GB archive need not be read.
    if (all_exact && matched.size() == selection.members.size()) break;
  }

  for (const auto& wanted : selection.members) {
    if (matched.count(wanted) == 0) {
      fail("{}: no {} '{}' in the archive (the wrong archive, or a changed release layout)",
           archive_path, is_directory_prefix(wanted) ? "file below" : "member", wanted);
    }
  }
  return staged;
}

}  // namespace

std::map<std::string, std::string> extract_members(const std::string&      archive_path,
                                                   const ArchiveSelection& selection,
                                                   const std::string&      directory) {
  if (selection.members.empty()) fail("{}: nothing selected to extract", archive_path);
  const fs::path staging =
      fs::path(directory) / (".extracting-" + fs::path(archive_path).filename().string());
  std::error_code error;
  fs::remove_all(staging, error);  // what a killed earlier run left behind
  fs::create_directories(staging, error);
  if (error) fail("{}: cannot create {}: {}", archive_path, staging.string(), error.message());

  try {
    const std::vector<std::string>     staged = stage_members(archive_path, selection, staging);
    std::map<std::string, std::string> sums;
    for (const auto& relative : staged) sums[relative] = sha256_file((staging / relative).string());
    // Everything came out intact: now replace the outputs, one top-level name at a time.
    std::set<std::string> top_level;
    for (const auto& relative : staged) top_level.insert(fs::path(relative).begin()->string());
    for (const auto& name : top_level) {
      // Never replace anything but a plain name inside `directory` (remove_all follows it).
      if (name.empty() || name == "/" || name == "." || name == ".." ||
          name.find('/') != std::string::npos)
        fail("{}: refusing to replace '{}' in {}", archive_path, name, directory);
      const fs::path target = fs::path(directory) / name;
      fs::remove_all(target, error);
      if (error) fail("{}: cannot replace {}: {}", archive_path, target.string(), error.message());
      fs::rename(staging / name, target, error);
      if (error) {
        fail("{}: cannot move {} into place: {}", archive_path, target.string(), error.message());
      }
    }
    fs::remove_all(staging, error);
    return sums;
  } catch (...) {
    fs::remove_all(staging, error);
    throw;
  }
}

}  // namespace fpt::io
