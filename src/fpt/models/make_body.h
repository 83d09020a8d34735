// make_body: the body a spec names — GPT-2 (gpt2, gpt2-medium, gpt2-large, gpt2-xl, gpt2-mini,
// gpt2-tiny), ViT (vit-base, vit-tiny), BERT family (bert-base, minilm, bert-tiny) or LSTM (lstm,
// lstm-tiny) — with the spec's depth override (n_layer), dropout and LSTM cell, freshly
// initialised with the body's own random initialisation.
#pragma once

#include <string>

#include "fpt/core/experiment_spec.h"
#include "fpt/models/body.h"

namespace fpt::models {

// "gpt2", "vit", "bert" or "lstm"; throws fpt::Error listing the bodies for an unknown name.
std::string body_family(const std::string& body_name);

// layer_norm_epsilon > 0 replaces the config's eps (a checkpoint's config.json says which eps its
// weights were trained with). Errors name `context`.
Body make_body(const core::ExperimentSpec& spec, const std::string& context,
               double layer_norm_epsilon = 0);

}  // namespace fpt::models
