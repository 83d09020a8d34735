#include "fpt/train/trainable_checkpoint.h"

#include <ATen/Context.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <mutex>

#include "fpt/core/error.h"
#include "fpt/io/atomic_file.h"

namespace fpt::train {
namespace {

constexpr int64_t kCurveColumns = 6;  // step, train loss, train acc, eval loss, eval acc, elapsed

std::vector<std::pair<std::string, torch::Tensor>> trainable_named(torch::nn::Module& model) {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& item : model.named_parameters())
    if (item.value().requires_grad()) named.emplace_back(item.key(), item.value());
  return named;
}

// The default generator of `device` (the CPU's, or a GPU's).
at::Generator default_generator(const torch::Device& device) {
  if (device.is_cpu()) return at::detail::getDefaultCPUGenerator();
  return at::globalContext().defaultGenerator(device);
}

torch::Tensor generator_state(const torch::Device& device) {
  at::Generator   generator = default_generator(device);
  std::lock_guard lock(generator.mutex());
  return generator.get_state();
}

void set_generator_state(const torch::Device& device, const torch::Tensor& state) {
  at::Generator   generator = default_generator(device);
  std::lock_guard lock(generator.mutex());
  generator.set_state(state);
}

torch::Tensor curve_tensor(const std::vector<core::CurvePoint>& curve) {
  auto table = torch::empty({static_cast<int64_t>(curve.size()), kCurveColumns}, torch::kFloat64);
  auto rows  = table.accessor<double, 2>();
  for (size_t index = 0; index < curve.size(); ++index) {
    const core::CurvePoint& point                 = curve[index];
    const double            values[kCurveColumns] = {static_cast<double>(point.step),
                                                     point.train_loss,
                                                     point.train_accuracy,
                                                     point.eval_loss,
                                                     point.eval_accuracy,
                                                     point.elapsed_seconds};
    for (int64_t column = 0; column < kCurveColumns; ++column)
      rows[static_cast<int64_t>(index)][column] = values[column];
  }
  return table;
}

std::vector<core::CurvePoint> curve_from(const torch::Tensor& table, const std::string& file) {
  if (table.dim() != 2 || table.size(1) != kCurveColumns || table.scalar_type() != torch::kFloat64)
    fail("{}: checkpoint curve has shape {} (expected (N, {}) float64)", file,
         fmt::format("{}", fmt::join(table.sizes(), ", ")), kCurveColumns);
  std::vector<core::CurvePoint> curve(static_cast<size_t>(table.size(0)));
  auto                          rows = table.accessor<double, 2>();
  for (size_t index = 0; index < curve.size(); ++index) {
    auto row                     = rows[static_cast<int64_t>(index)];
    curve[index].step            = static_cast<int64_t>(row[0]);
    curve[index].train_loss      = row[1];
    curve[index].train_accuracy  = row[2];
    curve[index].eval_loss       = row[3];
    curve[index].eval_accuracy   = row[4];
    curve[index].elapsed_seconds = row[5];
  }
  return curve;
}

}  // namespace

void save_checkpoint(const std::string& file, const TrainingProgress& progress,
                     torch::nn::Module& model, torch::optim::Adam& optimizer,
                     const torch::Device& device) {
  torch::serialize::OutputArchive archive;
  archive.write("format_version", c10::IValue(kCheckpointFormatVersion));
  archive.write("experiment_id", c10::IValue(progress.experiment_id));
  archive.write("step", c10::IValue(progress.step));
  archive.write("train_seconds", c10::IValue(progress.train_seconds));
  archive.write("elapsed_seconds", c10::IValue(progress.elapsed_seconds));
  archive.write("interval_loss", c10::IValue(progress.interval_loss));
  archive.write("interval_correct", c10::IValue(progress.interval_correct));
  archive.write("interval_count", c10::IValue(progress.interval_count));
  archive.write("curve", curve_tensor(progress.curve));

  // Parameters by position (archive keys cannot hold the dots of parameter names); the names are
  // stored alongside and checked on load.
  const auto  named = trainable_named(model);
  std::string names;
  for (size_t index = 0; index < named.size(); ++index) {
    names += (index ? "\n" : "") + named[index].first;
    archive.write("trainable_" + std::to_string(index), named[index].second.detach().cpu());
    archive.write("shape_" + std::to_string(index),
                  torch::tensor(named[index].second.sizes().vec(), torch::kInt64));
  }
  archive.write("trainable_names", c10::IValue(names));

  torch::serialize::OutputArchive optimizer_archive;
  optimizer.save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("rng_cpu", generator_state(torch::kCPU));
  if (!device.is_cpu()) archive.write("rng_device", generator_state(device));

  const std::filesystem::path path(file);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  io::write_atomically(
      path, [&](const std::filesystem::path& temporary) { archive.save_to(temporary.string()); });
}

