// The LRA ListOps TSV reader and writer: the format (header in any order, CRLF), every error with
// its file and line, round trips, and the Target check against the expression's value.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/tasks/listops_tsv.h"

namespace {

namespace fs = std::filesystem;
using fpt::tasks::ListOpsExample;
using fpt::tasks::read_listops_tsv;

class ListOpsTsv : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("fpt_listops_tsv_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path path = directory_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string error_reading(const fs::path& path) {
    try {
      read_listops_tsv(path);
    } catch (const fpt::Error& error) {
      return error.what();
    }
    return "";
  }

  fs::path directory_;
};

const char* kMax29 = "( ( ( [MAX 2 ) 9 ) ] )";
const char* kSm987 = "( ( ( ( [SM 9 ) 8 ) 7 ) ] )";

TEST_F(ListOpsTsv, ReadsLraFormatWithCrlfAndLineNumbers) {
  const fs::path path = write(
      "basic_val.tsv", std::string("Source\tTarget\r\n") + kMax29 + "\t9\r\n" + kSm987 + "\t4\r\n");
  const auto examples = read_listops_tsv(path);
  ASSERT_EQ(examples.size(), 2u);
  EXPECT_EQ(examples[0].source, kMax29);
  EXPECT_EQ(examples[0].target, 9);
  EXPECT_EQ(examples[0].line, 2);
  EXPECT_EQ(examples[1].source, kSm987);
  EXPECT_EQ(examples[1].target, 4);
  EXPECT_EQ(examples[1].line, 3);
  EXPECT_NO_THROW(fpt::tasks::verify_listops_targets(examples, path));
}

TEST_F(ListOpsTsv, ColumnsInAnyOrderBesideOthers) {
  const fs::path path = write("x.tsv", std::string("Id\tTarget\tSource\n7\t9\t") + kMax29 + "\n");
  const auto     examples = read_listops_tsv(path);
  ASSERT_EQ(examples.size(), 1u);
  EXPECT_EQ(examples[0].source, kMax29);
  EXPECT_EQ(examples[0].target, 9);
}

TEST_F(ListOpsTsv, MissingFileNamesIt) {
  const auto message = error_reading(directory_ / "basic_train.tsv");
  EXPECT_NE(message.find("basic_train.tsv does not exist"), std::string::npos) << message;
}

TEST_F(ListOpsTsv, EmptyFileAndHeaderOnly) {
  auto message = error_reading(write("empty.tsv", ""));
  EXPECT_NE(message.find("empty.tsv: the file is empty"), std::string::npos) << message;
  message = error_reading(write("header.tsv", "Source\tTarget\n"));
  EXPECT_NE(message.find("header.tsv: the file has a header but no examples"), std::string::npos)
      << message;
}

TEST_F(ListOpsTsv, MissingColumnInHeader) {
  auto message = error_reading(write("a.tsv", std::string("Source\tLabel\n") + kMax29 + "\t9\n"));
  EXPECT_NE(message.find("a.tsv:1: the header"), std::string::npos) << message;
  EXPECT_NE(message.find("lacks the column Target"), std::string::npos) << message;
  message = error_reading(write("b.tsv", std::string("Input\tTarget\n") + kMax29 + "\t9\n"));
  EXPECT_NE(message.find("lacks the column Source"), std::string::npos) << message;
}

TEST_F(ListOpsTsv, NonIntegerTargetNamesItsLine) {
  const fs::path path    = write("bad.tsv", std::string("Source\tTarget\n") + kMax29 + "\t9\n" +
                                                kSm987 + "\t4\n" + kMax29 + "\tnine\n");
  const auto     message = error_reading(path);
  EXPECT_NE(message.find("bad.tsv:4: Target 'nine' is not an integer"), std::string::npos)
      << message;
}

TEST_F(ListOpsTsv, OutOfRangeTargets) {
  auto message = error_reading(write("r.tsv", std::string("Source\tTarget\n") + kMax29 + "\t12\n"));
  EXPECT_NE(message.find("r.tsv:2: Target 12 is outside 0-9"), std::string::npos) << message;
  message = error_reading(write("n.tsv", std::string("Source\tTarget\n") + kMax29 + "\t-1\n"));
  EXPECT_NE(message.find("n.tsv:2: Target -1 is outside 0-9"), std::string::npos) << message;
  message = error_reading(write("e.tsv", std::string("Source\tTarget\n") + kMax29 + "\t\n"));
  EXPECT_NE(message.find("e.tsv:2: Target '' is not an integer"), std::string::npos) << message;
}

TEST_F(ListOpsTsv, WrongNumberOfFields) {
  const fs::path path =
      write("f.tsv", std::string("Source\tTarget\n") + kMax29 + "\t9\n" + kSm987 + "\t4\textra\n");
  const auto message = error_reading(path);
  EXPECT_NE(message.find("f.tsv:3: expected 2 tab-separated fields as in the header, found 3"),
            std::string::npos)
      << message;
  const auto one_field = error_reading(write("g.tsv", std::string("Source\tTarget\n") + kMax29));
  EXPECT_NE(one_field.find("g.tsv:2: expected 2"), std::string::npos) << one_field;
}

TEST_F(ListOpsTsv, BlankLinesOnlyAtTheEnd) {
  EXPECT_EQ(
      read_listops_tsv(write("t.tsv", std::string("Source\tTarget\n") + kMax29 + "\t9\n\n")).size(),
      1u);
  const auto message = error_reading(
      write("m.tsv", std::string("Source\tTarget\n") + kMax29 + "\t9\n\n" + kSm987 + "\t4\n"));
  EXPECT_NE(message.find("m.tsv:3: blank line"), std::string::npos) << message;
}

TEST_F(ListOpsTsv, WrittenThenReadGivesTheSameExamples) {
  const std::vector<ListOpsExample> examples = {{kMax29, 9, 0}, {kSm987, 4, 0}, {"5", 5, 0}};
  const fs::path                    path     = directory_ / "out.tsv";
  fpt::tasks::write_listops_tsv(path, examples);
  const auto back = read_listops_tsv(path);
  ASSERT_EQ(back.size(), examples.size());
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].source, examples[i].source);
    EXPECT_EQ(back[i].target, examples[i].target);
    EXPECT_EQ(back[i].line, static_cast<int64_t>(i) + 2);
  }
  // the file is exactly the text form, and no temporary is left beside it
  std::ifstream     in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, fpt::tasks::listops_tsv_text(examples));
  EXPECT_EQ(text.rfind("Source\tTarget\n", 0), 0u);
  int64_t files = 0;
  for (const auto& entry : fs::directory_iterator(directory_)) files += entry.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(ListOpsTsv, VerifyTargetsNamesTheWrongLine) {
  const fs::path path =
      write("v.tsv", std::string("Source\tTarget\n") + kMax29 + "\t9\n" + kSm987 + "\t7\n");
  const auto examples = read_listops_tsv(path);
  try {
    fpt::tasks::verify_listops_targets(examples, path);
    ADD_FAILURE() << "a wrong Target was accepted";
  } catch (const fpt::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("v.tsv:3: Target 7 is wrong: the expression evaluates to 4"),
              std::string::npos)
        << message;
  }
  const fs::path broken = write("w.tsv", std::string("Source\tTarget\n") + "( ( [MAX 2 ) 9 )\t9\n");
  EXPECT_THROW(fpt::tasks::verify_listops_targets(read_listops_tsv(broken), broken), fpt::Error);
}

}  // namespace
