#include "fpt/models/make_body.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fpt/core/error.h"
#include "fpt/core/names.h"
#include "fpt/models/bert_body.h"
#include "fpt/models/gpt2.h"
#include "fpt/models/lstm_body.h"
#include "fpt/models/vit_body.h"

namespace fpt::models {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// n_layer override: 0 keeps the body's depth; otherwise 1..depth.
int64_t kept_layers(const core::ExperimentSpec& spec, int64_t depth, const std::string& context) {
  if (spec.n_layer < 0 || spec.n_layer > depth)
    fail("{}: n_layer {} is outside 0..{} (0 keeps all blocks of {})", context, spec.n_layer, depth,
         spec.body);
  return spec.n_layer;
}

}  // namespace

std::string body_family(const std::string& body_name) {
  if (starts_with(body_name, "gpt2")) return "gpt2";
  if (starts_with(body_name, "vit")) return "vit";
  if (starts_with(body_name, "bert") || body_name == "minilm") return "bert";
  if (starts_with(body_name, "lstm")) return "lstm";
  fail("unknown body '{}'; valid bodies: {}", body_name, fmt::join(core::known_bodies(), ", "));
}

Body make_body(const core::ExperimentSpec& spec, const std::string& context,
               double layer_norm_epsilon) {
  core::check_available("body", spec.body, context);
  const std::string family = body_family(spec.body);
  if (family == "gpt2") {
    Gpt2Config config = gpt2_config(spec.body);
    // Building only the kept blocks (rather than all, then truncating) keeps a 3-layer gpt2-xl
    // from allocating 48 blocks; the random init of each kept block has the same distribution.
    const int64_t kept = kept_layers(spec, config.n_layer, context);
    if (kept > 0) config.n_layer = kept;
    config.dropout = spec.dropout;
    if (layer_norm_epsilon > 0) config.layer_norm_epsilon = layer_norm_epsilon;
    check_gpt2_config(config, context);
    return Gpt2Body(config).ptr();
  }
  if (family == "vit") {
    VitConfig     config = vit_config(spec.body);
    const int64_t kept   = kept_layers(spec, config.n_layer, context);
    if (kept > 0) config.n_layer = kept;
    config.dropout = spec.dropout;
    if (layer_norm_epsilon > 0) config.layer_norm_epsilon = layer_norm_epsilon;
    check_vit_config(config, context);
    return VitBody(config).ptr();
  }
  if (family == "bert") {
    BertConfig    config = bert_config(spec.body);
    const int64_t kept   = kept_layers(spec, config.n_layer, context);
    if (kept > 0) config.n_layer = kept;
    config.dropout = spec.dropout;
    if (layer_norm_epsilon > 0) config.layer_norm_epsilon = layer_norm_epsilon;
    check_bert_config(config, context);
    return BertBody(config).ptr();
  }
  LstmConfig    config = lstm_config(spec.body);
  const int64_t kept   = kept_layers(spec, config.n_layer, context);
  config.dropout       = spec.dropout;
  if (spec.lstm_cell != "layernorm" && spec.lstm_cell != "torch")
    fail("{}: lstm_cell '{}' is not one of: layernorm (the official cell), torch (fast, no LN)",
         context, spec.lstm_cell);
  config.layer_norm = spec.lstm_cell == "layernorm";
  check_lstm_config(config, context);
  return LstmBody(config, kept).ptr();
}

}  // namespace fpt::models
