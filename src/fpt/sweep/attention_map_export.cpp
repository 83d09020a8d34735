#include "fpt/sweep/attention_map_export.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <memory>
#include <string>

#include <fmt/format.h>

#include "fpt/core/error.h"
#include "fpt/core/hashing.h"
#include "fpt/models/attention_probe.h"
#include "fpt/models/fpt_model.h"
#include "fpt/tasks/task.h"

namespace fpt::sweep {
namespace {

// Index of the generator stream the example comes from (the trainer uses 1 for training batches
// and 2 for evaluation batches).
constexpr uint64_t kExampleStream = 3;

// What token `position` of one example holds: its id, its single feature (a bit), or its index
// when a token packs several features.
std::string token_label(const torch::Tensor& inputs, int64_t position) {  // (T) or (T, D)
  if (inputs.dim() == 1) return std::to_string(inputs[position].item<int64_t>());
  if (inputs.size(1) == 1) return fmt::format("{:g}", inputs[position][0].item<double>());
  return fmt::format("t{}", position);
}

}  // namespace

results::AttentionMap trained_attention_map(const core::ExperimentSpec& spec,
                                            torch::nn::Module& trained, int64_t layer,
                                            int64_t head) {
  auto* model = dynamic_cast<models::FptModelImpl*>(&trained);
  if (model == nullptr) fail("attention map: the trained module is not an FptModel");
  const std::unique_ptr<tasks::Task> task      = tasks::make_task(spec);
  at::Generator                      generator = at::make_generator<at::CPUGeneratorImpl>(
      core::derive_seed(core::experiment_seed(spec), kExampleStream));
  const tasks::Batch  example = task->eval_batch(1, generator);
  const torch::Device device  = model->parameters().front().device();
  const torch::Tensor probabilities =
      models::attention_probabilities(*model, example.inputs.to(device), layer);  // (1, H, T, T)
  const int64_t heads = probabilities.size(1);
  if (head < 0 || head >= heads)
    fail("attention map: head {} does not exist; layer {} has heads 0..{}", head, layer, heads - 1);
  const torch::Tensor chosen =
      probabilities[0][head].to(torch::kCPU, torch::kDouble).contiguous();  // (T, T)

  results::AttentionMap map;
  map.tag                    = core::default_tag(spec);
  map.id                     = core::experiment_id(spec);
  map.task                   = spec.task;
  map.layer                  = layer;
  map.head                   = head;
  map.output_tokens          = task->shape().output_tokens;
  const torch::Tensor inputs = example.inputs[0].to(torch::kCPU);  // (T) ids or (T, D) features
  const int64_t       tokens = chosen.size(0);
  for (int64_t position = 0; position < tokens; ++position)
    map.labels.push_back(token_label(inputs, position));
  const torch::Tensor targets = example.targets[0].to(torch::kCPU);  // (K)
  if (targets.size(0) == map.output_tokens)  // one prediction per read position (Bit XOR)
    for (int64_t index = 0; index < targets.size(0); ++index)
      map.targets.push_back(std::to_string(targets[index].item<int64_t>()));
  const double* values = chosen.data_ptr<double>();
  map.probabilities.assign(values, values + tokens * tokens);
  return map;
}

}  // namespace fpt::sweep
