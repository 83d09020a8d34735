// write_tar_gz: builds a small .tar.gz with libarchive's writer for the extraction and data-fetch
// tests — regular files, directories, symlinks, and names no honest archive has ("../x", "/x").
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace fpt::io::testing {

struct TarMember {
  std::string name;                    // the path stored in the archive, verbatim
  std::string content     = {};        // bytes of a regular file
  mode_t      type        = AE_IFREG;  // AE_IFREG, AE_IFDIR or AE_IFLNK
  std::string link_target = {};        // for AE_IFLNK
};

inline void write_tar_gz(const std::filesystem::path& path, const std::vector<TarMember>& members) {
  archive* writer = archive_write_new();
  archive_write_add_filter_gzip(writer);
  archive_write_set_format_pax_restricted(writer);
  if (archive_write_open_filename(writer, path.c_str()) != ARCHIVE_OK) {
    throw std::runtime_error(std::string("cannot write ") + path.string());
  }
  for (const auto& member : members) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, member.name.c_str());
    archive_entry_set_filetype(entry, member.type);
    archive_entry_set_perm(entry, member.type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_size(
        entry, member.type == AE_IFREG ? static_cast<la_int64_t>(member.content.size()) : 0);
    if (member.type == AE_IFLNK) archive_entry_set_symlink(entry, member.link_target.c_str());
    archive_write_header(writer, entry);
    if (member.type == AE_IFREG)
      archive_write_data(writer, member.content.data(), member.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
}

}  // namespace fpt::io::testing
