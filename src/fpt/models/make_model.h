// make_model: the FptModel an ExperimentSpec describes — body size (body, n_layer), dropout,
// input-layer gain, initialisation, and which parameter groups train (trains). The task supplies
// the input/output shape through FptModelOptions. Seeding is the caller's job (torch::manual_seed
// before make_model), so that the caller decides which RNG stream the weights come from.
#pragma once

#include "fpt/core/experiment_spec.h"
#include "fpt/models/fpt_model.h"

namespace fpt::models {

// Uses options.token_input, input_dim, output_tokens and output_dim from the task; dropout and
// orth_gain come from the spec (the spec is the experiment's identity). spec.n_layer > 0 builds
// only that many blocks. Throws fpt::Error (naming the experiment) for an unavailable body or
// init, an n_layer beyond the body's depth, or an invalid trains value.
FptModel make_model(const core::ExperimentSpec& spec, const FptModelOptions& options);

}  // namespace fpt::models
