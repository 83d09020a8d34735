// RunResult: what one finished (or failed) experiment produced — the record that the results area
// writes to results/<sweep>/<id>.h5 and the sweep reads back for skipping and tables.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "fpt/core/experiment_spec.h"

namespace fpt::core {

inline constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();

// One periodic evaluation: training statistics averaged over the steps since the previous point,
// and the running (eval_batches-batch) estimate on held-out data.
struct CurvePoint {
  int64_t step            = 0;
  double  train_loss      = kNotMeasured;
  double  train_accuracy  = kNotMeasured;
  double  eval_loss       = kNotMeasured;
  double  eval_accuracy   = kNotMeasured;
  double  elapsed_seconds = 0.0;  // since training started
};

// Parameters of one group (input, output, pos, ln, attn, ff, frozen): how many exist, how many
// are marked trainable, and how many can actually change (e.g. only the first L rows of wpe).
struct ParameterGroupCount {
  std::string group;
  int64_t     total     = 0;
  int64_t     trainable = 0;
  int64_t     effective = 0;
};

// The final full pass over one evaluation split (a task may have several: remote homology
// evaluates valid and three test holdouts).
struct SplitEvaluation {
  std::string split;                   // e.g. "basic_val", "test_fold_holdout"
  int64_t     examples           = 0;  // examples evaluated
  int64_t     excluded           = 0;  // examples of the split left out (e.g. too long)
  double      loss               = kNotMeasured;
  double      accuracy           = kNotMeasured;  // over the evaluated examples
  double      corrected_accuracy = kNotMeasured;  // accuracy × examples / (examples + excluded),
                                                  // where the task reports it (else NaN)
};

struct RunResult {
  // identity
  std::string    id;
  std::string    tag;
  std::string    sweep;  // sweep name ("" for fpt_train)
  ExperimentSpec spec;

  // outcome
  std::string status = "failed";  // completed | failed | interrupted (checkpointed, not finished)
  std::string error;              // why it failed ("" when completed)

  std::vector<CurvePoint> curve;
  int64_t                 steps_done = 0;

  // final metrics: the last running estimate (the official code's "test accuracy") and, where the
  // task has a fixed split, a full pass over it
  double      final_train_loss     = kNotMeasured;
  double      final_train_accuracy = kNotMeasured;
  double      final_eval_loss      = kNotMeasured;
  double      final_eval_accuracy  = kNotMeasured;
  std::string full_eval_split;  // e.g. "basic_val"; "" when none
  int64_t     full_eval_examples = 0;
  double      full_eval_loss     = kNotMeasured;
  double      full_eval_accuracy = kNotMeasured;
  // every split of the final full pass, the headline one (= full_eval_*) first; empty when none
  std::vector<SplitEvaluation> split_evaluations;

  std::vector<ParameterGroupCount> parameters;

  // where and how
  double      wall_seconds       = 0.0;
  double      samples_per_second = 0.0;  // training examples per second of training time
  std::string host;
  std::string device;  // what trained it: "cpu" or "cuda:N" ("" in files written before)
  int         rank    = 0;
  int         threads = 0;
  // data parallelism: ranks that trained this experiment together, and the payload bytes one
  // optimizer step averaged over them (trainable gradients + a few scalars; 0 when alone)
  int         group_size                  = 1;
  int64_t     communicated_bytes_per_step = 0;
  int64_t     resumed_from_step = 0;  // > 0: continued from a checkpoint taken at this step
  std::string started_at;             // ISO 8601 UTC
  std::string finished_at;            // ISO 8601 UTC
  std::string git_commit;
  std::map<std::string, std::string> versions;  // library -> version

  bool completed() const { return status == "completed"; }
  // The number tables report: the full pass where it exists, else the running estimate.
  double headline_accuracy() const {
    return std::isnan(full_eval_accuracy) ? final_eval_accuracy : full_eval_accuracy;
  }
};

}  // namespace fpt::core
