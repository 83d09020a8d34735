// The image tasks `mnist`, `cifar10` and `cifar10-gray` (spec §3): classify an image into 10
// classes from its patch tokens (image_tokens.h), the head reading the last position.
//
//   mnist         MNIST or Fashion-MNIST (spec key mnist_dataset), 49 × 16 or, mnist_pad_to 32,
//                 64 × 16; no augmentation
//   cifar10       64 × 48, normalised per channel; training augmentation (image_augment.h)
//   cifar10-gray  1024 × 1 grayscale; the same augmentation
//
// The splits stay in memory as stored (uint8 ExampleArrays); a batch is tokenised when drawn.
// Training batches come from a shuffled pass over the train split without replacement, the
// remainder of each epoch dropped (the official shuffled DataLoader with drop_last); the running
// estimate's batches likewise from the test split, without augmentation. The final full pass is
// over the test split in order ("test", 10,000 images).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "fpt/tasks/epoch_sampler.h"
#include "fpt/tasks/example_arrays.h"
#include "fpt/tasks/image_datasets.h"
#include "fpt/tasks/image_tokens.h"
#include "fpt/tasks/task.h"

namespace fpt::tasks {

struct ImageTaskOptions {
  ImageKind   kind    = ImageKind::mnist;
  std::string dataset = "mnist";  // mnist: mnist | fashion-mnist; cifar10*: cifar10
  int64_t     pad_to  = 0;        // mnist: 0 or 28 = none, 32 = the paper's 64 tokens
  bool        augment = true;     // cifar10*: training augmentation (mnist has none)
};

// The options the spec's task, mnist_dataset, mnist_pad_to and augment ask for; fails naming the
// key on an invalid value.
ImageTaskOptions image_options_from_spec(const core::ExperimentSpec& spec);

class ImageTask : public Task {
 public:
  // `train` and `test`: values (N, H, W, C) uint8 with C 1 (mnist) or 3, labels (N) in 0..9.
  ImageTask(ImageTaskOptions options, ExampleArrays train, ExampleArrays test);

  std::string name() const override { return image_task_name(options_.kind); }
  TaskShape   shape() const override;
  Batch       train_batch(int64_t batch_size, torch::Generator& generator) override;
  Batch       eval_batch(int64_t batch_size, torch::Generator& generator) override;

  std::string eval_split_name() const override { return "test"; }
  int64_t     eval_split_size() const override { return test_.size(); }
  Batch       eval_split_batch(int64_t begin, int64_t end) override;

  const ImageTaskOptions& options() const { return options_; }
  const ExampleArrays&    train_split() const { return train_; }
  const ExampleArrays&    test_split() const { return test_; }

 private:
  // Tokens and targets of split examples `indices`, augmented with draws from `augment_with`
  // when it is not null.
  Batch rows(const ExampleArrays& split, const torch::Tensor& indices,
             torch::Generator* augment_with) const;

  ImageTaskOptions options_;
  ExampleArrays    train_;
  ExampleArrays    test_;
  EpochSampler     train_order_;
  EpochSampler     test_order_;
};

// The release files of the data set the options name (image_datasets.h), read (no shards).
ImageRelease read_image_release(const ImageTaskOptions& options);

// The task from the data set's shards (io::shard_directory(options.dataset); cifar10-gray uses
// the cifar10 ones) when they were made from the release files found, or when no release files
// exist; else from the release files (policy: shards_or_raw.h).
std::unique_ptr<ImageTask> load_image_task(const ImageTaskOptions& options);

std::unique_ptr<Task> make_image_task(const core::ExperimentSpec& spec);

}  // namespace fpt::tasks
