// The catalogue of raw data sets fpt_fetch can download (MNIST, Fashion-MNIST, CIFAR-10, LRA
// ListOps, TAPE remote homology): for each, the files its publisher serves with their pinned sums
// (data_catalog.cpp says where each came from), and for release archives the members to unpack.
// fetch_data / verify_data fill and check <data_dir>/<name>/ — io::dataset_directory(<name>) for
// the default data_dir — laid out as the readers expect. The download code is the weights'
// (pinned_files.h); archives are unpacked by archive_extract.h.
#pragma once

#include <string>
#include <vector>

#include "fpt/io/archive_extract.h"
#include "fpt/io/http_download.h"
#include "fpt/io/pinned_files.h"

namespace fpt::io {

struct DataFile {
  PinnedFile       download;  // the file as served (kept in the data directory after unpacking)
  ArchiveSelection unpack;    // members to extract from it; no members = the file is used as is
};

struct DataEntry {
  std::string           name;  // what users type, and the directory below the data root: "mnist"
  std::string           url;   // where the publisher serves the files: <url>/<file_name>
  std::vector<DataFile> files;
  std::string           description;
};

// The built-in catalogue.
const std::vector<DataEntry>& data_catalog();

// The entry called `name`, or nullptr.
const DataEntry* find_data(const std::string& name, const std::vector<DataEntry>& catalog);

// "mnist, fashion-mnist, ..." for messages.
std::string data_names(const std::vector<DataEntry>& catalog);

// Reads the "data" list of a JSON catalogue (the file --catalog names; its "weights" list is read
// by load_weights_catalog): [{"name", "url", "description", "files": [{"file_name", "sha256",
// "md5", "size", "unpack": [member or "directory/", ...], "strip_prefix"}]}]. No "data" key: an
// empty list. Every field is checked; errors name the file and the entry.
std::vector<DataEntry> load_data_catalog(const std::string& json_path);

// The mirror to download from when no --data-base-url is given: $FPT_DATA_URL, "" when unset
// (each entry's publisher URL).
std::string default_data_url();

// <base_url>/<name>/<file_name> when base_url is set (a mirror holding every data set), else
// <entry.url>/<file_name>.
std::string data_file_url(const std::string& base_url, const DataEntry& entry,
                          const PinnedFile& file);

// <data_dir>/<name>: where the entry's files go.
std::string data_entry_directory(const std::string& data_dir, const std::string& name);

// <data_dir>/<name>/<archive file_name>.unpacked.SHA256SUMS: the SHA-256 of every file unpacked
// from that archive, written last, so its presence means the unpacking completed.
std::string unpacked_sums_path(const std::string& data_dir, const std::string& name,
                               const std::string& archive_file_name);

// Downloads the entry's files into <data_dir>/<name>/ (resumable, checked against the pinned
// sums, unpinned files refused unless trust_unpinned — exactly as for weights), then unpacks the
// selected members of each archive unless an earlier run already did and every unpacked file still
// has its recorded sum. `base_url` "" means default_data_url(). Throws fpt::Error on failure; a
// failed download's message names the URL and the exact path to copy the file to by hand.
void fetch_data(const DataEntry& entry, const std::string& base_url, const std::string& data_dir,
                DownloadOptions options, bool trust_unpinned = false);

// Checks, without network, the downloaded files' sizes and sums and every unpacked file against
// its recorded sum. Throws fpt::Error listing every problem and how to fix it.
void verify_data(const DataEntry& entry, const std::string& data_dir, bool quiet = false);

}  // namespace fpt::io
