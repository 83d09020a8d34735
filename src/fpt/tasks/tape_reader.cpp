#include "fpt/tasks/tape_reader.h"

#include <lmdb.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <optional>

#include "fpt/core/error.h"
#include "fpt/io/sha256.h"
#include "fpt/tasks/iupac_tokenizer.h"
#include "fpt/tasks/restricted_unpickler.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

namespace {

// The fields of one record that fpt uses, however they were stored.
struct TapeRecord {
  std::optional<std::string> id;
  std::optional<std::string> primary;
  std::optional<int64_t>     label;
};

// Collects records into ExampleArrays, checking each one.
class SplitAccumulator {
 public:
  SplitAccumulator(std::string file, const TapeLabel& label)
      : file_(std::move(file)), label_(label) {
    offsets_.push_back(0);
  }

  void add(int64_t index, const TapeRecord& record) {
    const std::string context = fmt::format("{}: record {}{}", file_, index,
                                            record.id ? fmt::format(" (id {})", *record.id) : "");
    if (!record.primary) fail("{}: no 'primary' (the amino-acid string)", context);
    if (!record.label) fail("{}: no '{}'", context, label_.field);
    if (*record.label < 0 || *record.label >= label_.num_classes)
      fail("{}: {} {} is outside 0..{}", context, label_.field, *record.label,
           label_.num_classes - 1);
    append_iupac_tokens(*record.primary, context, tokens_);
    offsets_.push_back(static_cast<int64_t>(tokens_.size()));
    labels_.push_back(*record.label);
  }

  ExampleArrays finish(const std::string& source_name, const std::string& checksum) {
    if (labels_.empty()) fail("{}: the split has no records", file_);
    ExampleArrays arrays;
    arrays.values =
        torch::from_blob(tokens_.data(), {static_cast<int64_t>(tokens_.size())}, torch::kInt16)
            .clone();
    arrays.offsets              = torch::tensor(offsets_, torch::kLong);
    arrays.labels               = torch::tensor(labels_, torch::kLong);
    arrays.sources[source_name] = checksum;
    return arrays;
  }

 private:
  std::string          file_;
  TapeLabel            label_;
  std::vector<int16_t> tokens_;
  std::vector<int64_t> offsets_;
  std::vector<int64_t> labels_;
};

// --- LMDB
// ------------------------------------------------------------------------------------------

class LmdbReader {
 public:
  explicit LmdbReader(const fs::path& directory) : where_(directory.string()) {
    if (!fs::is_directory(directory))
      fail("{}: not an LMDB directory (TAPE's <split>.lmdb is a directory holding data.mdb)",
           where_);
    if (!fs::is_regular_file(directory / "data.mdb"))
      fail("{}: no data.mdb inside; not a TAPE LMDB split (or an incomplete download)", where_);
    MDB_env* env = nullptr;
    check(mdb_env_create(&env), "create an environment");
    env_.reset(env);
    // Read-only and without the lock file: works on read-only media and never writes lock.mdb.
    check(mdb_env_open(env_.get(), where_.c_str(), MDB_RDONLY | MDB_NOLOCK | MDB_NORDAHEAD, 0444),
          "open");
    // LMDB maps pages up to the meta page's last page number, not the file's size: a data.mdb cut
    // short by an interrupted copy would be read past its end (SIGBUS, no message). Check first.
    MDB_envinfo info;
    MDB_stat    stat;
    check(mdb_env_info(env_.get(), &info), "read its meta page");
    check(mdb_env_stat(env_.get(), &stat), "read its page size");
    const uintmax_t needed    = (static_cast<uintmax_t>(info.me_last_pgno) + 1) * stat.ms_psize;
    const uintmax_t file_size = fs::file_size(directory / "data.mdb");
    if (needed > file_size)
      fail(
          "{}: data.mdb is truncated: {} bytes, but its pages need {} (an interrupted copy or "
          "download; fetch or copy the split again)",
          where_, file_size, needed);
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_.get(), nullptr, MDB_RDONLY, &txn), "begin a read transaction");
    txn_.reset(txn);
    check(mdb_dbi_open(txn_.get(), nullptr, 0, &dbi_), "open the main database");
  }

  // The value under `key`; nullopt when there is none. Valid while the reader lives.
  std::optional<std::string_view> get(const std::string& key) {
    MDB_val   k{key.size(), const_cast<char*>(key.data())};
    MDB_val   v{0, nullptr};
    const int rc = mdb_get(txn_.get(), dbi_, &k, &v);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check(rc, fmt::format("read key '{}'", key));
    return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
  }
  int64_t entries() {
    MDB_stat stat;
    check(mdb_stat(txn_.get(), dbi_, &stat), "count its entries");
    return static_cast<int64_t>(stat.ms_entries);
  }

 private:
  void check(int rc, const std::string& what) const {
    if (rc != MDB_SUCCESS)
      fail("{}: LMDB cannot {}: {} (is it a TAPE LMDB directory, complete and readable?)", where_,
           what, mdb_strerror(rc));
  }

  std::string where_;
  // Declared env first: the transaction is aborted before the environment closes.
  std::unique_ptr<MDB_env, decltype(&mdb_env_close)> env_{nullptr, &mdb_env_close};
  std::unique_ptr<MDB_txn, decltype(&mdb_txn_abort)> txn_{nullptr, &mdb_txn_abort};
  MDB_dbi                                            dbi_ = 0;
};

