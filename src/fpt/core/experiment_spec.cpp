#include "fpt/core/experiment_spec.h"

#include <cmath>
#include <variant>

#include "fpt/core/error.h"
#include "fpt/core/hashing.h"

namespace fpt::core {
namespace {

using Field = std::variant<std::string ExperimentSpec::*, int64_t ExperimentSpec::*,
                           double ExperimentSpec::*, bool ExperimentSpec::*>;

struct KeyRow {
  SpecKey key;
  Field   field;
};

const std::vector<KeyRow>& key_rows() {
  using S                               = ExperimentSpec;
  static const std::vector<KeyRow> rows = {
      {{"body", KeyType::text, "transformer body"}, &S::body},
      {{"init", KeyType::text, "initialisation of the body"}, &S::init},
      {{"trains", KeyType::text, "parameter groups that train"}, &S::trains},
      {{"task", KeyType::text, "task name"}, &S::task},
      {{"seed", KeyType::integer, "replicate index"}, &S::seed},
      {{"lr", KeyType::real, "Adam learning rate (0: the paper's default)"}, &S::lr},
      {{"batch_size", KeyType::integer, "examples per optimizer step"}, &S::batch_size},
      {{"steps", KeyType::integer, "optimizer steps"}, &S::steps},
      {{"eval_every", KeyType::integer, "steps between evaluations"}, &S::eval_every},
      {{"eval_batches", KeyType::integer, "batches per periodic evaluation"}, &S::eval_batches},
      {{"grad_clip", KeyType::real, "global gradient-norm clip (0: off)"}, &S::grad_clip},
      {{"full_eval", KeyType::boolean, "final full pass over the eval split"}, &S::full_eval},
      {{"n_layer", KeyType::integer, "blocks kept (0: all)"}, &S::n_layer},
      {{"dropout", KeyType::real, "dropout probability"}, &S::dropout},
      {{"orth_gain", KeyType::real, "input layer orthogonal gain"}, &S::orth_gain},
      {{"lstm_cell", KeyType::text, "LSTM cell: layernorm (official) | torch"}, &S::lstm_cell},
      {{"weights", KeyType::text, "pretrained weights file (empty: named weights)"}, &S::weights},
      {{"bit_pretrain_steps", KeyType::integer, "init bit: pretraining steps"},
       &S::bit_pretrain_steps},
      {{"bits_n", KeyType::integer, "bits per string (0: task default)"}, &S::bits_n},
      {{"bits_patterns", KeyType::integer, "strings per example (0: default)"}, &S::bits_patterns},
      {{"bits_patch", KeyType::integer, "bits per token (0: default)"}, &S::bits_patch},
      {{"listops_mode", KeyType::text, "paper | corrected tokenisation"}, &S::listops_mode},
      {{"listops_data", KeyType::text, "LRA TSV directory (empty: generate)"}, &S::listops_data},
      {{"listops_max_tokens", KeyType::integer, "sequence length (0: mode default)"},
       &S::listops_max_tokens},
      {{"listops_max_depth", KeyType::integer, "generator nesting depth"}, &S::listops_max_depth},
      {{"listops_min_length", KeyType::integer, "generator min length"}, &S::listops_min_length},
      {{"listops_max_length", KeyType::integer, "generator max length"}, &S::listops_max_length},
      {{"listops_max_args", KeyType::integer, "generator max arguments"}, &S::listops_max_args},
      {{"listops_train_size", KeyType::integer, "generated train examples"},
       &S::listops_train_size},
      {{"listops_eval_size", KeyType::integer, "generated val/test examples"},
       &S::listops_eval_size},
      {{"mnist_dataset", KeyType::text, "mnist | fashion-mnist"}, &S::mnist_dataset},
      {{"mnist_pad_to", KeyType::integer, "28 (49 tokens × 16) | 32 (64 × 16)"}, &S::mnist_pad_to},
      {{"augment", KeyType::boolean, "cifar10*: training augmentation"}, &S::augment},
      {{"homology_max_tokens", KeyType::integer, "longest protein incl. <cls>/<sep> (0: all)"},
       &S::homology_max_tokens},
  };
  return rows;
}

const KeyRow* find_row(const std::string& key) {
  for (const auto& row : key_rows())
    if (row.key.name == key) return &row;
  return nullptr;
}

const char* type_name(KeyType type) {
  switch (type) {
    case KeyType::text:
      return "a string";
    case KeyType::integer:
      return "an integer";
    case KeyType::real:
      return "a number";
    case KeyType::boolean:
      return "true or false";
  }
  return "?";
}

}  // namespace

const std::vector<SpecKey>& spec_keys() {
  static const std::vector<SpecKey> keys = [] {
    std::vector<SpecKey> out;
    for (const auto& row : key_rows()) out.push_back(row.key);
    return out;
  }();
  return keys;
}

bool is_spec_key(const std::string& key) {
  return find_row(key) != nullptr;
}

std::string valid_spec_keys_text() {
  std::string text;
  for (const auto& row : key_rows()) text += (text.empty() ? "" : ", ") + row.key.name;
  return text;
}

void set_spec_key(ExperimentSpec& spec, const std::string& key, const nlohmann::json& value,
                  const std::string& context) {
  const KeyRow* row = find_row(key);
  if (!row) fail("{}: unknown key '{}'; valid keys: {}", context, key, valid_spec_keys_text());
  auto wrong = [&] {
    fail("{}: key '{}' must be {}, got {}", context, key, type_name(row->key.type), value.dump());
  };
  std::visit(
      [&](auto member) {
        using T = std::decay_t<decltype(spec.*member)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!value.is_string()) wrong();
          spec.*member = value.get<std::string>();
        } else if constexpr (std::is_same_v<T, bool>) {
          if (!value.is_boolean()) wrong();
          spec.*member = value.get<bool>();
        } else if constexpr (std::is_same_v<T, int64_t>) {
          if (value.is_number_integer()) {
            spec.*member = value.get<int64_t>();
          } else if (value.is_number_float() && std::isfinite(value.get<double>()) &&
                     std::floor(value.get<double>()) == value.get<double>() &&
                     std::fabs(value.get<double>()) < 9.0e15) {
            spec.*member = static_cast<int64_t>(value.get<double>());
          } else {
            wrong();
          }
        } else {
          if (!value.is_number() || !std::isfinite(value.get<double>())) wrong();
          spec.*member = value.get<double>();
        }
      },
      row->field);
}

