#include "fpt/results/run_file.h"

#include <nlohmann/json.hpp>

#include <vector>

#include "fpt/core/error.h"
#include "fpt/core/experiment_spec.h"
#include "fpt/io/atomic_file.h"
#include "fpt/io/hdf5_file.h"

namespace fpt::results {

namespace fs = std::filesystem;
using io::Hdf5File;
using io::Hdf5Node;

namespace {

// --- writing ------------------------------------------------------------------------------------

void write_identity_and_outcome(const Hdf5Node& root, const core::RunResult& result) {
  root.write_attribute("format", kRunFileFormat);
  root.write_attribute("format_version", kRunFileFormatVersion);
  root.write_attribute("id", result.id);
  root.write_attribute("tag", result.tag);
  root.write_attribute("sweep", result.sweep);
  root.write_attribute("status", result.status);
  root.write_attribute("error", result.error);
  root.write_attribute("steps_done", result.steps_done);
  root.write_attribute("wall_seconds", result.wall_seconds);
  root.write_attribute("samples_per_second", result.samples_per_second);
  root.write_attribute("host", result.host);
  root.write_attribute("device", result.device);
  root.write_attribute("rank", result.rank);
  root.write_attribute("threads", result.threads);
  root.write_attribute("group_size", static_cast<int64_t>(result.group_size));
  root.write_attribute("communicated_bytes_per_step", result.communicated_bytes_per_step);
  root.write_attribute("resumed_from_step", result.resumed_from_step);
  root.write_attribute("started_at", result.started_at);
  root.write_attribute("finished_at", result.finished_at);
  root.write_attribute("git_commit", result.git_commit);
}

// Each key as a typed attribute (for h5py users: f["spec"].attrs["task"]) plus the canonical JSON,
// which is what reading uses: it stays exact when keys are added or renamed later.
void write_spec(const Hdf5Node& root, const core::ExperimentSpec& spec) {
  const Hdf5Node group = root.create_group("spec");
  for (const auto& key : core::spec_keys()) {
    const nlohmann::json value = core::get_spec_key(spec, key.name);
    switch (key.type) {
      case core::KeyType::text:
        group.write_attribute(key.name, value.get<std::string>());
        break;
      case core::KeyType::integer:
        group.write_attribute(key.name, value.get<int64_t>());
        break;
      case core::KeyType::real:
        group.write_attribute(key.name, value.get<double>());
        break;
      case core::KeyType::boolean:
        group.write_attribute(key.name, value.get<bool>());
        break;
    }
  }
  group.write_attribute("spec_json", core::canonical_spec_text(spec));
}

void write_final(const Hdf5Node& root, const core::RunResult& result) {
  const Hdf5Node group = root.create_group("final");
  group.write_attribute("final_train_loss", result.final_train_loss);
  group.write_attribute("final_train_accuracy", result.final_train_accuracy);
  group.write_attribute("final_eval_loss", result.final_eval_loss);
  group.write_attribute("final_eval_accuracy", result.final_eval_accuracy);
  group.write_attribute("full_eval_split", result.full_eval_split);
  group.write_attribute("full_eval_examples", result.full_eval_examples);
  group.write_attribute("full_eval_loss", result.full_eval_loss);
  group.write_attribute("full_eval_accuracy", result.full_eval_accuracy);
}

// Column-wise like the curves: one entry per split of the final full pass, the headline first.
void write_eval_splits(const Hdf5Node& root, const std::vector<core::SplitEvaluation>& splits) {
  std::vector<std::string> names;
  std::vector<int64_t>     examples, excluded;
  std::vector<double>      loss, accuracy, corrected_accuracy;
  for (const auto& split : splits) {
    names.push_back(split.split);
    examples.push_back(split.examples);
    excluded.push_back(split.excluded);
    loss.push_back(split.loss);
    accuracy.push_back(split.accuracy);
    corrected_accuracy.push_back(split.corrected_accuracy);
  }
  const Hdf5Node group = root.create_group("eval_splits");
  group.write_dataset("split", names);
  group.write_dataset("examples", examples);
  group.write_dataset("excluded", excluded);
  group.write_dataset("loss", loss);
  group.write_dataset("accuracy", accuracy);
  group.write_dataset("corrected_accuracy", corrected_accuracy);
}

void write_parameters(const Hdf5Node&                               root,
                      const std::vector<core::ParameterGroupCount>& parameters) {
  std::vector<std::string> names;
  std::vector<int64_t>     total, trainable, effective;
  for (const auto& count : parameters) {
    names.push_back(count.group);
    total.push_back(count.total);
    trainable.push_back(count.trainable);
    effective.push_back(count.effective);
  }
  const Hdf5Node group = root.create_group("parameters");
  group.write_dataset("group", names);
  group.write_dataset("total", total);
  group.write_dataset("trainable", trainable);
  group.write_dataset("effective", effective);
}

void write_versions(const Hdf5Node& root, const std::map<std::string, std::string>& versions) {
  const Hdf5Node group = root.create_group("versions");
  for (const auto& [library, version] : versions) group.write_attribute(library, version);
}

// --- reading ------------------------------------------------------------------------------------

void check_format(const Hdf5Node& root) {
  const std::string file = root.file().string();
  if (!root.has_attribute("format") || root.read_string_attribute("format") != kRunFileFormat)
    fail("{}: not an fpt run file (root attribute 'format' is not \"{}\")", file, kRunFileFormat);
  const int64_t version = root.read_integer_attribute("format_version");
  if (version > kRunFileFormatVersion)
    fail("{}: run file format version {} is newer than this build reads ({}); update fpt", file,
         version, kRunFileFormatVersion);
  if (version < 1) fail("{}: invalid run file format version {}", file, version);
}

core::ExperimentSpec read_spec(const Hdf5Node& root) {
  const Hdf5Node    group   = root.open_group("spec");
  const std::string context = group.where("@spec_json");
  const std::string text    = group.read_string_attribute("spec_json");
  nlohmann::json    object;
  try {
    object = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    fail("{}: not valid JSON ({})", context, error.what());
  }
  return core::spec_from_json(object, context);
}

std::vector<core::CurvePoint> read_curves(const Hdf5Node& root) {
  const Hdf5Node             group = root.open_group("curves");
  const std::vector<int64_t> step  = group.read_integer_dataset("step");
  const char* columns[]            = {"train_loss", "train_accuracy", "eval_loss", "eval_accuracy",
                                      "elapsed_seconds"};
  std::vector<std::vector<double>> values;
  for (const char* column : columns) {
    values.push_back(group.read_real_dataset(column));
    if (values.back().size() != step.size())
      fail("{} has {} entries but step has {}; the file is damaged", group.where(column),
           values.back().size(), step.size());
  }
  std::vector<core::CurvePoint> curve(step.size());
  for (size_t i = 0; i < step.size(); ++i) {
    curve[i].step            = step[i];
    curve[i].train_loss      = values[0][i];
    curve[i].train_accuracy  = values[1][i];
    curve[i].eval_loss       = values[2][i];
    curve[i].eval_accuracy   = values[3][i];
    curve[i].elapsed_seconds = values[4][i];
  }
  return curve;
}

void read_final(const Hdf5Node& root, core::RunResult& result) {
  const Hdf5Node group        = root.open_group("final");
  result.final_train_loss     = group.read_real_attribute("final_train_loss");
  result.final_train_accuracy = group.read_real_attribute("final_train_accuracy");
  result.final_eval_loss      = group.read_real_attribute("final_eval_loss");
  result.final_eval_accuracy  = group.read_real_attribute("final_eval_accuracy");
  result.full_eval_split      = group.read_string_attribute("full_eval_split");
  result.full_eval_examples   = group.read_integer_attribute("full_eval_examples");
  result.full_eval_loss       = group.read_real_attribute("full_eval_loss");
  result.full_eval_accuracy   = group.read_real_attribute("full_eval_accuracy");
}

// Version 1 files have no /eval_splits: an empty list.
std::vector<core::SplitEvaluation> read_eval_splits(const Hdf5Node& root) {
  if (!root.has_group("eval_splits")) return {};
  const Hdf5Node                   group    = root.open_group("eval_splits");
  const std::vector<std::string>   names    = group.read_string_dataset("split");
  const std::vector<int64_t>       examples = group.read_integer_dataset("examples");
  const std::vector<int64_t>       excluded = group.read_integer_dataset("excluded");
  std::vector<std::vector<double>> values;
  for (const char* column : {"loss", "accuracy", "corrected_accuracy"}) {
    values.push_back(group.read_real_dataset(column));
    if (values.back().size() != names.size())
      fail("{} has {} entries but split has {}; the file is damaged", group.where(column),
           values.back().size(), names.size());
  }
  if (examples.size() != names.size() || excluded.size() != names.size())
    fail("{}: datasets split/examples/excluded differ in length; the file is damaged",
         group.where());
  std::vector<core::SplitEvaluation> splits(names.size());
  for (size_t i = 0; i < names.size(); ++i)
    splits[i] = {names[i], examples[i], excluded[i], values[0][i], values[1][i], values[2][i]};
  return splits;
}

std::vector<core::ParameterGroupCount> read_parameters(const Hdf5Node& root) {
  const Hdf5Node                 group     = root.open_group("parameters");
  const std::vector<std::string> names     = group.read_string_dataset("group");
  const std::vector<int64_t>     total     = group.read_integer_dataset("total");
  const std::vector<int64_t>     trainable = group.read_integer_dataset("trainable");
  const std::vector<int64_t>     effective = group.read_integer_dataset("effective");
  if (total.size() != names.size() || trainable.size() != names.size() ||
      effective.size() != names.size())
    fail("{}: datasets group/total/trainable/effective differ in length; the file is damaged",
         group.where());
  std::vector<core::ParameterGroupCount> parameters(names.size());
  for (size_t i = 0; i < names.size(); ++i)
    parameters[i] = {names[i], total[i], trainable[i], effective[i]};
  return parameters;
}

std::map<std::string, std::string> read_versions(const Hdf5Node& root) {
  const Hdf5Node                     group = root.open_group("versions");
  std::map<std::string, std::string> versions;
  for (const auto& library : group.attribute_names())
    versions[library] = group.read_string_attribute(library);
  return versions;
}

}  // namespace

// Column-wise, so that pandas.DataFrame({k: f["curves"][k][:] for k in f["curves"]}) is the curve.
void write_curve_columns(const io::Hdf5Node& parent, const std::string& name,
                         const std::vector<core::CurvePoint>& curve) {
  std::vector<int64_t> step;
  std::vector<double>  train_loss, train_accuracy, eval_loss, eval_accuracy, elapsed_seconds;
  for (const auto& point : curve) {
    step.push_back(point.step);
    train_loss.push_back(point.train_loss);
    train_accuracy.push_back(point.train_accuracy);
    eval_loss.push_back(point.eval_loss);
    eval_accuracy.push_back(point.eval_accuracy);
    elapsed_seconds.push_back(point.elapsed_seconds);
  }
  const io::Hdf5Node group = parent.create_group(name);
  group.write_dataset("step", step);
  group.write_dataset("train_loss", train_loss);
  group.write_dataset("train_accuracy", train_accuracy);
  group.write_dataset("eval_loss", eval_loss);
  group.write_dataset("eval_accuracy", eval_accuracy);
  group.write_dataset("elapsed_seconds", elapsed_seconds);
}

void write_run_file(const fs::path& path, const core::RunResult& result) {
  try {
    io::write_atomically(path, [&](const fs::path& temporary) {
      Hdf5File        file = Hdf5File::create(temporary);
      const Hdf5Node& root = file.root();
      write_identity_and_outcome(root, result);
      write_spec(root, result.spec);
      write_curve_columns(root, "curves", result.curve);
      write_final(root, result);
      write_eval_splits(root, result.split_evaluations);
      write_parameters(root, result.parameters);
      write_versions(root, result.versions);
      file.close();  // flushes; must succeed before the rename makes the file visible
    });
  } catch (const Error& error) {
    // The inner message names the temporary file; the user needs the run file's own name too.
    fail("cannot write run file {} for experiment {}: {}", path.string(), result.id, error.what());
  }
}

core::RunResult read_run_file(const fs::path& path) {
  Hdf5File        file = Hdf5File::open_read_only(path);
  const Hdf5Node& root = file.root();
  check_format(root);

  core::RunResult result;
  result.id                 = root.read_string_attribute("id");
  result.tag                = root.read_string_attribute("tag");
  result.sweep              = root.read_string_attribute("sweep");
  result.status             = root.read_string_attribute("status");
  result.error              = root.read_string_attribute("error");
  result.steps_done         = root.read_integer_attribute("steps_done");
  result.wall_seconds       = root.read_real_attribute("wall_seconds");
  result.samples_per_second = root.read_real_attribute("samples_per_second");
  result.host               = root.read_string_attribute("host");
  result.rank               = static_cast<int>(root.read_integer_attribute("rank"));
  result.threads            = static_cast<int>(root.read_integer_attribute("threads"));
  result.started_at         = root.read_string_attribute("started_at");
  result.finished_at        = root.read_string_attribute("finished_at");
  result.git_commit         = root.read_string_attribute("git_commit");
  // Added without a format version change: files written before them read as a lone rank.
  if (root.has_attribute("group_size"))
    result.group_size = static_cast<int>(root.read_integer_attribute("group_size"));
  if (root.has_attribute("communicated_bytes_per_step"))
    result.communicated_bytes_per_step = root.read_integer_attribute("communicated_bytes_per_step");
  if (root.has_attribute("resumed_from_step"))
    result.resumed_from_step = root.read_integer_attribute("resumed_from_step");
  if (root.has_attribute("device")) result.device = root.read_string_attribute("device");

  result.spec  = read_spec(root);
  result.curve = read_curves(root);
  read_final(root, result);
  result.split_evaluations = read_eval_splits(root);
  result.parameters        = read_parameters(root);
  result.versions          = read_versions(root);
  return result;
}

std::optional<std::string> read_run_status(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return std::nullopt;
  try {
    Hdf5File        file = Hdf5File::open_read_only(path);
    const Hdf5Node& root = file.root();
    if (!root.has_attribute("format") || root.read_string_attribute("format") != kRunFileFormat)
      return std::nullopt;
    // Any format version: `status` is part of every version (docs/results-format.md).
    if (!root.has_attribute("status")) return std::nullopt;
    return root.read_string_attribute("status");
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace fpt::results
