#include "fpt/models/lstm_config.h"

#include "fpt/core/error.h"

namespace fpt::models {

LstmConfig lstm_config(const std::string& body_name) {
  LstmConfig config;  // dropout 0.1 and the layer-normalised cell for every size
  auto       sized = [&](int64_t n_layer, int64_t width) {
    config.n_layer = n_layer;
    config.width   = width;
    return config;
  };
  // universal-computation fpt.py: `num_layers, embedding_size = 3, 768`
  if (body_name == "lstm") return sized(3, 768);
  if (body_name == "lstm-tiny") return sized(2, 64);
  fail(
      "unknown LSTM body '{}'; valid LSTM bodies: lstm (3 layers, width 768), lstm-tiny (2 layers, "
      "width 64)",
      body_name);
}

void check_lstm_config(const LstmConfig& config, const std::string& context) {
  if (config.n_layer <= 0 || config.width <= 0)
    fail("{}: LSTM sizes must be positive (n_layer {}, width {})", context, config.n_layer,
         config.width);
  if (config.dropout < 0.0 || config.dropout >= 1.0)
    fail("{}: dropout {} is outside [0, 1)", context, config.dropout);
}

}  // namespace fpt::models