std::optional<std::string> text_field(const pickle::Pickle& record, const char* name,
                                      const std::string& context) {
  const pickle::Value* value = record.find(record.root(), name);
  if (value == nullptr) return std::nullopt;
  if (value->kind != pickle::Kind::text)
    fail("{}: '{}' is a {}, expected a str", context, name, pickle::type_name(*value));
  return value->text;
}

std::optional<int64_t> integer_field(const pickle::Pickle& record, const std::string& name,
                                     const std::string& context) {
  const pickle::Value* value = record.find(record.root(), name);
  if (value == nullptr) return std::nullopt;
  const std::optional<int64_t> integer = pickle::integer_of(record, *value);
  if (!integer) fail("{}: '{}' is a {}, expected an int", context, name, pickle::type_name(*value));
  return integer;
}

// --- JSON (SAX: only the wanted fields of each record are kept)
// --------------------------------------

class JsonRecords {
 public:
  using json = nlohmann::json;

  JsonRecords(std::string file, SplitAccumulator& accumulator, const TapeLabel& label)
      : file_(std::move(file)), accumulator_(accumulator), label_(label) {}

  int64_t count() const { return count_; }

  bool null() { return scalar("null"); }
  bool boolean(bool) { return scalar("boolean"); }
  bool number_integer(json::number_integer_t value) { return integer(value, "integer"); }
  bool number_unsigned(json::number_unsigned_t value) {
    if (value > static_cast<json::number_unsigned_t>(INT64_MAX))
      return scalar("integer beyond int64");
    return integer(static_cast<int64_t>(value), "integer");
  }
  bool number_float(json::number_float_t, const json::string_t&) { return scalar("number"); }
  bool string(json::string_t& value) {
    if (depth_ == 2 && key_ == "primary") {
      record_.primary = std::move(value);
      return true;
    }
    if (depth_ == 2 && key_ == "id") {
      record_.id = std::move(value);
      return true;
    }
    return scalar("string");
  }
  bool binary(json::binary_t&) { return scalar("binary"); }

  bool start_object(std::size_t) { return open("object"); }
  bool key(json::string_t& name) {
    if (depth_ == 2) key_ = name;
    return true;
  }
  bool end_object() {
    if (--depth_ == 1) {
      accumulator_.add(count_++, record_);
      record_ = {};
    }
    return true;
  }
  bool start_array(std::size_t) { return open("list"); }
  bool end_array() {
    --depth_;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    fail("{}: not valid JSON at byte {} (record {}): {}", file_, position, count_, e.what());
  }

 private:
  std::string record_context() const { return fmt::format("{}: record {}", file_, count_); }

  // A value that opens a container: the top-level list, a record object, or something nested in a
  // record's field (skipped unless it is a wanted field, which must be a scalar).
  bool open(const char* what) {
    const bool object = std::string_view(what) == "object";
    if (depth_ == 0 && object)
      fail("{}: the top level is a JSON object; TAPE's JSON files are a list of records", file_);
    if (depth_ == 1 && !object)
      fail("{}: is a JSON list, expected a record object", record_context());
    if (depth_ == 2) wanted_field_type(what);
    ++depth_;
    return true;
  }
  bool scalar(const char* what) {
    if (depth_ == 0)
      fail("{}: the top level is a JSON {}; TAPE's JSON files are a list of records", file_, what);
    if (depth_ == 1) fail("{}: is a JSON {}, expected a record object", record_context(), what);
    if (depth_ == 2) wanted_field_type(what);
    return true;
  }
  bool integer(int64_t value, const char* what) {
    if (depth_ == 2 && key_ == label_.field) {
      record_.label = value;
      return true;
    }
    return scalar(what);
  }
  void wanted_field_type(const char* what) const {
    if (key_ == "primary" || key_ == "id")
      fail("{}: '{}' is a JSON {}, expected a string", record_context(), key_, what);
    if (key_ == label_.field)
      fail("{}: '{}' is a JSON {}, expected an integer", record_context(), key_, what);
  }

  std::string       file_;
  SplitAccumulator& accumulator_;
  const TapeLabel&  label_;
  int               depth_ = 0;  // 0 outside, 1 in the list, 2 in a record, >2 inside a field
  std::string       key_;
  TapeRecord        record_;
  int64_t           count_ = 0;
};

std::string split_stem(const std::string& split) {
  return "remote_homology_" + split;
}

}  // namespace

const std::vector<std::string>& remote_homology_splits() {
  static const std::vector<std::string> splits = {
      "train", "valid", "test_fold_holdout", "test_superfamily_holdout", "test_family_holdout"};
  return splits;
}

