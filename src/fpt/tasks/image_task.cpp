#include "fpt/tasks/image_task.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "fpt/core/error.h"
#include "fpt/io/data_paths.h"
#include "fpt/tasks/image_augment.h"
#include "fpt/tasks/shards_or_raw.h"

namespace fpt::tasks {

namespace fs = std::filesystem;

ImageTaskOptions image_options_from_spec(const core::ExperimentSpec& spec) {
  ImageTaskOptions options;
  options.kind    = image_kind_from_task(spec.task);
  options.augment = spec.augment;
  if (options.kind == ImageKind::mnist) {
    if (spec.mnist_dataset != "mnist" && spec.mnist_dataset != "fashion-mnist")
      fail("mnist_dataset '{}' must be mnist or fashion-mnist", spec.mnist_dataset);
    if (spec.mnist_pad_to != 28 && spec.mnist_pad_to != 32)
      fail(
          "mnist_pad_to {} must be 28 (49 tokens × 16, the official code) or 32 (64 × 16, the "
          "paper's text)",
          spec.mnist_pad_to);
    options.dataset = spec.mnist_dataset;
    options.pad_to  = spec.mnist_pad_to;
  } else {
    options.dataset = "cifar10";
  }
  return options;
}

namespace {

// `split` after checking it holds images and labels the task can use.
ExampleArrays checked(ExampleArrays split, const ImageTaskOptions& options, const char* what) {
  const std::string task = image_task_name(options.kind);
  if (split.variable_length() || !split.values.defined() || split.values.dim() != 4 ||
      split.values.scalar_type() != torch::kUInt8)
    fail("{}: the {} split must hold (N, H, W, C) uint8 images", task, what);
  if (split.size() == 0) fail("{}: the {} split is empty", task, what);
  if (split.values.size(0) != split.size())
    fail("{}: the {} split has {} images but {} labels", task, what, split.values.size(0),
         split.size());
  const int64_t channels = options.kind == ImageKind::mnist ? 1 : 3;
  if (split.values.size(3) != channels)
    fail("{}: the {} split's images have {} channels, expected {}", task, what,
         split.values.size(3), channels);
  if (split.labels.min().item<int64_t>() < 0 || split.labels.max().item<int64_t>() > 9)
    fail("{}: the {} split has labels outside 0..9", task, what);
  return split;
}

}  // namespace

ImageTask::ImageTask(ImageTaskOptions options, ExampleArrays train, ExampleArrays test)
    : options_(std::move(options)),
      train_(checked(std::move(train), options_, "train")),
      test_(checked(std::move(test), options_, "test")),
      train_order_(train_.size(), image_task_name(options_.kind) + " train split"),
      test_order_(test_.size(), image_task_name(options_.kind) + " test split") {
  if (train_.values.sizes().slice(1) != test_.values.sizes().slice(1))
    fail("{}: train images {} and test images {} differ in size", name(),
         c10::str(train_.values.sizes()), c10::str(test_.values.sizes()));
  // Tokenising one image checks the size against the patch and padding once, here.
  shape();
}

TaskShape ImageTask::shape() const {
  const torch::Tensor tokens =
      image_tokens(test_.values.slice(0, 0, 1), options_.kind, options_.pad_to);  // (1, T, D)
  TaskShape shape;
  shape.input_kind      = InputKind::continuous;
  shape.input_dim       = tokens.size(2);
  shape.sequence_length = tokens.size(1);
  shape.output_tokens   = 1;
  shape.output_dim      = 10;
  shape.num_classes     = 10;
  return shape;
}

Batch ImageTask::rows(const ExampleArrays& split, const torch::Tensor& indices,
                      torch::Generator* augment_with) const {
  torch::Tensor images = split.values.index_select(0, indices);  // (B, H, W, C) uint8
  if (augment_with != nullptr) images = augment_images(images, *augment_with);
  Batch batch;
  batch.inputs  = image_tokens(images, options_.kind, options_.pad_to);  // (B, T, D)
  batch.targets = split.labels.index_select(0, indices).unsqueeze(1);    // (B, 1)
  return batch;
}

Batch ImageTask::train_batch(int64_t batch_size, torch::Generator& generator) {
  const bool augment = options_.augment && options_.kind != ImageKind::mnist;
  return rows(train_, train_order_.next(batch_size, generator), augment ? &generator : nullptr);
}

Batch ImageTask::eval_batch(int64_t batch_size, torch::Generator& generator) {
  return rows(test_, test_order_.next(batch_size, generator), nullptr);
}

Batch ImageTask::eval_split_batch(int64_t begin, int64_t end) {
  const int64_t size = eval_split_size();
  if (begin < 0 || end > size || begin >= end)
    fail("{}: examples [{}, {}) are not a non-empty range of the test split ({} examples)", name(),
         begin, end, size);
  return rows(test_, torch::arange(begin, end, torch::kLong), nullptr);
}

ImageRelease read_image_release(const ImageTaskOptions& options) {
  if (options.kind == ImageKind::mnist) return read_mnist_release(options.dataset);
  return read_cifar10_release();
}

std::unique_ptr<ImageTask> load_image_task(const ImageTaskOptions& options) {
  const bool mnist = options.kind == ImageKind::mnist;
  // none: the release is nowhere (then shards alone may serve); incomplete: an error here
  const std::optional<fs::path> raw =
      mnist ? find_mnist_files(options.dataset) : find_cifar10_files();
  const std::vector<std::string>         splits = {"train", "test"};
  std::optional<std::vector<SplitFiles>> files;
  if (raw) {
    files.emplace();
    for (const std::string& split : splits)
      files->push_back(mnist ? mnist_split_files(*raw, split) : cifar10_split_files(*raw, split));
  }
  ShardPlace place;
  place.dataset   = options.dataset;  // cifar10-gray reads the cifar10 shards
  place.directory = io::shard_directory(options.dataset);
  place.encoding  = kImagePixelsEncoding;
  place.prepare   = fmt::format("fpt_prepare {}{}", options.dataset,
                              raw ? " --raw " + raw->string() : std::string());
  std::optional<ImageRelease> release;  // both splits, read once when the raw files are used
  LoadedSplits                loaded = load_splits(
                     place, splits, files,
                     [&](const std::string& split) {
        if (!release) release = read_image_release(options);
        return split == "train" ? release->train : release->test;
      },
                     [&] { mnist ? locate_mnist_files(options.dataset) : locate_cifar10_files(); });
  return std::make_unique<ImageTask>(options, std::move(loaded.splits[0]),
                                     std::move(loaded.splits[1]));
}

std::unique_ptr<Task> make_image_task(const core::ExperimentSpec& spec) {
  return load_image_task(image_options_from_spec(spec));
}

}  // namespace fpt::tasks
