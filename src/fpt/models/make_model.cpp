#include "fpt/models/make_model.h"

#include "fpt/core/error.h"
#include "fpt/core/names.h"
#include "fpt/models/body_init.h"
#include "fpt/models/make_body.h"
#include "fpt/models/parameter_groups.h"

namespace fpt::models {

FptModel make_model(const core::ExperimentSpec& spec, const FptModelOptions& options,
                    const ModelSources& sources) {
  const std::string context = "experiment " + core::default_tag(spec);
  core::check_available("init", spec.init, context);
  // Parse before building so that a typo costs nothing.
  std::vector<TrainedGroup> trainable;
  try {
    trainable = parse_trains(spec.trains);
  } catch (const Error& error) {
    fail("{}: {}", context, error.what());
  }
  // Find the weights before building: a missing file is reported before any work. A checkpoint's
  // config.json decides its LayerNorm eps (timm ViT 1e-6, Hugging Face ViT/BERT 1e-12).
  std::string weights_file;
  double      layer_norm_epsilon = 0;
  if (spec.init == "pretrained" || spec.init == "stats") {
    weights_file       = pretrained_weights_file(spec, sources.weights_dir, context);
    layer_norm_epsilon = checkpoint_layer_norm_epsilon(weights_file);
  } else if (spec.init == "bit") {
    if (sources.bit_body_file.empty())
      fail("{}: init bit needs the body of its Bit Memory pretraining, and none was given",
           context);
    weights_file = sources.bit_body_file;
  }

  Body body = make_body(spec, context, layer_norm_epsilon);
  if (!weights_file.empty())
    load_body_weights(*body, weights_file, /*redraw_from_statistics=*/spec.init == "stats",
                      context);
  FptModelOptions model_options = options;
  model_options.dropout         = spec.dropout;
  model_options.orth_gain       = spec.orth_gain;
  FptModel model(body, model_options);
  try {
    apply_trainable_groups(*model, trainable);
  } catch (const Error& error) {
    fail("{}: {}", context, error.what());
  }
  return model;
}

}  // namespace fpt::models