TrainingProgress load_checkpoint(const std::string& file, const std::string& experiment_id,
                                 torch::nn::Module& model, torch::optim::Adam& optimizer,
                                 const torch::Device& device) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(file, device);  // tensors straight to the training device
  } catch (const std::exception& error) {
    fail("{}: cannot read this checkpoint ({}); delete it to restart the experiment from step 0",
         file, std::string(error.what()).substr(0, 300));
  }
  auto read = [&](const std::string& key) {
    c10::IValue value;
    if (!archive.try_read(key, value))
      fail("{}: checkpoint has no '{}'; delete it to restart the experiment from step 0", file,
           key);
    return value;
  };
  auto read_tensor = [&](const std::string& key) {
    torch::Tensor tensor;
    if (!archive.try_read(key, tensor))
      fail("{}: checkpoint has no tensor '{}'; delete it to restart the experiment from step 0",
           file, key);
    return tensor;
  };

  const int64_t version = read("format_version").toInt();
  if (version != kCheckpointFormatVersion)
    fail("{}: checkpoint format version {} (this build reads {}); delete it to restart", file,
         version, kCheckpointFormatVersion);
  TrainingProgress progress;
  progress.experiment_id = read("experiment_id").toStringRef();
  if (progress.experiment_id != experiment_id)
    fail("{}: checkpoint of experiment {}, not {}; it is not used", file, progress.experiment_id,
         experiment_id);
  progress.step             = read("step").toInt();
  progress.train_seconds    = read("train_seconds").toDouble();
  progress.elapsed_seconds  = read("elapsed_seconds").toDouble();
  progress.interval_loss    = read("interval_loss").toDouble();
  progress.interval_correct = read("interval_correct").toDouble();
  progress.interval_count   = read("interval_count").toInt();
  progress.curve            = curve_from(read_tensor("curve").cpu(), file);

  const auto  named = trainable_named(model);
  std::string expected_names;
  for (size_t index = 0; index < named.size(); ++index)
    expected_names += (index ? "\n" : "") + named[index].first;
  const std::string stored_names = read("trainable_names").toStringRef();
  if (stored_names != expected_names)
    fail(
        "{}: checkpoint's trainable parameters differ from this experiment's model (stored: {}; "
        "model: {}); delete it to restart",
        file, stored_names.substr(0, 200), expected_names.substr(0, 200));
  {
    torch::NoGradGuard no_grad;
    for (size_t index = 0; index < named.size(); ++index) {
      torch::Tensor stored = read_tensor("trainable_" + std::to_string(index));
      torch::Tensor target = named[index].second;
      if (stored.sizes() != target.sizes() || stored.scalar_type() != target.scalar_type())
        fail("{}: checkpoint tensor {} has shape [{}], the model's has [{}]; delete it to restart",
             file, named[index].first, fmt::join(stored.sizes(), ", "),
             fmt::join(target.sizes(), ", "));
      target.copy_(stored);
    }
  }
  torch::serialize::InputArchive optimizer_archive;
  if (!archive.try_read("optimizer", optimizer_archive))
    fail("{}: checkpoint has no optimizer state; delete it to restart", file);
  optimizer.load(optimizer_archive);
  set_generator_state(torch::kCPU, read_tensor("rng_cpu").cpu());
  if (!device.is_cpu()) {
    torch::Tensor state;
    if (archive.try_read("rng_device", state)) set_generator_state(device, state.cpu());
  }
  return progress;
}

}  // namespace fpt::train
