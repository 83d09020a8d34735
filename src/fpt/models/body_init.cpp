#include "fpt/models/body_init.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "fpt/core/error.h"
#include "fpt/io/safetensors.h"
#include "fpt/io/weights_catalog.h"
#include "fpt/models/checkpoint_reader.h"

namespace fpt::models {

std::string pretrained_weights_name(const std::string& body_name) {
  static const std::map<std::string, std::string> names = {
      {"gpt2", "gpt2"},       {"gpt2-medium", "gpt2-medium"}, {"gpt2-large", "gpt2-large"},
      {"gpt2-xl", "gpt2-xl"}, {"vit-base", "vit-base-in21k"}, {"minilm", "minilm"}};
  const auto found = names.find(body_name);
  return found == names.end() ? "" : found->second;
}

std::string pretrained_weights_file(const core::ExperimentSpec& spec,
                                    const std::string& weights_dir, const std::string& context) {
  if (!spec.weights.empty()) {
    if (!std::filesystem::is_regular_file(spec.weights))
      fail("{}: weights file {} does not exist (key `weights`)", context, spec.weights);
    return spec.weights;
  }
  const std::string name = pretrained_weights_name(spec.body);
  if (name.empty())
    fail(
        "{}: init '{}' needs pretrained weights, and body '{}' has no published ones; set the "
        "`weights` key to a safetensors file of this body",
        context, spec.init, spec.body);
  const std::string directory = weights_dir.empty() ? io::default_weights_dir() : weights_dir;
  const std::string file      = io::weights_file_path(directory, name, "model.safetensors");
  if (!std::filesystem::is_regular_file(file))
    fail(
        "{}: pretrained weights {} are not there; download them with `build/fpt_fetch {}` (or "
        "copy model.safetensors there by hand, or set FPT_WEIGHTS_DIR / the `weights` key)",
        context, file, name);
  return file;
}

double checkpoint_layer_norm_epsilon(const std::string& checkpoint_file) {
  const std::filesystem::path config =
      std::filesystem::path(checkpoint_file).parent_path() / "config.json";
  if (!std::filesystem::is_regular_file(config)) return 0;
  std::ifstream  in(config);
  nlohmann::json object = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object())
    fail("{}: not a JSON object (the config.json beside the checkpoint)", config.string());
  // BERT/ViT configs call it layer_norm_eps, GPT-2 configs layer_norm_epsilon.
  auto found = object.find("layer_norm_eps");
  if (found == object.end()) found = object.find("layer_norm_epsilon");
  if (found == object.end()) return 0;
  if (!found->is_number() || found->get<double>() <= 0)
    fail("{}: layer_norm_eps must be a positive number", config.string());
  return found->get<double>();
}

void load_body_weights(BodyImpl& body, const std::string& file, bool redraw_from_statistics,
                       const std::string& context) {
  const io::SafetensorsFile      checkpoint = io::SafetensorsFile::open(file);
  CheckpointReader               reader(checkpoint, context + ": " + body.family() + " body");
  const std::vector<std::string> loaded = body.load_checkpoint(reader);
  if (!redraw_from_statistics) return;
  // Statistics only (paper §3.8): keep each tensor's first two moments, lose everything else.
  torch::NoGradGuard                   no_grad;
  std::map<std::string, torch::Tensor> parameters;
  for (auto& item : body.named_parameters(/*recurse=*/true)) parameters[item.key()] = item.value();
  for (const std::string& name : loaded) {
    torch::Tensor& parameter = parameters.at(name);
    const double   mean      = parameter.mean().item<double>();
    const double   std       = parameter.numel() > 1 ? parameter.std().item<double>() : 0.0;
    if (std > 0)
      parameter.normal_(mean, std);
    else
      parameter.fill_(mean);
  }
}

void save_body(const BodyImpl& body, const std::string& file,
               const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor>     keep_alive;
  std::vector<io::TensorToWrite> tensors;
  for (const auto& item : body.named_parameters(/*recurse=*/true)) {
    torch::Tensor values = item.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
    keep_alive.push_back(values);
    io::TensorToWrite tensor;
    tensor.name       = item.key();
    tensor.dtype      = io::TensorDtype::F32;
    tensor.shape      = values.sizes().vec();
    tensor.data       = values.data_ptr();
    tensor.size_bytes = static_cast<size_t>(values.numel()) * sizeof(float);
    tensors.push_back(std::move(tensor));
  }
  std::map<std::string, std::string> all_metadata = metadata;
  all_metadata["fpt_body"]                        = body.family();
  const std::filesystem::path directory           = std::filesystem::path(file).parent_path();
  if (!directory.empty()) std::filesystem::create_directories(directory);
  io::write_safetensors(file, tensors, all_metadata);
}

}  // namespace fpt::models
