// Attention-map file: the attention probabilities of one head of one layer of a trained model on
// one input (written by `fpt_train --attention-map FILE`, drawn by `fpt_figures`). Plain text so
// that gnuplot reads it directly (`matrix` data; `#` lines are comments):
//
//   # fpt attention map
//   # tag gpt2-tiny_bit-xor_random_fpt_s0
//   # id 1f0c...
//   # task bit-xor
//   # layer 0
//   # head 0
//   # output_tokens 5                 the head reads the last 5 positions
//   # labels 1 0 1 1 0 0 1 1 0 1      one per token (the input bit), tab separated
//   # targets 1 1 0 1 1               what the read positions must predict (may be empty)
//   0.8 0.2 ...                       T rows of T probabilities, tab separated: row = query
//                                     position, column = key position (zero right of the diagonal)
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fpt::results {

struct AttentionMap {
  std::string              tag;
  std::string              id;
  std::string              task;
  int64_t                  layer         = 0;
  int64_t                  head          = 0;
  int64_t                  output_tokens = 0;  // positions the output head reads (the last ones)
  std::vector<std::string> labels;             // one per token: what the token holds
  std::vector<std::string> targets;            // the expected outputs of the read positions
  std::vector<double>      probabilities;      // T × T, row-major (query, key)

  int64_t tokens() const { return static_cast<int64_t>(labels.size()); }
  double  at(int64_t query, int64_t key) const { return probabilities[query * tokens() + key]; }
};

// Writes `map` atomically. Throws fpt::Error naming the file when probabilities is not T × T.
void write_attention_map(const std::filesystem::path& path, const AttentionMap& map);

// Reads a file written by write_attention_map. Throws fpt::Error naming the file and line for a
// missing header key, a row of the wrong length, a value that is not a probability, or a row that
// does not sum to 1 (1e-4).
AttentionMap read_attention_map(const std::filesystem::path& path);

}  // namespace fpt::results
