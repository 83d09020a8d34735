// make_model: the FptModel an ExperimentSpec describes — body (make_body.h: family, size, n_layer,
// dropout), its initialisation (random, pretrained, stats, bit: body_init.h), the input-layer
// gain, and which parameter groups train (trains). The task supplies the input/output shape
// through FptModelOptions. Seeding is the caller's job (torch::manual_seed before make_model), so
// that the caller decides which RNG stream the weights come from.
#pragma once

#include <string>

#include "fpt/core/experiment_spec.h"
#include "fpt/models/fpt_model.h"

namespace fpt::models {

// Where an initialisation's weights come from (files, never part of the experiment's identity
// beyond the spec's own `weights` key).
struct ModelSources {
  std::string weights_dir;    // init pretrained/stats: the weights cache (fpt_fetch's directory)
  std::string bit_body_file;  // init bit: the body saved by the Bit Memory pretraining
};

// Uses options.token_input, input_dim, output_tokens and output_dim from the task; dropout and
// orth_gain come from the spec (the spec is the experiment's identity). spec.n_layer > 0 builds
// only that many blocks. Throws fpt::Error (naming the experiment) for an unavailable body or
// init, an n_layer beyond the body's depth, an invalid trains value, or a missing or unfitting
// weights file (saying how to get it).
FptModel make_model(const core::ExperimentSpec& spec, const FptModelOptions& options,
                    const ModelSources& sources = {});

}  // namespace fpt::models
