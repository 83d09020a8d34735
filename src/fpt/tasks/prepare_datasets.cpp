#include "fpt/tasks/prepare_datasets.h"

#include <fmt/format.h>

#include "fpt/core/error.h"
#include "fpt/io/data_paths.h"
#include "fpt/tasks/cifar10_reader.h"
#include "fpt/tasks/idx_reader.h"
#include "fpt/tasks/image_datasets.h"
#include "fpt/tasks/listops_arrays.h"
#include "fpt/tasks/shard_writer.h"
#include "fpt/tasks/tape_reader.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

namespace {

fs::path given_or(const fs::path& given, const fs::path& fallback) {
  return given.empty() ? fallback : given;
}

ShardedDataset listops_entry() {
  ShardedDataset entry;
  entry.name          = "listops";
  entry.shard_dataset = "listops";
  entry.encoding      = kListOpsShardEncoding;
  entry.raw_files =
      "basic_train.tsv, basic_val.tsv, basic_test.tsv of the Long Range Arena release "
      "(lra_release.gz, listops-1000/)";
  entry.splits = {"train", "val", "test"};
  entry.locate = [](const fs::path& given) {
    return given_or(given, io::dataset_directory("listops"));
  };
  entry.read_split = [](const fs::path& raw, const std::string& split) {
    const fs::path file = raw / ("basic_" + split + ".tsv");
    try {
      return read_listops_arrays(file, /*checksum=*/true);
    } catch (const Error& error) {
      fail("{}\n(fpt_prepare listops --verify {} lists every line that disagrees)", error.what(),
           file.string());
    }
  };
  return entry;
}

ShardedDataset mnist_entry(const std::string& dataset) {
  ShardedDataset entry;
  entry.name          = dataset;
  entry.shard_dataset = dataset;
  entry.encoding      = kImagePixelsEncoding;
  entry.raw_files = "{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (IDX files of the release)";
  entry.splits    = {"train", "test"};
  entry.locate    = [dataset](const fs::path& given) {
    return given.empty() ? locate_mnist_files(dataset) : given;
  };
  entry.read_split = [](const fs::path& raw, const std::string& split) {
    const std::string release = split == "test" ? "t10k" : split;
    const fs::path    images  = find_idx_file(raw, release, "images-idx3");
    const fs::path    labels  = find_idx_file(raw, release, "labels-idx1");
    if (images.empty() || labels.empty())
      fail("{}: missing {}-images-idx3-ubyte[.gz] or {}-labels-idx1-ubyte[.gz]", raw.string(),
           release, release);
    return read_idx_split(images, labels);
  };
  return entry;
}

// cifar10-gray is the same release (grayscale is the task's tokenisation), so it shares the
// cifar10 shards.
ShardedDataset cifar10_entry(const std::string& name) {
  ShardedDataset entry;
  entry.name          = name;
  entry.shard_dataset = "cifar10";
  entry.encoding      = kImagePixelsEncoding;
  entry.raw_files =
      "data_batch_1.bin ... data_batch_5.bin, test_batch.bin (CIFAR-10 binary "
      "release, cifar-10-batches-bin/)";
  entry.splits = {"train", "test"};
  entry.locate = [](const fs::path& given) {
    return given.empty() ? locate_cifar10_files() : given;
  };
  entry.read_split = [](const fs::path& raw, const std::string& split) {
    return read_cifar10_split(raw, split);
  };
  return entry;
}

ShardedDataset homology_entry() {
  ShardedDataset entry;
  entry.name          = "remote-homology";
  entry.shard_dataset = kHomologyDataset;
  entry.encoding      = kHomologyShardEncoding;
  entry.raw_files     = "remote_homology_<split>.lmdb/ or .json of TAPE's release";
  entry.splits        = remote_homology_splits();
  entry.locate        = [](const fs::path& given) {
    return given_or(given, io::dataset_directory(kHomologyDataset));
  };
  entry.read_split = [](const fs::path& raw, const std::string& split) {
    return read_remote_homology_split(locate_remote_homology(raw), split);
  };
  return entry;
}

}  // namespace

const std::vector<ShardedDataset>& sharded_datasets() {
  // Registration point: one entry per data set fpt_prepare can shard.
  static const std::vector<ShardedDataset> datasets = {
      listops_entry(),          mnist_entry("mnist"),          mnist_entry("fashion-mnist"),
      cifar10_entry("cifar10"), cifar10_entry("cifar10-gray"), homology_entry(),
  };
  return datasets;
}

const ShardedDataset& find_sharded_dataset(const std::string& name) {
  std::string known;
  for (const ShardedDataset& dataset : sharded_datasets()) {
    if (dataset.name == name) return dataset;
    known += (known.empty() ? "" : ", ") + dataset.name;
  }
  fail("fpt_prepare: unknown data set '{}'; known: {}", name, known);
}

std::vector<PreparedSplit> prepare_shards(const ShardedDataset&                          dataset,
                                          const PrepareOptions&                          options,
                                          const std::function<void(const std::string&)>& log) {
  const fs::path raw = dataset.locate(options.raw);
  const fs::path out =
      options.out.empty() ? io::shard_directory(dataset.shard_dataset) : options.out;
  std::vector<PreparedSplit> prepared;
  for (const std::string& split : dataset.splits) {
    // one split in memory at a time
    const ExampleArrays arrays = dataset.read_split(raw, split);
    ShardWriteOptions   write;
    write.dataset    = dataset.shard_dataset;
    write.split      = split;
    write.encoding   = dataset.encoding;
    write.shard_size = options.shard_size;
    write.fpt_commit = options.fpt_commit;
    PreparedSplit done;
    done.split    = split;
    done.examples = arrays.size();
    done.files    = write_shards(out, arrays, write);
    log(fmt::format("{} {}: {} examples from {} -> {} shard(s) in {}", dataset.name, split,
                    done.examples, raw.string(), done.files.size(), out.string()));
    prepared.push_back(std::move(done));
  }
  return prepared;
}

}  // namespace fpt::tasks
