// Run files: full round trip of every RunResult field, empty curves, the status fast path,
// atomic replacement, clear errors for foreign/corrupt/newer files, and h5dump readability.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fpt/core/error.h"
#include "fpt/core/experiment_spec.h"
#include "fpt/io/atomic_file.h"
#include "fpt/io/hdf5_file.h"
#include "fpt/results/run_file.h"

namespace fpt::results {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = core::kNotMeasured;

// A fresh directory per test, removed afterwards.
class RunFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_       = fs::temp_directory_path() /
                 ("fpt_results_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  fs::path file(const std::string& name) const { return directory_ / name; }

  fs::path directory_;
};

core::RunResult full_result() {
  core::RunResult result;
  result.spec.body         = "gpt2-medium";
  result.spec.task         = "listops";
  result.spec.trains       = "input,output,ln";
  result.spec.seed         = 3;
  result.spec.lr           = 3e-4;
  result.spec.full_eval    = false;
  result.spec.listops_data = "/data/lra/listops";
  result.spec.listops_mode = "corrected";
  result.id                = core::experiment_id(result.spec);
  result.tag               = core::default_tag(result.spec);
  result.sweep             = "table2";
  result.status            = "completed";
  result.error             = "";
  result.curve             = {
                  {100, 2.25, 0.18, 2.5, 0.17, 12.5},
                  {200, 1.75, kNaN, kNaN, 0.375, 25.25},  // NaN where a metric was not measured
                  {300, 1.5, 0.5, 1.625, 0.4375, 38.0},
  };
  result.steps_done           = 300;
  result.final_train_loss     = 1.5;
  result.final_train_accuracy = 0.5;
  result.final_eval_loss      = 1.625;
  result.final_eval_accuracy  = 0.4375;
  result.full_eval_split      = "basic_val";
  result.full_eval_examples   = 2000;
  result.full_eval_loss       = kNaN;
  result.full_eval_accuracy   = 0.38;
  result.split_evaluations    = {
         {"basic_val", 2000, 0, kNaN, 0.38, kNaN},  // no correction: NaN
         {"test_fold_holdout", 699, 19, 4.25, 0.125, 0.125 * 699.0 / 718.0},
  };
  result.parameters = {
      {"input", 7680, 7680, 7680}, {"pos", 786432, 786432, 393216}, {"frozen", 84934656, 0, 0}};
  result.wall_seconds       = 41.5;
  result.samples_per_second = 123.25;
  result.host               = "node-17.cluster";
  result.device             = "cuda:3";
  result.rank               = 5;
  result.threads            = 8;
  result.started_at         = "2025-03-01T12:00:00Z";
  result.finished_at        = "2025-03-01T12:00:41Z";
  result.git_commit         = "0123456789abcdef0123456789abcdef01234567";
  result.versions           = {{"fpt", "0.1.0"}, {"hdf5", "1.10.8"}, {"torch", "2.12.1+cu130"}};
  return result;
}

// NaN == NaN for the purpose of a round trip.
void expect_same(double expected, double actual, const std::string& field) {
  if (std::isnan(expected))
    EXPECT_TRUE(std::isnan(actual)) << field << " should be NaN, is " << actual;
  else
    EXPECT_EQ(expected, actual) << field;
}

void expect_same_result(const core::RunResult& expected, const core::RunResult& actual) {
  EXPECT_EQ(expected.id, actual.id);
  EXPECT_EQ(expected.tag, actual.tag);
  EXPECT_EQ(expected.sweep, actual.sweep);
  EXPECT_EQ(core::canonical_spec_text(expected.spec), core::canonical_spec_text(actual.spec));
  EXPECT_EQ(expected.status, actual.status);
  EXPECT_EQ(expected.error, actual.error);
  ASSERT_EQ(expected.curve.size(), actual.curve.size());
  for (size_t i = 0; i < expected.curve.size(); ++i) {
    const std::string at = "curve[" + std::to_string(i) + "].";
    EXPECT_EQ(expected.curve[i].step, actual.curve[i].step) << at << "step";
    expect_same(expected.curve[i].train_loss, actual.curve[i].train_loss, at + "train_loss");
    expect_same(expected.curve[i].train_accuracy, actual.curve[i].train_accuracy,
                at + "train_accuracy");
    expect_same(expected.curve[i].eval_loss, actual.curve[i].eval_loss, at + "eval_loss");
    expect_same(expected.curve[i].eval_accuracy, actual.curve[i].eval_accuracy,
                at + "eval_accuracy");
    expect_same(expected.curve[i].elapsed_seconds, actual.curve[i].elapsed_seconds,
                at + "elapsed_seconds");
  }
  EXPECT_EQ(expected.steps_done, actual.steps_done);
  expect_same(expected.final_train_loss, actual.final_train_loss, "final_train_loss");
  expect_same(expected.final_train_accuracy, actual.final_train_accuracy, "final_train_accuracy");
  expect_same(expected.final_eval_loss, actual.final_eval_loss, "final_eval_loss");
  expect_same(expected.final_eval_accuracy, actual.final_eval_accuracy, "final_eval_accuracy");
  EXPECT_EQ(expected.full_eval_split, actual.full_eval_split);
  EXPECT_EQ(expected.full_eval_examples, actual.full_eval_examples);
  expect_same(expected.full_eval_loss, actual.full_eval_loss, "full_eval_loss");
  expect_same(expected.full_eval_accuracy, actual.full_eval_accuracy, "full_eval_accuracy");
  ASSERT_EQ(expected.split_evaluations.size(), actual.split_evaluations.size());
  for (size_t i = 0; i < expected.split_evaluations.size(); ++i) {
    const core::SplitEvaluation& e  = expected.split_evaluations[i];
    const core::SplitEvaluation& a  = actual.split_evaluations[i];
    const std::string            at = "split_evaluations[" + std::to_string(i) + "].";
    EXPECT_EQ(e.split, a.split) << at << "split";
    EXPECT_EQ(e.examples, a.examples) << at << "examples";
    EXPECT_EQ(e.excluded, a.excluded) << at << "excluded";
    expect_same(e.loss, a.loss, at + "loss");
    expect_same(e.accuracy, a.accuracy, at + "accuracy");
    expect_same(e.corrected_accuracy, a.corrected_accuracy, at + "corrected_accuracy");
  }
  ASSERT_EQ(expected.parameters.size(), actual.parameters.size());
  for (size_t i = 0; i < expected.parameters.size(); ++i) {
    EXPECT_EQ(expected.parameters[i].group, actual.parameters[i].group);
    EXPECT_EQ(expected.parameters[i].total, actual.parameters[i].total);
    EXPECT_EQ(expected.parameters[i].trainable, actual.parameters[i].trainable);
    EXPECT_EQ(expected.parameters[i].effective, actual.parameters[i].effective);
  }
  expect_same(expected.wall_seconds, actual.wall_seconds, "wall_seconds");
  expect_same(expected.samples_per_second, actual.samples_per_second, "samples_per_second");
  EXPECT_EQ(expected.host, actual.host);
  EXPECT_EQ(expected.device, actual.device);
  EXPECT_EQ(expected.rank, actual.rank);
  EXPECT_EQ(expected.threads, actual.threads);
  EXPECT_EQ(expected.started_at, actual.started_at);
  EXPECT_EQ(expected.finished_at, actual.finished_at);
  EXPECT_EQ(expected.git_commit, actual.git_commit);
  EXPECT_EQ(expected.versions, actual.versions);
}

// Runs `body`, expecting an fpt::Error whose message contains every one of `parts`.
template <typename Body>
void expect_error_mentioning(Body body, const std::vector<std::string>& parts) {
  try {
    body();
    ADD_FAILURE() << "expected fpt::Error";
  } catch (const fpt::Error& error) {
    const std::string message = error.what();
    for (const auto& part : parts)
      EXPECT_NE(message.find(part), std::string::npos)
          << "message '" << message << "' does not mention '" << part << "'";
  }
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST_F(RunFileTest, RoundTripsEveryField) {
  const core::RunResult written = full_result();
  const fs::path        path    = file(written.id + ".h5");
  write_run_file(path, written);
  expect_same_result(written, read_run_file(path));
}

TEST_F(RunFileTest, RoundTripsFailedRunWithNonAsciiAndLongText) {
  core::RunResult written = full_result();
  written.status          = "failed";
  // UTF-8 survives; a long message is not limited by HDF5's 64 KiB object-header budget.
  written.error =
      "CUDA out of memory — tried 2.5 GiB, ±0 free, Größe ✓\n" + std::string(100000, 'x');
  written.host             = "höst-ñ";
  written.versions["cuda"] = "13.0";
  const fs::path path      = file("failed.h5");
  write_run_file(path, written);
  expect_same_result(written, read_run_file(path));
  EXPECT_EQ(read_run_status(path), "failed");
}

TEST_F(RunFileTest, RoundTripsEmptyCurvesParametersAndVersions) {
  core::RunResult written;  // defaults: failed, no curve, NaN metrics
  written.id          = core::experiment_id(written.spec);
  written.error       = "data file missing";
  const fs::path path = file("empty.h5");
  write_run_file(path, written);
  const core::RunResult read = read_run_file(path);
  expect_same_result(written, read);
  EXPECT_TRUE(read.curve.empty());
  EXPECT_TRUE(read.parameters.empty());
  EXPECT_TRUE(read.versions.empty());
  EXPECT_TRUE(std::isnan(read.final_eval_accuracy));
}

TEST_F(RunFileTest, LayoutHasFormatAndEverySpecKeyAsAttribute) {
  const core::RunResult written = full_result();
  const fs::path        path    = file("layout.h5");
  write_run_file(path, written);
  io::Hdf5File h5 = io::Hdf5File::open_read_only(path);
  EXPECT_EQ(h5.root().read_string_attribute("format"), "fpt-run");
  EXPECT_EQ(h5.root().read_integer_attribute("format_version"), kRunFileFormatVersion);
  {
    const io::Hdf5Node spec = h5.root().open_group("spec");
    for (const auto& key : core::spec_keys())
      EXPECT_TRUE(spec.has_attribute(key.name)) << "/spec lacks " << key.name;
    EXPECT_EQ(spec.read_string_attribute("body"), "gpt2-medium");
    EXPECT_EQ(spec.read_string_attribute("task"), "listops");
    EXPECT_EQ(spec.read_integer_attribute("seed"), 3);
    EXPECT_EQ(spec.read_real_attribute("lr"), 3e-4);
    EXPECT_EQ(spec.read_string_attribute("spec_json"), core::canonical_spec_text(written.spec));
    const io::Hdf5Node curves = h5.root().open_group("curves");
    EXPECT_EQ(curves.read_integer_dataset("step"), (std::vector<int64_t>{100, 200, 300}));
    const io::Hdf5Node parameters = h5.root().open_group("parameters");
    EXPECT_EQ(parameters.read_string_dataset("group"),
              (std::vector<std::string>{"input", "pos", "frozen"}));
    const io::Hdf5Node splits = h5.root().open_group("eval_splits");
    EXPECT_EQ(splits.read_string_dataset("split"),
              (std::vector<std::string>{"basic_val", "test_fold_holdout"}));
    EXPECT_EQ(splits.read_integer_dataset("excluded"), (std::vector<int64_t>{0, 19}));
  }
  h5.close();
}

// A version 1 file (before /eval_splits) still reads: no per-split results, the rest unchanged.
TEST_F(RunFileTest, VersionOneFileReadsWithoutSplitEvaluations) {
  core::RunResult written = full_result();
  const fs::path  path    = file("v1.h5");
  write_run_file(path, written);
  {  // make it what version 1 wrote: no /eval_splits, format_version 1
    const hid_t h5 = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(h5, 0);
    EXPECT_GE(H5Ldelete(h5, "eval_splits", H5P_DEFAULT), 0);
    EXPECT_GE(H5Adelete(h5, "format_version"), 0);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t attribute =
        H5Acreate2(h5, "format_version", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    const int64_t one = 1;
    EXPECT_GE(H5Awrite(attribute, H5T_NATIVE_INT64, &one), 0);
    H5Aclose(attribute);
    H5Sclose(space);
    H5Fclose(h5);
  }
  const core::RunResult read = read_run_file(path);
  EXPECT_TRUE(read.split_evaluations.empty());
  written.split_evaluations.clear();
  expect_same_result(written, read);
}

TEST_F(RunFileTest, StatusFastPath) {
  core::RunResult completed = full_result();
  write_run_file(file("done.h5"), completed);
  EXPECT_EQ(read_run_status(file("done.h5")), "completed");

  core::RunResult failed = full_result();
  failed.status          = "failed";
  write_run_file(file("failed.h5"), failed);
  EXPECT_EQ(read_run_status(file("failed.h5")), "failed");

  EXPECT_EQ(read_run_status(file("missing.h5")), std::nullopt);
  write_text(file("garbage.h5"), "this is not HDF5\n");
  EXPECT_EQ(read_run_status(file("garbage.h5")), std::nullopt);
  EXPECT_EQ(read_run_status(directory_), std::nullopt);

  {  // a valid HDF5 file of another kind
    io::Hdf5File other = io::Hdf5File::create(file("other.h5"));
    other.root().write_attribute("status", "completed");
    other.close();
  }
  EXPECT_EQ(read_run_status(file("other.h5")), std::nullopt);
}

TEST_F(RunFileTest, SuccessfulWriteLeavesNoTemporary) {
  const fs::path path = file("atomic.h5");
  write_run_file(path, full_result());
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(io::temporary_path_for(path)));
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(directory_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(RunFileTest, FailedWriteLeavesNoFileAndKeepsThePreviousOne) {
  core::RunResult broken = full_result();
  broken.versions[""]    = "1.0";  // HDF5 rejects an empty attribute name, midway through writing

  const fs::path fresh = file("fresh.h5");
  expect_error_mentioning([&] { write_run_file(fresh, broken); },
                          {fresh.string(), broken.id, "/versions"});
  EXPECT_FALSE(fs::exists(fresh));
  EXPECT_FALSE(fs::exists(io::temporary_path_for(fresh)));

  const fs::path  existing = file("existing.h5");
  core::RunResult good     = full_result();
  good.tag                 = "the-good-one";
  write_run_file(existing, good);
  EXPECT_THROW(write_run_file(existing, broken), fpt::Error);
  EXPECT_FALSE(fs::exists(io::temporary_path_for(existing)));
  EXPECT_EQ(read_run_file(existing).tag, "the-good-one");
}

TEST_F(RunFileTest, WriteIntoMissingDirectoryNamesThePath) {
  const fs::path path = file("no/such/dir/run.h5");
  expect_error_mentioning([&] { write_run_file(path, full_result()); }, {"no/such/dir"});
}

TEST_F(RunFileTest, NonHdf5FileIsAnErrorNamingThePath) {
  const fs::path path = file("text.h5");
  write_text(path, "id,accuracy\nabc,0.9\n");
  expect_error_mentioning([&] { read_run_file(path); }, {path.string(), "not a readable HDF5"});
}

TEST_F(RunFileTest, TruncatedFileIsAnErrorNamingThePath) {
  const fs::path path = file("truncated.h5");
  write_run_file(path, full_result());
  fs::resize_file(path, fs::file_size(path) / 2);
  expect_error_mentioning([&] { read_run_file(path); }, {path.string()});
  EXPECT_EQ(read_run_status(path), std::nullopt);
}

TEST_F(RunFileTest, MissingFileIsAnErrorNamingThePath) {
  const fs::path path = file("absent.h5");
  expect_error_mentioning([&] { read_run_file(path); }, {path.string(), "no such file"});
}

TEST_F(RunFileTest, ForeignHdf5FileIsRejected) {
  const fs::path path = file("foreign.h5");
  {
    io::Hdf5File h5 = io::Hdf5File::create(path);
    h5.root().write_attribute("format", "something-else");
    h5.close();
  }
  expect_error_mentioning([&] { read_run_file(path); }, {path.string(), "not an fpt run file"});
}

TEST_F(RunFileTest, NewerFormatVersionIsRejected) {
  const fs::path path = file("future.h5");
  {
    io::Hdf5File h5 = io::Hdf5File::create(path);
    h5.root().write_attribute("format", "fpt-run");
    h5.root().write_attribute("format_version", kRunFileFormatVersion + 1);
    h5.root().write_attribute("status", "completed");
    h5.close();
  }
  expect_error_mentioning(
      [&] { read_run_file(path); },
      {path.string(), fmt::format("version {}", kRunFileFormatVersion + 1), "newer"});
}

TEST_F(RunFileTest, MissingFieldIsAnErrorNamingFileAndField) {
  const fs::path path = file("partial.h5");
  {
    io::Hdf5File h5 = io::Hdf5File::create(path);
    h5.root().write_attribute("format", "fpt-run");
    h5.root().write_attribute("format_version", int64_t{1});
    h5.root().write_attribute("id", "abc");
    h5.close();
  }
  expect_error_mentioning([&] { read_run_file(path); }, {path.string(), "tag", "missing"});
}

TEST_F(RunFileTest, H5dumpReadsTheFile) {
  if (std::system("command -v h5dump > /dev/null 2>&1") != 0)
    FAIL() << "h5dump not in PATH: scripts/setup.sh installs it (Debian package hdf5-tools)";
  const core::RunResult written = full_result();
  const fs::path        path    = file(written.id + ".h5");
  write_run_file(path, written);
  const fs::path    output  = file("h5dump.txt");
  const std::string command = "h5dump -A '" + path.string() + "' > '" + output.string() + "' 2>&1";
  const int         status  = std::system(command.c_str());
  std::ifstream     in(output);
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_EQ(status, 0) << text.str();
  EXPECT_NE(text.str().find(written.id), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("GROUP \"curves\""), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("\"spec_json\""), std::string::npos) << text.str();
}

}  // namespace
}  // namespace fpt::results
