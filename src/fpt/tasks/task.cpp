#include "fpt/tasks/task.h"

#include "fpt/core/error.h"
#include "fpt/core/names.h"
#include "fpt/tasks/bits_task.h"
#include "fpt/tasks/homology_task.h"
#include "fpt/tasks/image_task.h"
#include "fpt/tasks/listops_task.h"

namespace fpt::tasks {

Batch Task::eval_split_batch(int64_t, int64_t) {
  fail("task {} has no fixed evaluation split", name());
}

std::vector<EvalSplit> Task::eval_splits() const {
  if (eval_split_size() <= 0) return {};
  EvalSplit split;
  split.name = eval_split_name();
  split.size = eval_split_size();
  return {split};
}

Batch Task::eval_split_examples(int64_t split, int64_t begin, int64_t end) {
  if (split != 0) fail("task {} has no evaluation split {}", name(), split);
  return eval_split_batch(begin, end);
}

std::unique_ptr<Task> make_task(const core::ExperimentSpec& spec) {
  core::check_available("task", spec.task, core::default_tag(spec));
  if (spec.task == "bit-memory" || spec.task == "bit-xor")
    return std::make_unique<BitsTask>(bits_options_from_spec(spec));
  if (spec.task == "listops") return make_listops_task(spec);
  if (spec.task == "mnist" || spec.task == "cifar10" || spec.task == "cifar10-gray")
    return make_image_task(spec);
  if (spec.task == "remote-homology") return make_homology_task(spec);
  fail("{}: task '{}' has no implementation in this build", core::default_tag(spec), spec.task);
}

}  // namespace fpt::tasks
