#include "fpt/tasks/task.h"

#include "fpt/core/error.h"
#include "fpt/core/names.h"
#include "fpt/tasks/bits_task.h"
#include "fpt/tasks/listops_task.h"

namespace fpt::tasks {

Batch Task::eval_split_batch(int64_t, int64_t) {
  fail("task {} has no fixed evaluation split", name());
}

std::unique_ptr<Task> make_task(const core::ExperimentSpec& spec) {
  core::check_available("task", spec.task, core::default_tag(spec));
  if (spec.task == "bit-memory" || spec.task == "bit-xor")
    return std::make_unique<BitsTask>(bits_options_from_spec(spec));
  if (spec.task == "listops") return make_listops_task(spec);
  fail("{}: task '{}' has no implementation in this build", core::default_tag(spec), spec.task);
}

}  // namespace fpt::tasks
