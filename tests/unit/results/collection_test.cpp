// Collection: run files gathered from a results directory (corrupted files named and skipped,
// files of another sweep or grid refused unless asked) and written as one file whose /summary
// compound dataset and /curves/<id>/ hold every experiment.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "fpt/core/error.h"
#include "fpt/io/hdf5_file.h"
#include "fpt/results/collection.h"
#include "fpt/results/tables/load_sweep_results.h"
#include "result_files_fixture.h"

namespace fpt::results {
namespace {

namespace fs = std::filesystem;
using testing::make_result;
using CollectionTest = testing::ResultsDirectoryTest;

// One field of the /summary compound dataset, read with a memory type holding only that field.
std::vector<std::string> read_text_field(const fs::path& file, const char* field) {
  io::Hdf5File   h5 = io::Hdf5File::open_read_only(file);
  io::Hdf5Handle dataset(H5Dopen2(h5.root().id(), "summary", H5P_DEFAULT), H5Dclose);
  io::Hdf5Handle space(H5Dget_space(dataset.get()), H5Sclose);
  const hssize_t rows = H5Sget_simple_extent_npoints(space.get());
  io::Hdf5Handle text(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(text.get(), H5T_VARIABLE);
  H5Tset_cset(text.get(), H5T_CSET_UTF8);
  io::Hdf5Handle type(H5Tcreate(H5T_COMPOUND, sizeof(char*)), H5Tclose);
  H5Tinsert(type.get(), field, 0, text.get());
  std::vector<char*> values(static_cast<size_t>(rows));
  EXPECT_GE(H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  std::vector<std::string> out;
  for (char* value : values) {
    out.push_back(value ? value : "");
    std::free(value);
  }
  return out;
}

std::vector<double> read_real_field(const fs::path& file, const char* field) {
  io::Hdf5File   h5 = io::Hdf5File::open_read_only(file);
  io::Hdf5Handle dataset(H5Dopen2(h5.root().id(), "summary", H5P_DEFAULT), H5Dclose);
  io::Hdf5Handle space(H5Dget_space(dataset.get()), H5Sclose);
  io::Hdf5Handle type(H5Tcreate(H5T_COMPOUND, sizeof(double)), H5Tclose);
  H5Tinsert(type.get(), field, 0, H5T_NATIVE_DOUBLE);
  std::vector<double> values(static_cast<size_t>(H5Sget_simple_extent_npoints(space.get())));
  EXPECT_GE(H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  return values;
}

TEST_F(CollectionTest, GathersSeedsFailuresAndNamesCorruptedFiles) {
  for (int seed = 0; seed < 3; ++seed)
    write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", seed, 0.5 + 0.1 * seed));
  write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 3, 0.0, "failed"));
  write_corrupted("00000000deadbeef.h5");

  const Collection collection = tables::load_sweep_results(dir_);
  EXPECT_EQ(collection.sweep, "t2");
  ASSERT_EQ(collection.results.size(), 4u);
  EXPECT_EQ(collection.results.back().status, "failed");  // tag _s3 sorts last
  ASSERT_EQ(collection.corrupted.size(), 1u);
  EXPECT_EQ(collection.corrupted[0].path.filename(), "00000000deadbeef.h5");
  EXPECT_NE(describe_skipped(collection)
                .find("skipped corrupted file " + (dir_ / "00000000deadbeef.h5").string()),
            std::string::npos);
}

TEST_F(CollectionTest, ForeignSweepRefusedUnlessAsked) {
  write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 0, 0.5));
  const core::RunResult other =
      make_result("gpt2-tiny", "random", "fpt", "bit-xor", 7, 0.9, "completed", "another-sweep");
  write(other);  // in plan_ids.txt, but written by another sweep
  try {
    tables::load_sweep_results(dir_);
    FAIL() << "a file of another sweep was accepted";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(other.id + ".h5"), std::string::npos) << message;
    EXPECT_NE(message.find("another-sweep"), std::string::npos) << message;
    EXPECT_NE(message.find("--foreign skip"), std::string::npos) << message;
  }
  CollectOptions skip;
  skip.foreign = ForeignFiles::skip;
  EXPECT_EQ(tables::load_sweep_results(dir_, skip).results.size(), 1u);
  CollectOptions include;
  include.foreign             = ForeignFiles::include;
  const Collection everything = tables::load_sweep_results(dir_, include);
  EXPECT_EQ(everything.results.size(), 2u);
  EXPECT_EQ(everything.foreign.size(), 1u);
}

