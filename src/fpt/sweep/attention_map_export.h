// The attention map of a trained experiment for `fpt_train --attention-map`: the probabilities of
// one head of one GPT-2 layer (models/attention_probe.h) on one held-out example of the
// experiment's task, with what each token holds and the targets of the positions the head reads,
// ready for results::write_attention_map and fpt_figures.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>

#include "fpt/core/experiment_spec.h"
#include "fpt/results/figures/attention_map_file.h"

namespace fpt::sweep {

// `trained` is the FptModel the trainer hands to TrainerOptions::on_trained for `spec`. The
// example is the first of an evaluation batch drawn from a generator seeded by the experiment's
// id (the same example on every rerun). Throws fpt::Error for a body that is not GPT-2, a layer or
// head that does not exist, or a module that is not an FptModel.
results::AttentionMap trained_attention_map(const core::ExperimentSpec& spec,
                                            torch::nn::Module& trained, int64_t layer,
                                            int64_t head);

}  // namespace fpt::sweep