ExampleArrays read_tape_lmdb(const fs::path& lmdb_directory, const TapeLabel& label) {
  const std::string where = lmdb_directory.string();
  LmdbReader        reader(lmdb_directory);

  const auto count_bytes = reader.get("num_examples");
  if (!count_bytes)
    fail("{}: no 'num_examples' key (TAPE's LMDB splits store their record count there)", where);
  const pickle::Pickle count_pickle  = pickle::unpickle(*count_bytes, where + ": num_examples");
  const std::optional<int64_t> count = pickle::integer_of(count_pickle, count_pickle.root());
  if (!count || *count < 0)
    fail("{}: num_examples is a {}, expected a non-negative int", where,
         count ? "negative int" : pickle::type_name(count_pickle.root()));
  if (*count == 0) fail("{}: the split has no records (num_examples is 0)", where);
  const int64_t entries = reader.entries();
  if (entries < 1 || entries - 1 != *count)
    fail(
        "{}: num_examples says {} records but the database holds {} entries besides it; the "
        "split is incomplete or not TAPE's",
        where, *count, entries - 1);

  SplitAccumulator accumulator(where, label);
  for (int64_t index = 0; index < *count; ++index) {
    const std::string key     = std::to_string(index);  // TAPE: str(index).encode()
    const std::string context = fmt::format("{}: record {}", where, index);
    const auto        bytes   = reader.get(key);
    if (!bytes) fail("{}: key '{}' is missing (num_examples says {})", context, key, *count);
    const pickle::Pickle record = pickle::unpickle(*bytes, context);
    if (record.root().kind != pickle::Kind::dict)
      fail("{}: the record is a {}, expected a dict", context, pickle::type_name(record.root()));
    TapeRecord fields;
    fields.id      = text_field(record, "id", context);
    fields.primary = text_field(record, "primary", context);
    fields.label   = integer_field(record, label.field, context);
    accumulator.add(index, fields);
  }
  const fs::path data_file = lmdb_directory / "data.mdb";
  return accumulator.finish(lmdb_directory.filename().string() + "/data.mdb",
                            io::sha256_file(data_file.string()));
}

ExampleArrays read_tape_json(const fs::path& json_file, const TapeLabel& label) {
  const std::string where = json_file.string();
  std::ifstream     input(json_file, std::ios::binary);
  if (!input) fail("{}: cannot open for reading", where);
  SplitAccumulator accumulator(where, label);
  JsonRecords      records(where, accumulator, label);
  nlohmann::json::sax_parse(input, &records);
  return accumulator.finish(json_file.filename().string(), io::sha256_file(where));
}

fs::path TapeRelease::split_path(const std::string& split) const {
  return directory / (split_stem(split) + (format == TapeFormat::lmdb ? ".lmdb" : ".json"));
}

TapeRelease locate_remote_homology(const fs::path& root) {
  const std::vector<fs::path> places = {root, root / "remote_homology"};
  std::string                 searched;
  for (const fs::path& place : places) {
    for (TapeFormat format : {TapeFormat::lmdb, TapeFormat::json}) {
      TapeRelease candidate{place, format};
      std::string missing;
      for (const std::string& split : remote_homology_splits()) {
        const fs::path path = candidate.split_path(split);
        const bool     present =
            format == TapeFormat::lmdb ? fs::is_directory(path) : fs::is_regular_file(path);
        if (!present) missing += (missing.empty() ? "" : ", ") + path.filename().string();
      }
      if (missing.empty()) return candidate;
      searched += fmt::format("\n  {} ({}): missing {}", place.string(),
                              format == TapeFormat::lmdb ? "LMDB" : "JSON", missing);
    }
  }
  fail(
      "remote-homology: TAPE's remote homology data is not there. Searched:{}\nDownload {} "
      "(TAPE's LMDB release) and unpack it into {} (it unpacks into remote_homology/), or run "
      "`fpt_fetch remote-homology`; TAPE's JSON release (remote_homology_<split>.json) works too. "
      "FPT_DATA_DIR sets the data root.",
      searched, kHomologyReleaseUrl, root.string());
}

std::optional<TapeRelease> find_remote_homology(const fs::path& root) {
  for (const fs::path& place : {root, root / "remote_homology"})
    for (TapeFormat format : {TapeFormat::lmdb, TapeFormat::json})
      for (const std::string& split : remote_homology_splits()) {
        std::error_code error;
        if (fs::exists(TapeRelease{place, format}.split_path(split), error))
          return locate_remote_homology(root);
      }
  return std::nullopt;
}

std::map<std::string, fs::path> remote_homology_split_files(const TapeRelease& release,
                                                            const std::string& split) {
  const fs::path path = release.split_path(split);
  if (release.format == TapeFormat::json) return {{path.filename().string(), path}};
  return {{path.filename().string() + "/data.mdb", path / "data.mdb"}};
}

ExampleArrays read_remote_homology_split(const TapeRelease& release, const std::string& split) {
  const fs::path path = release.split_path(split);
  return release.format == TapeFormat::lmdb ? read_tape_lmdb(path) : read_tape_json(path);
}

}  // namespace fpt::tasks