void set_spec_key_from_text(ExperimentSpec& spec, const std::string& key, const std::string& text,
                            const std::string& context) {
  const KeyRow* row = find_row(key);
  if (!row) fail("{}: unknown key '{}'; valid keys: {}", context, key, valid_spec_keys_text());
  nlohmann::json value = text;
  if (row->key.type == KeyType::boolean) {
    if (text == "true" || text == "1") value = true;
    if (text == "false" || text == "0") value = false;
  } else if (row->key.type != KeyType::text) {
    try {
      size_t       used   = 0;
      const double number = std::stod(text, &used);
      if (used == text.size()) value = number;
    } catch (const std::exception&) {
    }
  }
  set_spec_key(spec, key, value, context);
}

nlohmann::json get_spec_key(const ExperimentSpec& spec, const std::string& key) {
  const KeyRow* row = find_row(key);
  if (!row) fail("unknown spec key '{}'; valid keys: {}", key, valid_spec_keys_text());
  return std::visit([&](auto member) { return nlohmann::json(spec.*member); }, row->field);
}

nlohmann::json spec_to_json(const ExperimentSpec& spec) {
  nlohmann::json object = nlohmann::json::object();  // std::map underneath: keys sorted
  for (const auto& row : key_rows()) object[row.key.name] = get_spec_key(spec, row.key.name);
  return object;
}

ExperimentSpec spec_from_json(const nlohmann::json& object, const std::string& context) {
  if (!object.is_object())
    fail("{}: an experiment spec must be a mapping of keys to values", context);
  ExperimentSpec spec;
  for (const auto& [key, value] : object.items()) set_spec_key(spec, key, value, context);
  return spec;
}

std::string canonical_spec_text(const ExperimentSpec& spec) {
  return spec_to_json(spec).dump();
}

std::string experiment_id(const ExperimentSpec& spec) {
  return hex64(fnv1a_64(canonical_spec_text(spec)));
}

uint64_t experiment_seed(const ExperimentSpec& spec) {
  return derive_seed(fnv1a_64(canonical_spec_text(spec)), 0);
}

std::string default_tag(const ExperimentSpec& spec) {
  std::string trains = spec.trains;
  for (char& c : trains)
    if (c == ',') c = '+';
  return spec.body + "_" + spec.task + "_" + spec.init + "_" + trains + "_s" +
         std::to_string(spec.seed);
}

double default_lr(const ExperimentSpec& spec) {
  if (spec.body.compare(0, 4, "lstm") == 0) return 3e-4;
  if (spec.task == "remote-homology") return 1e-4;
  return 1e-3;
}

ExperimentSpec resolve_defaults(ExperimentSpec spec) {
  if (spec.lr == 0) spec.lr = default_lr(spec);
  return spec;
}

ExperimentSpec bit_pretraining_spec(const ExperimentSpec& spec) {
  ExperimentSpec pretraining;
  pretraining.body      = spec.body;
  pretraining.n_layer   = spec.n_layer;
  pretraining.dropout   = spec.dropout;
  pretraining.orth_gain = spec.orth_gain;
  pretraining.lstm_cell = spec.lstm_cell;
  pretraining.init      = "random";
  pretraining.trains    = "full";
  pretraining.task      = "bit-memory";
  pretraining.seed      = 0;
  pretraining.steps     = spec.bit_pretrain_steps;
  return resolve_defaults(pretraining);
}

}  // namespace fpt::core
