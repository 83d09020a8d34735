// LstmConfig: the shape of the LSTM baseline body (depth, width, dropout, and which cell: the
// official layer-normalised one or the fast torch::nn::LSTM one) and lstm_config(), which maps a
// body name (lstm, lstm-tiny) to it.
#pragma once

#include <cstdint>
#include <string>

namespace fpt::models {

struct LstmConfig {
  int64_t n_layer    = 3;     // stacked unidirectional layers
  int64_t width      = 768;   // input and hidden size of every layer (C)
  double  dropout    = 0.1;   // on every layer's hidden state h_t (see lstm_body.h for where)
  bool    layer_norm = true;  // true: the official layer-normalised cell; false: torch::nn::LSTM
};

// The config of a named body: lstm (3 layers, width 768, the paper's baseline) and lstm-tiny
// (2 layers, width 64, for tests and laptops). An unknown name throws fpt::Error listing the
// valid ones.
LstmConfig lstm_config(const std::string& body_name);

// Throws fpt::Error (naming `context`) unless the sizes are usable: n_layer and width positive,
// dropout in [0, 1).
void check_lstm_config(const LstmConfig& config, const std::string& context);

}  // namespace fpt::models
