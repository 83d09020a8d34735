#include "fpt/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <utility>

#include "fpt/core/error.h"
#include "fpt/core/hashing.h"
#include "fpt/dist/grad_sync.h"
#include "fpt/models/body_init.h"
#include "fpt/models/make_model.h"
#include "fpt/models/parameter_groups.h"
#include "fpt/tasks/metrics.h"
#include "fpt/tasks/task.h"
#include "fpt/train/batch_prefetcher.h"
#include "fpt/train/train_step.h"
#include "fpt/train/trainable_checkpoint.h"

namespace fpt::train {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void check_spec(const core::ExperimentSpec& spec) {
  const std::string tag = core::default_tag(spec);
  if (spec.steps <= 0) fail("{}: steps must be positive, got {}", tag, spec.steps);
  if (spec.batch_size <= 0) fail("{}: batch_size must be positive, got {}", tag, spec.batch_size);
  if (spec.eval_every <= 0) fail("{}: eval_every must be positive, got {}", tag, spec.eval_every);
  if (spec.eval_batches <= 0)
    fail("{}: eval_batches must be positive, got {}", tag, spec.eval_batches);
  if (!(spec.lr > 0)) fail("{}: lr must be positive, got {}", tag, spec.lr);
  if (spec.grad_clip < 0) fail("{}: grad_clip must be >= 0, got {}", tag, spec.grad_clip);
  if (spec.dropout < 0 || spec.dropout >= 1)
    fail("{}: dropout must be in [0, 1), got {}", tag, spec.dropout);
}

models::FptModelOptions model_options(const core::ExperimentSpec& spec,
                                      const tasks::TaskShape&     shape) {
  models::FptModelOptions options;
  options.token_input   = shape.input_kind == tasks::InputKind::tokens;
  options.input_dim     = shape.input_dim;
  options.output_tokens = shape.output_tokens;
  options.output_dim    = shape.output_dim;
  options.dropout       = spec.dropout;
  options.orth_gain     = spec.orth_gain;
  return options;
}

struct Evaluation {
  double  loss        = 0.0;
  double  accuracy    = 0.0;
  int64_t predictions = 0;
};

// Mean loss and accuracy over `batches`, weighting each batch by its number of predictions.
tasks::Batch to_device(tasks::Batch batch, const torch::Device& device) {
  if (device.is_cpu()) return batch;
  return {batch.inputs.to(device, /*non_blocking=*/true),
          batch.targets.to(device, /*non_blocking=*/true)};
}

// Rows [first, first + rows) of a batch (a member's slice, or a micro-batch of it).
tasks::Batch rows_of(const tasks::Batch& batch, int64_t first, int64_t rows) {
  return {batch.inputs.narrow(0, first, rows), batch.targets.narrow(0, first, rows)};
}

template <typename NextBatch>
Evaluation evaluate(models::FptModel& model, int64_t batches, int64_t num_classes,
                    const torch::Device& device, NextBatch next_batch) {
  torch::NoGradGuard no_grad;
  model->eval();
  double  loss_sum = 0.0, correct_sum = 0.0;
  int64_t count = 0;
  for (int64_t index = 0; index < batches; ++index) {
    tasks::Batch batch  = to_device(next_batch(index), device);
    auto         scored = tasks::score(model->forward(batch.inputs), batch.targets, num_classes);
    loss_sum += scored.loss.item<double>() * static_cast<double>(scored.count);
    correct_sum += scored.accuracy * static_cast<double>(scored.count);
    count += scored.count;
  }
  model->train();
  if (count == 0) return {};
  return {loss_sum / static_cast<double>(count), correct_sum / static_cast<double>(count), count};
}

// After set-up, on every member of a group: fails on all members when any failed (the failing one
// rethrows its own error afterwards) or when they would resume from different steps.
void agree_on_set_up(dist::Communicator& group, const std::exception_ptr& own_error,
                     int64_t resume_step, const torch::Device& device, const std::string& tag) {
  const double step = static_cast<double>(resume_step);
  auto         flags =
      torch::tensor({own_error ? 1.0 : 0.0, step, step * step}, torch::kFloat64).to(device);
  group.allreduce_average(flags);
  const auto   mean          = flags.cpu();
  const double any_failed    = mean[0].item<double>();
  const double step_mean     = mean[1].item<double>();
  const double step_variance = mean[2].item<double>() - step_mean * step_mean;
  if (own_error) {
    try {
      std::rethrow_exception(own_error);
    } catch (const std::exception& error) {
      fmt::print(stderr, "{}: set-up failed on member {} of its worker group: {}\n", tag,
                 group.rank(), error.what());
      throw;
    }
  }
  if (any_failed > 0)
    fail(
        "{}: another member of its worker group failed to set up (its error is in that rank's "
        "log)",
        tag);
  if (step_variance > 0.25)
    fail(
        "{}: the members of its worker group found different checkpoints (steps differ): every "
        "rank must see the same results directory (a shared file system)",
        tag);
}

}  // namespace

