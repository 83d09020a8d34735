// loader_throughput: how fast the input pipeline makes training batches, beside how fast a tiny
// model trains on the same task, measured in the same run. The loader must stay well ahead of
// training (ratio loader/training >> 1) or the GPU waits on it.
//
//   build-*/bench/loader_throughput [--threads N] [--seconds S] [--steps N] [--body gpt2-tiny]
//
// Table 1, per task whose data is available: load seconds (reading + tokenising the data set),
// train_batch samples/s (one thread, in memory), training samples/s (--body, batch_size 16,
// --steps steps, prefetching on) and their ratio (0 training: the body cannot take the task's
// sequences). ListOps is measured on generated data (LRA grammar, 10k examples) from its
// TSV files and from shards prepared in a temporary directory, and on the LRA release when
// ${FPT_DATA_DIR}/listops holds it. Table 2, per data set fpt_prepare knows whose release files
// are found: shard writing time, reading the whole split, and reading one rank's quarter
// (partition_for_rank, 4 ranks) by index.
#include <fmt/format.h>
#include <torch/torch.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/core/hashing.h"
#include "fpt/io/data_paths.h"
#include "fpt/tasks/listops_dataset.h"
#include "fpt/tasks/listops_task.h"
#include "fpt/tasks/prepare_datasets.h"
#include "fpt/tasks/shard_partition.h"
#include "fpt/tasks/shard_reader.h"
#include "fpt/tasks/task.h"
#include "fpt/train/trainer.h"