TEST_F(CollectionTest, IdOutsideTheRecordedGridIsForeign) {
  write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 0, 0.5));
  const core::RunResult stray = make_result("gpt2-tiny", "random", "fpt", "bit-xor", 1, 0.5);
  write(stray, /*in_plan=*/false);
  EXPECT_THROW(tables::load_sweep_results(dir_), Error);
  CollectOptions skip;
  skip.foreign               = ForeignFiles::skip;
  const Collection collected = tables::load_sweep_results(dir_, skip);
  ASSERT_EQ(collected.foreign.size(), 1u);
  EXPECT_NE(collected.foreign[0].reason.find("plan_ids.txt"), std::string::npos);
}

TEST_F(CollectionTest, SeveralSweepsWithoutANameAreRefused) {
  write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 0, 0.5, "completed", "a"));
  write(make_result("gpt2-tiny", "random", "fpt", "bit-xor", 1, 0.5, "completed", "b"));
  fs::remove(dir_ / "sweep.yaml");
  fs::remove(dir_ / "plan_ids.txt");
  try {
    collect_run_files(dir_, {});
    FAIL() << "files of two sweeps were accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("'a': 1, 'b': 1"), std::string::npos) << error.what();
  }
  CollectOptions named;
  named.sweep_name = "a";
  named.foreign    = ForeignFiles::skip;
  EXPECT_EQ(collect_run_files(dir_, named).results.size(), 1u);
}

TEST_F(CollectionTest, MissingDirectoryIsAClearError) {
  EXPECT_THROW(collect_run_files(root_ / "nowhere", {}), Error);
}

TEST_F(CollectionTest, EmptyDirectoryGivesAnEmptySummary) {
  const Collection collection = collect_run_files(dir_, {});
  EXPECT_TRUE(collection.results.empty());
  write_collection(collection_path(dir_), collection);
  EXPECT_TRUE(read_text_field(collection_path(dir_), "tag").empty());
}

TEST_F(CollectionTest, CollectionPathSitsBesideTheDirectory) {
  EXPECT_EQ(collection_path("results/table2"), fs::path("results/table2.h5"));
  EXPECT_EQ(collection_path("results/table2/"), fs::path("results/table2.h5"));
}

TEST_F(CollectionTest, WrittenSummaryAndCurvesReadBack) {
  const core::RunResult a = make_result("gpt2-tiny", "random", "fpt", "bit-xor", 0, 0.625);
  const core::RunResult b = make_result("gpt2-tiny", "bit", "fpt", "listops", 1, 0.25);
  const core::RunResult c = make_result("gpt2-tiny", "random", "fpt", "bit-xor", 1, 0.0, "failed");
  write(a), write(b), write(c);
  write_corrupted("0000000000000bad.h5");
  const Collection collection = tables::load_sweep_results(dir_);
  const fs::path   path       = collection_path(dir_);
  write_collection(path, collection);

  // Rows sorted by tag: random bit-xor s0, random bit-xor s1 (failed), bit listops s1.
  EXPECT_EQ(read_text_field(path, "id"), (std::vector<std::string>{a.id, c.id, b.id}));
  EXPECT_EQ(read_text_field(path, "task"),
            (std::vector<std::string>{"bit-xor", "bit-xor", "listops"}));
  EXPECT_EQ(read_text_field(path, "status"),
            (std::vector<std::string>{"completed", "failed", "completed"}));
  const std::vector<double> accuracy = read_real_field(path, "headline_accuracy");
  ASSERT_EQ(accuracy.size(), 3u);
  EXPECT_DOUBLE_EQ(accuracy[0], 0.625);
  EXPECT_TRUE(std::isnan(accuracy[1]));
  EXPECT_DOUBLE_EQ(accuracy[2], 0.25);
  EXPECT_DOUBLE_EQ(read_real_field(path, "wall_seconds")[0], 1.5);

  io::Hdf5File file = io::Hdf5File::open_read_only(path);
  EXPECT_EQ(file.root().read_string_attribute("format"), kCollectionFormat);
  EXPECT_EQ(file.root().read_integer_attribute("experiments"), 3);
  const io::Hdf5Node curve = file.root().open_group("curves").open_group(a.id);
  EXPECT_EQ(curve.read_integer_dataset("step"), (std::vector<int64_t>{10, 20, 30, 40}));
  EXPECT_DOUBLE_EQ(curve.read_real_dataset("eval_accuracy").back(), 0.625);
  const io::Hdf5Node skipped = file.root().open_group("skipped");
  EXPECT_EQ(skipped.read_string_dataset("file"), (std::vector<std::string>{"0000000000000bad.h5"}));
  EXPECT_EQ(skipped.read_string_dataset("kind"), (std::vector<std::string>{"corrupted"}));
}

}  // namespace
}  // namespace fpt::results
