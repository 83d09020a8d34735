// Readers for TAPE's remote homology release (Rao et al. 2019, github.com/songlab-cal/tape):
// the splits remote_homology_{train, valid, test_fold_holdout, test_superfamily_holdout,
// test_family_holdout}, each either
//
//   <split>.lmdb/   the official LMDB release: key b"num_examples" holds the pickled record count,
//                   key str(i).encode() the pickled dict of record i (TAPE's LMDBDataset). Opened
//                   read-only without a lock file, so read-only media work; decoded by the
//                   restricted unpickler (nothing is executed).
//   <split>.json    TAPE's JSON release: one JSON list of record objects (TAPE's JSONDataset),
//                   streamed (SAX), so the large per-residue fields never sit in memory.
//
// Records have primary (str), protein_length, class/fold/superfamily/family labels, id and
// per-residue numpy arrays; fpt reads `primary`, `fold_label` (0..1194) and `id` (optional, as in
// TAPE). A split becomes ExampleArrays: int16 iupac tokens <cls> residues <sep> per example,
// offsets, labels = fold_label, sources = the file's SHA-256 (data.mdb for LMDB).
//
// Where: io::dataset_directory("remote-homology") itself or its remote_homology/ subdirectory (how
// TAPE's tarball unpacks). Every problem — missing files, a record without primary or fold_label,
// a label out of range, an empty split, num_examples missing or not matching the records, a corrupt
// pickle, bad JSON — is an fpt::Error naming the file and the record.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fpt/tasks/example_arrays.h"

namespace fpt::tasks {

inline constexpr int64_t     kHomologyFoldClasses = 1195;
inline constexpr const char* kHomologyDataset     = "remote-homology";  // io::dataset_directory
inline constexpr const char* kHomologyReleaseUrl =
    "http://s3.amazonaws.com/songlab-tape/data/remote_homology.tar.gz";

// Remote homology shards (fpt_prepare remote-homology): int16 iupac ids (iupac_tokenizer.h) with
// <cls> ... <sep>, every length (the task applies its length filter).
inline constexpr const char* kHomologyShardEncoding = "tape-iupac-ids-v1";

// The five splits in TAPE's order: train, valid, test_fold_holdout, test_superfamily_holdout,
// test_family_holdout.
const std::vector<std::string>& remote_homology_splits();

enum class TapeFormat { lmdb, json };

// Which field is the label and how many classes it has (fold_label, 1195 for remote homology).
struct TapeLabel {
  std::string field       = "fold_label";
  int64_t     num_classes = kHomologyFoldClasses;
};

// One split file in either format.
ExampleArrays read_tape_lmdb(const std::filesystem::path& lmdb_directory,
                             const TapeLabel&             label = {});
ExampleArrays read_tape_json(const std::filesystem::path& json_file, const TapeLabel& label = {});

// Where the release is: a directory holding all five splits in one format (LMDB preferred).
struct TapeRelease {
  std::filesystem::path directory;
  TapeFormat            format = TapeFormat::lmdb;

  std::filesystem::path split_path(
      const std::string& split) const;  // .../remote_homology_<split>.*
};

// Looks in `root` and `root`/remote_homology for the five splits, as LMDB directories first, then
// as JSON files. Fails listing the places searched, what is missing and where to download it.
TapeRelease locate_remote_homology(const std::filesystem::path& root);

// Like locate_remote_homology, but none when neither place holds any remote_homology_* split file
// (some present and others missing is still the error listing what is missing).
std::optional<TapeRelease> find_remote_homology(const std::filesystem::path& root);

ExampleArrays read_remote_homology_split(const TapeRelease& release, const std::string& split);

// The file `split` is read from, under the source name the readers record (data.mdb of an LMDB
// split as "remote_homology_<split>.lmdb/data.mdb"; a JSON split by its file name) -> its path.
std::map<std::string, std::filesystem::path> remote_homology_split_files(const TapeRelease& release,
                                                                         const std::string& split);

}  // namespace fpt::tasks
