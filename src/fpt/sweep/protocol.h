// The coordinator/worker protocol of a sweep: message tags and the JSON bodies exchanged between
// rank 0 (coordinator) and the workers. A worker asks for work (request), gets one experiment
// (assign) or the order to stop (stop), and reports each finished experiment (report).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "fpt/core/experiment_spec.h"
#include "fpt/core/run_result.h"

namespace fpt::sweep {

enum MessageTag : int {
  kRequestTag = 1,  // worker -> coordinator, {"slot": s} (a rank runs experiments_per_gpu slots)
  kAssignTag  = 2,  // coordinator -> worker, Assignment
  kStopTag    = 3,  // coordinator -> worker, {"slot": s}
  kReportTag  = 4,  // worker -> coordinator, Report
};

struct Assignment {
  std::string          id;
  std::string          tag;
  std::string          sweep;
  std::string          result_path;  // where the worker writes the experiment's HDF5 file
  int                  threads = 0;  // intra-op threads (0: the worker's default)
  core::ExperimentSpec spec;
  std::string          save_body_path;  // non-empty: save the trained body there (bit pretraining)
  std::string          init_body_path;  // init: bit — the pretrained body to start from
  // Worker group: the world ranks that train this experiment together, leader first (each of
  // them gets this assignment); group_tag tells concurrent group creations apart.
  std::vector<int> group_ranks;
  int              group_tag = 0;
  std::string      checkpoint_path;       // trainable-state checkpoint ("" = none)
  int64_t          checkpoint_every = 0;  // steps between checkpoints (0: only on a stop signal)
  int64_t          micro_batches    = 1;  // per rank and step
  int              slot             = 0;  // which worker thread of the receiving rank runs it
};

struct Report {
  std::string id;
  std::string tag;
  std::string status;  // completed | failed | interrupted (checkpointed; resumes on a rerun)
  std::string error;
  double      accuracy           = core::kNotMeasured;  // headline accuracy in [0, 1]
  double      wall_seconds       = 0.0;
  double      samples_per_second = 0.0;
  int         rank               = 0;
  bool        file_written       = false;
  int64_t     steps_done         = 0;
};

nlohmann::json to_json(const Assignment& assignment);
Assignment     assignment_from_json(const nlohmann::json& object);
nlohmann::json to_json(const Report& report);
Report         report_from_json(const nlohmann::json& object);

Report report_for(const core::RunResult& result, bool file_written);

}  // namespace fpt::sweep
