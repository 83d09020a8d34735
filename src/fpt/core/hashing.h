// Stable hashes for experiment ids and seeds: FNV-1a 64-bit, identical on every platform and run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fpt::core {

uint64_t fnv1a_64(std::string_view bytes);

// 16 lowercase hex digits of a 64-bit value.
std::string hex64(uint64_t value);

// SplitMix64 step: turns one seed into a well-mixed stream of derived seeds (seed, index) -> seed.
uint64_t derive_seed(uint64_t seed, uint64_t index);

}  // namespace fpt::core
