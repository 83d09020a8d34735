#include "fpt/models/make_model.h"

#include "fpt/core/error.h"
#include "fpt/core/names.h"
#include "fpt/models/parameter_groups.h"

namespace fpt::models {

FptModel make_model(const core::ExperimentSpec& spec, const FptModelOptions& options) {
  const std::string context = "experiment " + core::default_tag(spec);
  core::check_available("body", spec.body, context);
  core::check_available("init", spec.init, context);
  Gpt2Config config = gpt2_config(spec.body);
  if (spec.n_layer < 0 || spec.n_layer > config.n_layer)
    fail("{}: n_layer {} is outside 0..{} (0 keeps all blocks of {})", context, spec.n_layer,
         config.n_layer, spec.body);
  // Building only the kept blocks (rather than all, then truncating) keeps a 3-layer gpt2-xl
  // from allocating 48 blocks; the random init of each kept block has the same distribution.
  if (spec.n_layer > 0) config.n_layer = spec.n_layer;
  config.dropout = spec.dropout;
  check_gpt2_config(config, context);
  // Parse before building so that a typo costs nothing.
  std::vector<ParameterGroup> trainable;
  try {
    trainable = parse_trains(spec.trains);
  } catch (const Error& error) {
    fail("{}: {}", context, error.what());
  }

  FptModelOptions model_options = options;
  model_options.dropout         = spec.dropout;
  model_options.orth_gain       = spec.orth_gain;
  FptModel model(config, model_options);  // init "random": the constructors' initialisation
  apply_trainable_groups(*model, trainable);
  return model;
}

}  // namespace fpt::models
