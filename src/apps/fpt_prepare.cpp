// fpt_prepare: turns a data set's release files into fpt data shards (data_shards/README.md), and
// checks LRA ListOps files.
//
//   build/fpt_prepare listops --raw data/listops          # -> data_shards/listops/*.h5
//   build/fpt_prepare fashion-mnist --shard-size 5000     # Debian package's files when present
//   build/fpt_prepare listops --verify basic_train.tsv    # every Target against the evaluator
//   build/fpt_prepare --list                              # the data sets it knows
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "fpt/core/error.h"
#include "fpt/io/data_paths.h"
#include "fpt/sweep/build_info.h"
#include "fpt/tasks/listops_verify.h"
#include "fpt/tasks/prepare_datasets.h"

namespace {

// fpt_prepare listops --verify FILE: lists every bad line; exit 1 if any.
int verify_listops(const std::string& file) {
  const fpt::tasks::ListOpsVerifyReport report = fpt::tasks::verify_listops_file(file);
  for (const auto& problem : report.disagree)
    fmt::print("{}:{}: disagrees: {}\n", file, problem.line, problem.message);
  for (const auto& problem : report.unparsable)
    fmt::print("{}:{}: unparsable: {}\n", file, problem.line, problem.message);
  if (report.ok()) {
    fmt::print("{}: {} examples, every Target agrees with the evaluator\n", file, report.examples);
    return 0;
  }
  fmt::print("{}: {} examples: {} agree, {} disagree, {} unparsable\n", file, report.examples,
             report.agree, report.disagree.size(), report.unparsable.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fpt_prepare: writes a data set's release files as HDF5 data shards"};
  app.require_subcommand(0, 1);
  bool list = false;
  app.add_flag("--list", list, "list the data sets and where their shards go");

  struct Arguments {
    std::string raw, out, verify;
    int64_t     shard_size = fpt::tasks::kDefaultShardSize;
  };
  std::map<std::string, Arguments> arguments;  // one per subcommand
  for (const auto& dataset : fpt::tasks::sharded_datasets()) {
    Arguments& args = arguments[dataset.name];
    CLI::App*  sub  = app.add_subcommand(dataset.name, "shard " + dataset.raw_files);
    sub->add_option("--raw", args.raw, "directory of the release files (default: its data dir)");
    sub->add_option("--out", args.out,
                    "shard directory (default: $FPT_SHARDS_DIR or ./data_shards, /" +
                        dataset.shard_dataset + ")");
    sub->add_option("--shard-size", args.shard_size, "examples per shard file at most")
        ->check(CLI::PositiveNumber);
    if (dataset.name == "listops")
      sub->add_option("--verify", args.verify,
                      "recompute every Target of this TSV file with the evaluator, list the "
                      "lines that disagree or cannot be read (exit 1 if any); writes nothing");
  }
  CLI11_PARSE(app, argc, argv);

  try {
    if (list || app.get_subcommands().empty()) {
      for (const auto& dataset : fpt::tasks::sharded_datasets())
        fmt::print("{:<16} {} -> {}\n", dataset.name, dataset.raw_files,
                   fpt::io::shard_directory(dataset.shard_dataset).string());
      if (!list)
        fmt::print(stderr,
                   "usage: fpt_prepare <data set> [--raw DIR] [--out DIR] [--shard-size K], or "
                   "fpt_prepare listops --verify FILE (--help for more)\n");
      return list ? 0 : 2;
    }
    const std::string name = app.get_subcommands().front()->get_name();
    const Arguments&  args = arguments.at(name);
    if (!args.verify.empty()) return verify_listops(args.verify);

    fpt::tasks::PrepareOptions options;
    options.raw        = args.raw;
    options.out        = args.out;
    options.shard_size = args.shard_size;
    options.fpt_commit = fpt::sweep::build_git_commit();
    fpt::tasks::prepare_shards(fpt::tasks::find_sharded_dataset(name), options,
                               [](const std::string& line) { fmt::print("{}\n", line); });
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "fpt_prepare: error: {}\n", error.what());
    return 1;
  }
}
