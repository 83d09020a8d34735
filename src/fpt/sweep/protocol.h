// The coordinator/worker protocol of a sweep: message tags and the JSON bodies exchanged between
// rank 0 (coordinator) and the workers. A worker asks for work (request), gets one experiment
// (assign) or the order to stop (stop), and reports each finished experiment (report).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "fpt/core/experiment_spec.h"
#include "fpt/core/run_result.h"

namespace fpt::sweep {

enum MessageTag : int {
  kRequestTag = 1,  // worker -> coordinator, empty body
  kAssignTag  = 2,  // coordinator -> worker, Assignment
  kStopTag    = 3,  // coordinator -> worker, empty body
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
};

struct Report {
  std::string id;
  std::string tag;
  std::string status;  // completed | failed
  std::string error;
  double      accuracy           = core::kNotMeasured;  // headline accuracy in [0, 1]
  double      wall_seconds       = 0.0;
  double      samples_per_second = 0.0;
  int         rank               = 0;
  bool        file_written       = false;
};

nlohmann::json to_json(const Assignment& assignment);
Assignment     assignment_from_json(const nlohmann::json& object);
nlohmann::json to_json(const Report& report);
Report         report_from_json(const nlohmann::json& object);

Report report_for(const core::RunResult& result, bool file_written);

}  // namespace fpt::sweep
