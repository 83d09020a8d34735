#include "fpt/models/gpt2_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"
#include "fpt/core/names.h"

namespace fpt::models {

Gpt2Config gpt2_config(const std::string& body) {
  Gpt2Config config;  // vocabulary, positions, eps and dropout are the same for every size
  auto       sized = [&](int64_t n_layer, int64_t n_embd, int64_t n_head) {
    config.n_layer = n_layer;
    config.n_embd  = n_embd;
    config.n_head  = n_head;
    return config;
  };
  if (body == "gpt2") return sized(12, 768, 12);
  if (body == "gpt2-medium") return sized(24, 1024, 16);
  if (body == "gpt2-large") return sized(36, 1280, 20);
  if (body == "gpt2-xl") return sized(48, 1600, 25);
  if (body == "gpt2-mini") return sized(6, 256, 8);
  if (body == "gpt2-tiny") return sized(3, 128, 4);
  fail("unknown GPT-2 body '{}'; valid bodies: {}", body, fmt::join(core::known_bodies(), ", "));
}

void check_gpt2_config(const Gpt2Config& config, const std::string& context) {
  if (config.n_layer < 0 || config.n_embd <= 0 || config.n_head <= 0 || config.n_positions <= 0 ||
      config.vocab_size <= 0)
    fail(
        "{}: GPT-2 sizes must be positive (n_layer {}, n_embd {}, n_head {}, n_positions {}, "
        "vocab_size {})",
        context, config.n_layer, config.n_embd, config.n_head, config.n_positions,
        config.vocab_size);
  if (config.n_embd % config.n_head != 0)
    fail("{}: n_embd {} is not divisible by n_head {}", context, config.n_embd, config.n_head);
  if (config.dropout < 0.0 || config.dropout >= 1.0)
    fail("{}: dropout {} is outside [0, 1)", context, config.dropout);
}

}  // namespace fpt::models
