#include "fpt/tasks/bits_task.h"

#include "fpt/core/error.h"

namespace fpt::tasks {

BitsOptions bits_options_from_spec(const core::ExperimentSpec& spec) {
  BitsOptions options;
  options.xor_task = spec.task == "bit-xor";
  if (options.xor_task) {
    options.bits = 5, options.patterns = 2, options.bits_per_token = 1;
  }
  if (spec.bits_n > 0) options.bits = spec.bits_n;
  if (spec.bits_patterns > 0) options.patterns = spec.bits_patterns;
  if (spec.bits_patch > 0) options.bits_per_token = spec.bits_patch;
  if (options.bits % options.bits_per_token != 0)
    fail("{}: bits_n {} is not a multiple of bits_patch {}", spec.task, options.bits,
         options.bits_per_token);
  if (options.patterns < 1 || (options.xor_task && options.patterns != 2))
    fail("{}: bits_patterns {} is invalid (bit-xor needs 2, bit-memory at least 1)", spec.task,
         options.patterns);
  return options;
}

BitsTask::BitsTask(BitsOptions options) : options_(options) {}

TaskShape BitsTask::shape() const {
  const int64_t tokens_per_string = options_.bits / options_.bits_per_token;
  TaskShape     shape;
  shape.input_kind = InputKind::continuous;
  shape.input_dim  = options_.bits_per_token;
  // memory: the patterns and the query; xor: the two strings
  shape.sequence_length = tokens_per_string * (options_.xor_task ? 2 : options_.patterns + 1);
  shape.output_tokens   = tokens_per_string;
  shape.output_dim      = 2 * options_.bits_per_token;
  shape.num_classes     = 2;
  return shape;
}

Batch BitsTask::train_batch(int64_t batch_size, torch::Generator& generator) {
  return sample(batch_size, generator);
}

Batch BitsTask::eval_batch(int64_t batch_size, torch::Generator& generator) {
  return sample(batch_size, generator);
}

Batch BitsTask::sample(int64_t batch_size, torch::Generator& generator) const {
  return options_.xor_task ? sample_xor(batch_size, generator)
                           : sample_memory(batch_size, generator);
}

Batch BitsTask::sample_memory(int64_t batch_size, torch::Generator& generator) const {
  const int64_t n        = options_.bits;
  const int64_t patterns = options_.patterns;
  auto  bits = torch::randint(0, 2, {batch_size, patterns, n}, generator, torch::kLong) * 2 - 1;
  auto  query_index  = torch::randint(0, patterns, {batch_size}, generator, torch::kLong);
  auto  rows         = torch::arange(batch_size, torch::kLong);
  auto  query        = bits.index({rows, query_index});                                 // (B, n)
  auto  keep         = torch::randint(0, 2, {batch_size, n}, generator, torch::kLong);  // 0: masked
  auto  masked_query = (query * keep).view({batch_size, 1, n});
  auto  strings      = torch::cat({bits, masked_query}, 1).to(torch::kFloat);  // (B, patterns+1, n)
  Batch batch;
  batch.inputs  = strings.reshape({batch_size, -1, options_.bits_per_token});  // (B, T, patch)
  batch.targets = query.gt(0).to(torch::kLong);  // (B, n): bit -1 -> class 0, +1 -> class 1
  return batch;
}

Batch BitsTask::sample_xor(int64_t batch_size, torch::Generator& generator) const {
  const int64_t n = options_.bits;
  auto  bits      = torch::randint(0, 2, {batch_size, 2, n}, generator, torch::kLong);  // (B, 2, n)
  Batch batch;
  batch.inputs  = bits.to(torch::kFloat).reshape({batch_size, -1, options_.bits_per_token});
  batch.targets = bits.select(1, 0).bitwise_xor(bits.select(1, 1));  // (B, n)
  return batch;
}

}  // namespace fpt::tasks
