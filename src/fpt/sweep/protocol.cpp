#include "fpt/sweep/protocol.h"

#include <cmath>

namespace fpt::sweep {
namespace {

// JSON has no NaN: a missing measurement travels as null.
nlohmann::json number_or_null(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}
double number_or_nan(const nlohmann::json& value) {
  return value.is_number() ? value.get<double>() : core::kNotMeasured;
}

}  // namespace

nlohmann::json to_json(const Assignment& assignment) {
  return {{"id", assignment.id},
          {"tag", assignment.tag},
          {"sweep", assignment.sweep},
          {"result_path", assignment.result_path},
          {"threads", assignment.threads},
          {"spec", core::spec_to_json(assignment.spec)},
          {"save_body_path", assignment.save_body_path},
          {"init_body_path", assignment.init_body_path},
          {"group_ranks", assignment.group_ranks},
          {"group_tag", assignment.group_tag},
          {"checkpoint_path", assignment.checkpoint_path},
          {"checkpoint_every", assignment.checkpoint_every},
          {"micro_batches", assignment.micro_batches},
          {"slot", assignment.slot}};
}

Assignment assignment_from_json(const nlohmann::json& object) {
  Assignment assignment;
  assignment.id               = object.at("id").get<std::string>();
  assignment.tag              = object.at("tag").get<std::string>();
  assignment.sweep            = object.at("sweep").get<std::string>();
  assignment.result_path      = object.at("result_path").get<std::string>();
  assignment.threads          = object.at("threads").get<int>();
  assignment.save_body_path   = object.value("save_body_path", std::string());
  assignment.init_body_path   = object.value("init_body_path", std::string());
  assignment.group_ranks      = object.value("group_ranks", std::vector<int>{});
  assignment.group_tag        = object.value("group_tag", 0);
  assignment.checkpoint_path  = object.value("checkpoint_path", std::string());
  assignment.checkpoint_every = object.value("checkpoint_every", int64_t{0});
  assignment.micro_batches    = object.value("micro_batches", int64_t{1});
  assignment.slot             = object.value("slot", 0);
  assignment.spec = core::spec_from_json(object.at("spec"), "assignment " + assignment.tag);
  return assignment;
}

nlohmann::json to_json(const Report& report) {
  return {{"id", report.id},
          {"tag", report.tag},
          {"status", report.status},
          {"error", report.error},
          {"accuracy", number_or_null(report.accuracy)},
          {"wall_seconds", report.wall_seconds},
          {"samples_per_second", report.samples_per_second},
          {"rank", report.rank},
          {"file_written", report.file_written},
          {"steps_done", report.steps_done}};
}

Report report_from_json(const nlohmann::json& object) {
  Report report;
  report.id                 = object.at("id").get<std::string>();
  report.tag                = object.at("tag").get<std::string>();
  report.status             = object.at("status").get<std::string>();
  report.error              = object.at("error").get<std::string>();
  report.accuracy           = number_or_nan(object.at("accuracy"));
  report.wall_seconds       = object.at("wall_seconds").get<double>();
  report.samples_per_second = object.at("samples_per_second").get<double>();
  report.rank               = object.at("rank").get<int>();
  report.file_written       = object.at("file_written").get<bool>();
  report.steps_done         = object.value("steps_done", int64_t{0});
  return report;
}

Report report_for(const core::RunResult& result, bool file_written) {
  Report report;
  report.id     = result.id;
  report.tag    = result.tag;
  report.status = result.status;
  // Kept short: messages stay under MPI's eager limit, so coordinator and worker never both block
  // sending to each other (the result file keeps the whole text).
  report.error =
      result.error.size() > 1500 ? result.error.substr(0, 1500) + " [...]" : result.error;
  report.accuracy           = result.headline_accuracy();
  report.wall_seconds       = result.wall_seconds;
  report.samples_per_second = result.samples_per_second;
  report.rank               = result.rank;
  report.file_written       = file_written;
  report.steps_done         = result.steps_done;
  return report;
}

}  // namespace fpt::sweep