core::RunResult train_experiment(const core::ExperimentSpec& given_spec,
                                 const TrainerOptions&       options) {
  // lr 0 means the paper's default; the sweep grid resolved it already (the id is the same).
  const core::ExperimentSpec spec = core::resolve_defaults(given_spec);
  check_spec(spec);
  if (options.threads > 0) torch::set_num_threads(options.threads);

  core::RunResult result;
  result.spec        = spec;
  result.id          = core::experiment_id(spec);
  result.tag         = core::default_tag(spec);
  result.threads     = torch::get_num_threads();
  const auto started = Clock::now();

  // Data parallelism: every member draws the same global batch from the same generator and trains
  // on its own rows of it, so the group computes exactly what one process would on the whole batch.
  dist::Communicator* group         = options.communicator;
  const int           group_size    = group ? group->size() : 1;
  const bool          leader        = !group || group->rank() == 0;
  const int64_t       micro_batches = std::max<int64_t>(options.micro_batches, 1);
  const int64_t       local_rows    = spec.batch_size / group_size;
  const int64_t       micro_rows    = local_rows / micro_batches;
  const int64_t       first_row     = group ? group->rank() * local_rows : 0;

  // Set-up: everything a member can fail at before training. A group's members then agree that
  // all of them succeeded and start from the same step, before the first collective of training
  // — one member failing alone must not leave the others waiting in an allreduce.
  const uint64_t                      seed = core::experiment_seed(spec);
  std::unique_ptr<tasks::Task>        task;
  tasks::TaskShape                    shape;
  models::FptModel                    model{nullptr};
  at::Generator                       train_generator, eval_generator;
  std::vector<torch::Tensor>          trainable;
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::unique_ptr<dist::GradSync>     grad_sync;
  TrainingProgress                    progress;
  progress.experiment_id = result.id;
  std::exception_ptr setup_error;
  try {
    if (spec.batch_size % (group_size * micro_batches) != 0)
      fail(
          "{}: batch_size {} does not divide into {} ranks × {} micro-batches; choose a batch "
          "size that does, or change runtime.ranks_per_experiment / micro_batches",
          result.tag, spec.batch_size, group_size, micro_batches);
    // Every random draw derives from the experiment id: model init, training data, eval data.
    task  = tasks::make_task(spec);
    shape = task->shape();
    {
      // Seeding and initialisation use the process-wide generator: one experiment at a time
      // (runtime.experiments_per_gpu runs several in one process).
      static std::mutex initialisation;
      std::lock_guard   lock(initialisation);
      torch::manual_seed(core::derive_seed(seed, 0));
      models::ModelSources sources;
      sources.weights_dir   = options.weights_dir;
      sources.bit_body_file = options.init_body_file;
      model                 = models::make_model(spec, model_options(spec, shape), sources);
    }
    model->to(options.device);
    model->train();
    result.parameters = models::count_parameters(*model, shape.sequence_length);

    train_generator = at::make_generator<at::CPUGeneratorImpl>(core::derive_seed(seed, 1));
    eval_generator  = at::make_generator<at::CPUGeneratorImpl>(core::derive_seed(seed, 2));

    trainable = trainable_parameters(*model);
    if (trainable.empty()) fail("{}: trains='{}' leaves nothing to train", result.tag, spec.trains);
    optimizer = make_optimizer(trainable, spec.lr);
    if (group) grad_sync = std::make_unique<dist::GradSync>(trainable, *group);

    // Resume: parameters, Adam, generators and curve from the checkpoint; the data position by
    // replaying the seeded draws of the steps (and evaluations) already taken.
    if (!options.checkpoint_file.empty() && std::filesystem::exists(options.checkpoint_file)) {
      progress =
          load_checkpoint(options.checkpoint_file, result.id, *model, *optimizer, options.device);
      if (progress.step >= spec.steps)
        fail("{}: checkpoint {} is at step {} of {}; delete it to rerun the experiment", result.tag,
             options.checkpoint_file, progress.step, spec.steps);
      for (int64_t step = 1; step <= progress.step; ++step) {
        task->train_batch(spec.batch_size, train_generator);
        if (step % spec.eval_every == 0)
          for (int64_t index = 0; index < spec.eval_batches; ++index)
            task->eval_batch(spec.batch_size, eval_generator);
      }
    }
  } catch (...) {
    setup_error = std::current_exception();
  }
  if (group) agree_on_set_up(*group, setup_error, progress.step, options.device, result.tag);
  if (setup_error) std::rethrow_exception(setup_error);
  if (progress.step > 0) {
    result.resumed_from_step = progress.step;
    if (options.on_resume) options.on_resume(progress.step);
    result.curve      = progress.curve;
    result.steps_done = progress.step;
  }
  // Scalars that ride along with the gradients: loss sum, correct sum, predictions, non-finite
  // flag, stop flag, error flag — so the group agrees on statistics, divergence, stopping and
  // failure in one message.
  constexpr size_t kStepScalars      = 6;
  result.group_size                  = group_size;
  result.communicated_bytes_per_step = grad_sync ? grad_sync->bytes_per_step(kStepScalars) : 0;

  if (grad_sync) grad_sync->broadcast_parameters();
  double       interval_loss    = progress.interval_loss;
  double       interval_correct = progress.interval_correct;
  int64_t      interval_count   = progress.interval_count;
  double       train_seconds    = progress.train_seconds;
  const double resumed_elapsed  = progress.elapsed_seconds;
  auto         elapsed          = [&] { return resumed_elapsed + seconds_since(started); };
  auto         write_checkpoint = [&](int64_t step) {
    if (!leader || options.checkpoint_file.empty()) return;
    progress.step             = step;
    progress.curve            = result.curve;
    progress.elapsed_seconds  = elapsed();
    progress.train_seconds    = train_seconds;
    progress.interval_loss    = interval_loss;
    progress.interval_correct = interval_correct;
    progress.interval_count   = interval_count;
    save_checkpoint(options.checkpoint_file, progress, *model, *optimizer, options.device);
    if (options.on_checkpoint) options.on_checkpoint(step);
  };

  // The leader's own work between steps (evaluation): in a group, an error there is held and
  // sent with the next step's scalars so that every member stops with it; alone it propagates.
  std::exception_ptr pending_error;
  auto               leader_only = [&](const std::function<void()>& work) {
    if (!grad_sync) return work();
    try {
      work();
    } catch (...) {
      pending_error = std::current_exception();
    }
  };

  // Training batches: drawn on a background thread (the only user of train_generator from here
  // on), or inline when prefetch_batches is 0; the same batches either way.
  const int64_t                    first_step = progress.step + 1;
  std::unique_ptr<BatchPrefetcher> prefetcher;
  if (options.prefetch_batches > 0)
    prefetcher = std::make_unique<BatchPrefetcher>(
        [&] { return task->train_batch(spec.batch_size, train_generator); },
        spec.steps - progress.step, options.prefetch_batches);
  for (int64_t step = first_step; step <= spec.steps; ++step) {
    const auto   step_start = Clock::now();
    tasks::Batch drawn =
        prefetcher ? prefetcher->next() : task->train_batch(spec.batch_size, train_generator);
    if (group_size > 1) drawn = rows_of(drawn, first_row, local_rows);

    optimizer->zero_grad();
    double  loss_sum = 0.0, correct_sum = 0.0, first_bad_loss = 0.0;
    int64_t count  = 0;
    bool    finite = true;
    // In a group a member's error travels in the step's allreduce (all members fail together);
    // alone it propagates at once.
    std::exception_ptr step_error = std::exchange(pending_error, nullptr);
    try {
      for (int64_t micro = 0; micro < micro_batches && finite && !step_error; ++micro) {
        tasks::Batch part =
            micro_batches > 1 ? rows_of(drawn, micro * micro_rows, micro_rows) : drawn;
        const StepOutcome outcome =
            accumulate_gradients(model, to_device(std::move(part), options.device),
                                 shape.num_classes, 1.0 / static_cast<double>(micro_batches));
        finite = outcome.finite;
        if (!finite) first_bad_loss = outcome.loss;
        loss_sum += outcome.loss * static_cast<double>(outcome.count);
        correct_sum += outcome.accuracy * static_cast<double>(outcome.count);
        count += outcome.count;
      }
    } catch (...) {
      if (!grad_sync) throw;
      step_error = std::current_exception();
    }
    bool stop_here = options.stop_requested && options.stop_requested();
    if (grad_sync) {
      const std::vector<double> mean = grad_sync->average(
          {finite ? loss_sum : 0.0, finite ? correct_sum : 0.0, static_cast<double>(count),
           finite ? 0.0 : 1.0, stop_here ? 1.0 : 0.0, step_error ? 1.0 : 0.0});
      if (step_error) std::rethrow_exception(step_error);
      if (mean[5] > 0)
        fail(
            "{}: another member of its worker group failed at step {} (its error is in that "
            "rank's log)",
            result.tag, step);
      loss_sum    = mean[0] * group_size;
      correct_sum = mean[1] * group_size;
      count       = std::llround(mean[2] * group_size);
      if (finite && mean[3] > 0) first_bad_loss = std::nan("");
      finite    = mean[3] == 0;
      stop_here = mean[4] > 0;
    }
    if (!finite) {
      result.status     = "failed";
      result.error      = fmt::format("training loss became {} at step {}{}", first_bad_loss, step,
                                 group_size > 1 ? " (on a member of the worker group)" : "");
      result.steps_done = step - 1;
      result.wall_seconds = elapsed();
      return result;
    }
    apply_update(*optimizer, trainable, spec.grad_clip);
    train_seconds += seconds_since(step_start);
    result.steps_done = step;

    interval_loss += loss_sum;
    interval_correct += correct_sum;
    interval_count += count;

    if (leader && (step % spec.eval_every == 0 || step == spec.steps))
      leader_only([&] {
        Evaluation held_out =
            evaluate(model, spec.eval_batches, shape.num_classes, options.device,
                     [&](int64_t) { return task->eval_batch(spec.batch_size, eval_generator); });
        core::CurvePoint point;
        point.step            = step;
        point.train_loss      = interval_loss / static_cast<double>(interval_count);
        point.train_accuracy  = interval_correct / static_cast<double>(interval_count);
        point.eval_loss       = held_out.loss;
        point.eval_accuracy   = held_out.accuracy;
        point.elapsed_seconds = elapsed();
        result.curve.push_back(point);
        if (options.on_evaluation) options.on_evaluation(point);
      });
    if (step % spec.eval_every == 0 || step == spec.steps) {
      interval_loss = interval_correct = 0.0;
      interval_count                   = 0;
    }
    // A checkpoint that cannot be written (disk full, ...) does not stop training: the previous
    // one stays valid (atomic writes), and a stop then resumes from there.
    std::string checkpoint_error;
    const bool  periodic = options.checkpoint_every > 0 && step % options.checkpoint_every == 0;
    if (step < spec.steps && (periodic || stop_here)) {
      try {
        write_checkpoint(step);
      } catch (const std::exception& error) {
        checkpoint_error = error.what();
        fmt::print(stderr, "warning: {}: could not write its checkpoint at step {}: {}\n",
                   result.tag, step, checkpoint_error);
      }
    }
    if (stop_here && step < spec.steps) {
      result.status       = "interrupted";
      result.error        = checkpoint_error.empty()
                                ? fmt::format("stopped at step {} of {}; checkpoint {}", step, spec.steps,
                                              options.checkpoint_file)
                                : fmt::format(
                                      "stopped at step {} of {} but its checkpoint could not "
                                             "be written ({}); it resumes from the previous one",
                                      step, spec.steps, checkpoint_error);
      result.wall_seconds = elapsed();
      return result;
    }
  }
  if (pending_error) std::rethrow_exception(pending_error);  // the leader's last evaluation
  if (options.on_trained) options.on_trained(*model);
  if (!leader) {  // the leader evaluates and reports; a member only trained
    result.status       = "completed";
    result.wall_seconds = elapsed();
    return result;
  }

  const core::CurvePoint& last = result.curve.back();
  result.final_train_loss      = last.train_loss;
  result.final_train_accuracy  = last.train_accuracy;
  result.final_eval_loss       = last.eval_loss;
  result.final_eval_accuracy   = last.eval_accuracy;

  // Final full pass over every evaluation split; the first is the headline (full_eval_*).
  const std::vector<tasks::EvalSplit> eval_splits =
      spec.full_eval ? task->eval_splits() : std::vector<tasks::EvalSplit>{};
  for (size_t split = 0; split < eval_splits.size(); ++split) {
    const tasks::EvalSplit& eval       = eval_splits[split];
    const int64_t           split_size = eval.size;
    if (split_size <= 0) fail("{}: evaluation split {} has no examples", result.tag, eval.name);
    const int64_t chunk  = std::max<int64_t>(spec.batch_size, 64);
    const int64_t chunks = (split_size + chunk - 1) / chunk;
    Evaluation    full =
        evaluate(model, chunks, shape.num_classes, options.device, [&](int64_t index) {
          return task->eval_split_examples(static_cast<int64_t>(split), index * chunk,
                                           std::min(split_size, (index + 1) * chunk));
        });
    core::SplitEvaluation evaluation;
    evaluation.split    = eval.name;
    evaluation.examples = split_size;
    evaluation.excluded = eval.excluded;
    evaluation.loss     = full.loss;
    evaluation.accuracy = full.accuracy;
    if (eval.corrected)  // the excluded examples counted wrong (remote homology's official 0.9739)
      evaluation.corrected_accuracy = full.accuracy * static_cast<double>(split_size) /
                                      static_cast<double>(split_size + eval.excluded);
    result.split_evaluations.push_back(evaluation);
  }
  if (!result.split_evaluations.empty()) {
    const core::SplitEvaluation& headline = result.split_evaluations.front();
    result.full_eval_split                = headline.split;
    result.full_eval_examples             = headline.examples;
    result.full_eval_loss                 = headline.loss;
    result.full_eval_accuracy             = headline.accuracy;
  }

  if (!options.save_body_file.empty())
    models::save_body(*model->body, options.save_body_file,
                      {{"experiment_id", result.id}, {"experiment_tag", result.tag}});

  result.samples_per_second =
      train_seconds > 0 ? static_cast<double>(spec.steps * spec.batch_size) / train_seconds : 0.0;
  result.wall_seconds = elapsed();
  result.status       = "completed";
  return result;
}

}  // namespace fpt::train
