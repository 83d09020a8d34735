// Initialisations of a body beyond its own random one (paper Table 2 and §3.8):
//   pretrained — the reference checkpoint's weights (GPT-2 / ViT / BERT safetensors);
//   stats      — each tensor the checkpoint provides redrawn from N(mean, std) of that tensor;
//   bit        — the body trained on Bit Memory by this experiment's pretraining (save_body).
// And save_body, which writes a body's parameters (its own names) as safetensors.
#pragma once

#include <map>
#include <string>

#include "fpt/core/experiment_spec.h"
#include "fpt/models/body.h"

namespace fpt::models {

// The catalogue name (fpt_fetch) of a body's language/vision-pretrained weights: gpt2,
// gpt2-medium, gpt2-large, gpt2-xl, vit-base-in21k (vit-base), minilm; "" if there is none
// (test sizes, LSTM, bert-base).
std::string pretrained_weights_name(const std::string& body_name);

// The checkpoint file for init pretrained/stats: spec.weights if set, else
// <weights_dir>/<pretrained_weights_name>/model.safetensors ("" = io::default_weights_dir()).
// Throws fpt::Error naming the experiment and saying how to get the file (fpt_fetch NAME, or the
// `weights` key) if there is no such name or the file does not exist.
std::string pretrained_weights_file(const core::ExperimentSpec& spec,
                                    const std::string& weights_dir, const std::string& context);

// layer_norm_eps (BERT, ViT) or layer_norm_epsilon (GPT-2) from the config.json beside a
// checkpoint (Hugging Face layout), or 0 if there is no such file or key. A malformed config.json
// is an error naming it.
double checkpoint_layer_norm_epsilon(const std::string& checkpoint_file);

// Loads `file` into `body` (body->load_checkpoint). With redraw_from_statistics each loaded tensor
// is then replaced by draws from N(mean, std) of its loaded values (torch's global generator: seed
// it first). Errors name `context` and the file.
void load_body_weights(BodyImpl& body, const std::string& file, bool redraw_from_statistics,
                       const std::string& context);

// Writes every parameter of `body` (float32, its own names) to `file` atomically, with metadata
// (fpt_body = body family plus the given entries).
void save_body(const BodyImpl& body, const std::string& file,
               const std::map<std::string, std::string>& metadata = {});

}  // namespace fpt::models