namespace {

namespace fs = std::filesystem;
using Clock  = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Batches of `batch_size` drawn for about `seconds`; samples per second.
double loader_rate(fpt::tasks::Task& task, int64_t batch_size, double seconds) {
  auto       generator = at::make_generator<at::CPUGeneratorImpl>(1);
  int64_t    batches   = 0;
  const auto start     = Clock::now();
  while (seconds_since(start) < seconds || batches < 3) {
    const auto batch = task.train_batch(batch_size, generator);
    (void)batch;
    ++batches;
  }
  return static_cast<double>(batches * batch_size) / seconds_since(start);
}

struct Row {
  std::string task, source;
  double      load_seconds = 0, loader = 0, training = 0;
};

void print_rows(const std::vector<Row>& rows, const std::string& body, int64_t batch_size) {
  fmt::print("\n{:<22} {:<30} {:>8} {:>16} {:>16} {:>8}\n", "task", "data", "load_s",
             "loader_samples/s", "train_samples/s", "ratio");
  for (const Row& row : rows)
    fmt::print("{:<22} {:<30} {:>8.2f} {:>16.0f} {:>16.1f} {:>8.0f}\n", row.task, row.source,
               row.load_seconds, row.loader, row.training,
               row.training > 0 ? row.loader / row.training : 0.0);
  fmt::print(
      "(training: {} random init, batch {}, prefetching on; loader: train_batch on one "
      "thread)\n",
      body, batch_size);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App    app{"loader_throughput: input pipeline samples/s beside training samples/s"};
  int         threads = static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
  double      seconds = 2.0;
  int64_t     steps   = 20;
  std::string body    = "gpt2-tiny";
  app.add_option("--threads", threads, "intra-op threads for training");
  app.add_option("--seconds", seconds, "seconds of train_batch calls per measurement");
  app.add_option("--steps", steps, "training steps per measurement");
  app.add_option("--body", body, "body of the training measurement");
  CLI11_PARSE(app, argc, argv);

  const fs::path work =
      fs::temp_directory_path() / ("fpt_loader_bench_" + std::to_string(::getpid()));
  fs::create_directories(work);
  const int64_t batch_size = 16;

  // Trains `spec` briefly; its samples/s (time inside the training loop, batches included).
  auto training_rate = [&](fpt::core::ExperimentSpec spec) {
    spec.body         = body;
    spec.steps        = steps;
    spec.batch_size   = batch_size;
    spec.eval_every   = steps;
    spec.eval_batches = 1;
    spec.full_eval    = false;
    fpt::train::TrainerOptions options;
    options.threads = threads;
    return fpt::train::train_experiment(spec, options).samples_per_second;
  };
  auto measure = [&](const std::string& label, const std::string& source,
                     const fpt::core::ExperimentSpec& spec, std::vector<Row>& rows) {
    try {
      torch::set_num_threads(1);  // the loader as the prefetch thread runs it
      const auto start = Clock::now();
      auto       task  = fpt::tasks::make_task(spec);
      Row row{label, source, seconds_since(start), loader_rate(*task, batch_size, seconds), 0};
      task.reset();
      try {
        row.training = training_rate(spec);
      } catch (const std::exception& error) {  // e.g. more tokens than the body has positions
        const std::string what = error.what();
        fmt::print("{} ({}): no training measurement: {}\n", label, source,
                   what.substr(0, what.find('\n')));
      }
      rows.push_back(row);
      fmt::print("measured {} ({})\n", label, source);
    } catch (const std::exception& error) {
      const std::string what = error.what();
      fmt::print("skipped {} ({}): {}\n", label, source, what.substr(0, what.find('\n')));
    }
  };

  std::vector<Row> rows;
  for (const std::string& name : {"bit-memory", "bit-xor"}) {
    fpt::core::ExperimentSpec spec;
    spec.task = name;
    measure(name, "generated", spec, rows);
  }

  // ListOps, generated with the LRA grammar (lengths 500-1000), 10,000 training examples: TSV,
  // then shards
  ::setenv("FPT_DATA_DIR", (work / "data").c_str(), 0);  // keeps a user's FPT_DATA_DIR
  fpt::core::ExperimentSpec listops;
  listops.task               = "listops";
  listops.listops_train_size = 10000;
  listops.listops_eval_size  = 1000;
  listops.listops_max_length = 1000;  // corrected-mode sequences fit a 1024-position body
  const fs::path generated   = fpt::tasks::ensure_generated_listops(
        fpt::tasks::listops_options_from_spec(listops).generated);
  listops.listops_data           = generated.string();
  const std::string saved_shards = fpt::io::shards_root().string();
  ::setenv("FPT_SHARDS_DIR", (work / "no-shards").c_str(), 1);
  for (const std::string& mode : {"paper", "corrected"}) {
    listops.listops_mode = mode;
    measure("listops " + mode, "generated 10k, TSV", listops, rows);
  }
  ::setenv("FPT_SHARDS_DIR", (work / "shards").c_str(), 1);
  {
    fpt::tasks::PrepareOptions prepare;
    prepare.raw = generated;
    fpt::tasks::prepare_shards(fpt::tasks::find_sharded_dataset("listops"), prepare,
                               [](const std::string&) {});
  }
  for (const std::string& mode : {"paper", "corrected"}) {
    listops.listops_mode = mode;
    measure("listops " + mode, "generated 10k, shards", listops, rows);
  }
  ::setenv("FPT_SHARDS_DIR", saved_shards.c_str(), 1);

  // the LRA release and the other tasks, where their files are here
  const fs::path lra = fpt::io::dataset_directory("listops");
  if (fs::is_regular_file(lra / "basic_train.tsv")) {
    listops.listops_data = lra.string();
    for (const std::string& mode : {"paper", "corrected"}) {
      listops.listops_mode = mode;
      measure("listops " + mode, "LRA release", listops, rows);
    }
  }
  for (const std::string& name : {"mnist", "cifar10", "cifar10-gray", "remote-homology"}) {
    fpt::core::ExperimentSpec spec;
    spec.task = name;
    if (name == "mnist") {
      spec.mnist_dataset = "fashion-mnist";  // the Debian package every machine here has
      measure("mnist (fashion-mnist)", "release files", spec, rows);
    } else {
      measure(name, "release files", spec, rows);
    }
  }
  print_rows(rows, body, batch_size);

  // Table 2: shards of each data set whose release files are found
  fmt::print("\n{:<16} {:<20} {:>9} {:>8} {:>18} {:>22}\n", "data set", "split", "examples",
             "write_s", "read_all_samples/s", "read_rank_1of4_samples/s");
  for (const auto& dataset : fpt::tasks::sharded_datasets()) {
    if (dataset.name == "cifar10-gray") continue;  // the cifar10 shards
    try {
      fpt::tasks::PrepareOptions prepare;
      prepare.raw         = dataset.name == "listops" ? generated : fs::path();
      prepare.out         = work / "table2" / dataset.shard_dataset;
      const auto start    = Clock::now();
      const auto prepared = fpt::tasks::prepare_shards(dataset, prepare, [](const std::string&) {});
      const double write  = seconds_since(start);
      for (const auto& split : prepared) {
        const auto   info   = fpt::tasks::open_shard_split(prepare.out, split.split);
        const auto   begin  = Clock::now();
        const auto   all    = fpt::tasks::read_shard_split(info);
        const double whole  = static_cast<double>(all.size()) / seconds_since(begin);
        const auto   part   = fpt::tasks::partition_for_rank(info.total, 1, 0, 0, 4);
        const auto   begin2 = Clock::now();
        const auto   mine   = fpt::tasks::read_shard_examples(info, part);
        const double rank   = static_cast<double>(mine.size()) / seconds_since(begin2);
        fmt::print("{:<16} {:<20} {:>9} {:>8.2f} {:>18.0f} {:>22.0f}\n", dataset.name, split.split,
                   split.examples, write, whole, rank);
      }
    } catch (const std::exception& error) {
      const std::string what = error.what();
      fmt::print("{:<16} skipped: {}\n", dataset.name,
                 what.substr(0, std::min<size_t>(what.find('\n'), 100)));
    }
  }
  fmt::print("(ListOps: the generated 10k-example data above; write_s covers every split)\n");
  fs::remove_all(work);
  return 0;
}
