#include "fpt/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "fpt/core/error.h"
#include "fpt/core/hashing.h"
#include "fpt/models/body_init.h"
#include "fpt/models/make_model.h"
#include "fpt/models/parameter_groups.h"
#include "fpt/tasks/metrics.h"
#include "fpt/tasks/task.h"
#include "fpt/train/batch_prefetcher.h"
#include "fpt/train/train_step.h"

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

  // Every random draw derives from the experiment id: model init, training data, eval data.
  const uint64_t         seed  = core::experiment_seed(spec);
  auto                   task  = tasks::make_task(spec);
  const tasks::TaskShape shape = task->shape();
  torch::manual_seed(core::derive_seed(seed, 0));
  models::ModelSources sources;
  sources.weights_dir   = options.weights_dir;
  sources.bit_body_file = options.init_body_file;
  auto model            = models::make_model(spec, model_options(spec, shape), sources);
  model->to(options.device);
  model->train();
  result.parameters = models::count_parameters(*model, shape.sequence_length);

  auto train_generator = at::make_generator<at::CPUGeneratorImpl>(core::derive_seed(seed, 1));
  auto eval_generator  = at::make_generator<at::CPUGeneratorImpl>(core::derive_seed(seed, 2));

  std::vector<torch::Tensor> trainable = trainable_parameters(*model);
  if (trainable.empty()) fail("{}: trains='{}' leaves nothing to train", result.tag, spec.trains);
  auto optimizer = make_optimizer(trainable, spec.lr);

  double  interval_loss = 0.0, interval_correct = 0.0;
  int64_t interval_count = 0;
  double  train_seconds  = 0.0;
  // Training batches: drawn on a background thread (the only user of train_generator from here
  // on), or inline when prefetch_batches is 0; the same batches either way.
  std::unique_ptr<BatchPrefetcher> prefetcher;
  if (options.prefetch_batches > 0)
    prefetcher = std::make_unique<BatchPrefetcher>(
        [&] { return task->train_batch(spec.batch_size, train_generator); }, spec.steps,
        options.prefetch_batches);
  for (int64_t step = 1; step <= spec.steps; ++step) {
    const auto   step_start = Clock::now();
    tasks::Batch drawn =
        prefetcher ? prefetcher->next() : task->train_batch(spec.batch_size, train_generator);
    tasks::Batch      batch = to_device(std::move(drawn), options.device);
    const StepOutcome outcome =
        train_step(model, *optimizer, trainable, batch, shape.num_classes, spec.grad_clip);
    if (!outcome.finite) {
      result.status       = "failed";
      result.error        = fmt::format("training loss became {} at step {}", outcome.loss, step);
      result.steps_done   = step - 1;
      result.wall_seconds = seconds_since(started);
      return result;
    }
    train_seconds += seconds_since(step_start);
    result.steps_done = step;

    interval_loss += outcome.loss * static_cast<double>(outcome.count);
    interval_correct += outcome.accuracy * static_cast<double>(outcome.count);
    interval_count += outcome.count;

    if (step % spec.eval_every == 0 || step == spec.steps) {
      Evaluation held_out =
          evaluate(model, spec.eval_batches, shape.num_classes, options.device,
                   [&](int64_t) { return task->eval_batch(spec.batch_size, eval_generator); });
      core::CurvePoint point;
      point.step            = step;
      point.train_loss      = interval_loss / static_cast<double>(interval_count);
      point.train_accuracy  = interval_correct / static_cast<double>(interval_count);
      point.eval_loss       = held_out.loss;
      point.eval_accuracy   = held_out.accuracy;
      point.elapsed_seconds = seconds_since(started);
      result.curve.push_back(point);
      if (options.on_evaluation) options.on_evaluation(point);
      interval_loss = interval_correct = 0.0;
      interval_count                   = 0;
    }
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
  result.wall_seconds = seconds_since(started);
  result.status       = "completed";
  return result;
}

}  // namespace fpt::train
