// Gpt2Config: the shape of a GPT-2 body (depth, width, heads, positions, vocabulary, LayerNorm eps,
// dropout) and gpt2_config(), which maps a body name (gpt2, gpt2-medium, ..., gpt2-tiny) to it.
#pragma once

#include <cstdint>
#include <string>

namespace fpt::models {

struct Gpt2Config {
  int64_t n_layer            = 12;     // transformer blocks
  int64_t n_embd             = 768;    // model width d; head dim = n_embd / n_head
  int64_t n_head             = 12;     // attention heads
  int64_t n_positions        = 1024;   // rows of the positional table wpe (longest sequence)
  int64_t vocab_size         = 50257;  // rows of the token table wte (kept for checkpoints only)
  double  layer_norm_epsilon = 1e-5;   // eps of every LayerNorm
  double  dropout            = 0.1;    // embedding, attention-probability and residual dropout
};

// The config of a named body: gpt2 (12/768/12), gpt2-medium (24/1024/16), gpt2-large (36/1280/20),
// gpt2-xl (48/1600/25), and two small sizes for tests and laptops: gpt2-mini (6/256/8) and
// gpt2-tiny (3/128/4). An unknown name throws fpt::Error listing the valid ones.
Gpt2Config gpt2_config(const std::string& body);

// Throws fpt::Error (naming `context`) unless the sizes are usable: positive, and n_embd divisible
// by n_head.
void check_gpt2_config(const Gpt2Config& config, const std::string& context);

}  // namespace fpt::models
