// ExperimentSpec: everything that defines one experiment of a sweep (body, init, what trains,
// task, seed, training and task settings), with its defaults beside each field. The spec is the
// experiment's identity: its canonical JSON (every key, sorted) hashes to the experiment id, and
// every seed the experiment uses derives from that id, so a rerun is the same experiment.
//
// Keys are flat (`lr`, `listops_mode`) so that a sweep file can put any of them on an axis or in an
// override block. spec_keys() lists them with their types and help; adding a key means adding a
// field here and one row in experiment_spec.cpp.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace fpt::core {

struct ExperimentSpec {
  // --- the paper's axes --------------------------------------------------------------------------
  std::string body   = "gpt2";     // names.h: gpt2[-medium|-large|-xl], vit-base, minilm, lstm, ...
  std::string init   = "random";   // random | pretrained | bit | stats (names.h)
  std::string trains = "fpt";      // fpt | full | comma list of input,output,pos,ln,attn,ff
  std::string task   = "bit-xor";  // official name: bit-memory, bit-xor, listops, mnist, ...
  int64_t     seed   = 0;          // replicate index; the RNG seed itself derives from the id

  // --- training (Adam, no weight decay, no schedule) ---------------------------------------------
  double  lr           = 0;  // 0: default_lr() — 1e-3 transformers, 3e-4 LSTM, 1e-4 homology
  int64_t batch_size   = 16;
  int64_t steps        = 1000;  // optimizer steps
  int64_t eval_every   = 100;   // steps between evaluations (the official "iteration")
  int64_t eval_batches = 25;    // batches in a periodic (running-estimate) evaluation
  double  grad_clip    = 1.0;   // global gradient-norm clip; 0 disables
  bool    full_eval    = true;  // final pass over the evaluation split where the task has one

  // --- model ----------------------------------------------------------------------------------
  int64_t     n_layer   = 0;     // 0: the body's own depth; >0 keeps only the first n_layer blocks
  double      dropout   = 0.1;   // embedding, attention-probability and residual dropout
  double      orth_gain = 1.41;  // orthogonal init gain of the input Linear
  std::string lstm_cell = "layernorm";  // LSTM bodies: layernorm (the official cell) | torch (fast)

  // --- initialisation ---------------------------------------------------------------------------
  std::string weights = "";            // pretrained/stats: safetensors file; "" = the body's
                                       //   named weights in the weights cache (fpt_fetch)
  int64_t bit_pretrain_steps = 10000;  // init bit: steps of the shared Bit Memory pretraining

  // --- bit-memory / bit-xor (0 = the task's default) -------------------------------------------
  int64_t bits_n        = 0;  // bits per string: memory 1000, xor 5
  int64_t bits_patterns = 0;  // strings shown: memory 5 (+ the masked query), xor 2
  int64_t bits_patch    = 0;  // bits per token: memory 50, xor 1

  // --- listops --------------------------------------------------------------------------------
  std::string listops_mode       = "paper";  // paper (brackets dropped, vocab 15) | corrected
  std::string listops_data       = "";     // dir with LRA basic_{train,val,test}.tsv; "" = generate
  int64_t     listops_max_tokens = 0;      // 0: paper 512, corrected the data's longest
  int64_t     listops_max_depth  = 10;     // generator: deepest nesting
  int64_t     listops_min_length = 500;    // generator: length bounds (digits + 2 per operator),
  int64_t     listops_max_length = 2000;   //   kept when min < length < max as in LRA
  int64_t     listops_max_args   = 10;     // generator: arguments per operator, 2..max_args
  int64_t     listops_train_size = 96000;  // generator: examples in train
  int64_t     listops_eval_size  = 2000;   // generator: examples in val and in test

  // --- images (mnist, cifar10, cifar10-gray) and proteins (remote-homology) ----------------------
  // Where the files live is not part of an experiment's identity: the readers look under
  // ${FPT_DATA_DIR:-./data}/<data set>/ (raw release files) and data_shards/ (prepared shards).
  std::string mnist_dataset       = "mnist";  // mnist | fashion-mnist (same IDX format, same shape)
  int64_t     mnist_pad_to        = 28;       // 28: 49 tokens × 16 (official code); 32: 64 × 16
  bool        augment             = true;  // cifar10*: crop pad 4, h-flip, rotation ±20° on train
  int64_t     homology_max_tokens = 1024;  // official filter incl. <cls>/<sep>; 0 keeps all
};

enum class KeyType { text, integer, real, boolean };

struct SpecKey {
  std::string name;
  KeyType     type;
  std::string help;
};

// Every key an ExperimentSpec has, in declaration order.
const std::vector<SpecKey>& spec_keys();
bool                        is_spec_key(const std::string& key);
std::string                 valid_spec_keys_text();  // "body, init, ..." for error messages

// Sets one key from a JSON scalar. Integers accept integral reals (1e4); booleans accept
// true/false. Errors name `context` (e.g. "sweeps/x.yaml:12"), the key and the expected type.
void set_spec_key(ExperimentSpec& spec, const std::string& key, const nlohmann::json& value,
                  const std::string& context);
// Same from command-line text: "1e-3", "1000", "true", "gpt2" are read as the key's type.
void set_spec_key_from_text(ExperimentSpec& spec, const std::string& key, const std::string& text,
                            const std::string& context);
nlohmann::json get_spec_key(const ExperimentSpec& spec, const std::string& key);

nlohmann::json spec_to_json(const ExperimentSpec& spec);  // every key, sorted by name
ExperimentSpec spec_from_json(const nlohmann::json& object, const std::string& context);

// Canonical text (compact sorted JSON) and the id: 16 hex digits of its FNV-1a hash.
std::string canonical_spec_text(const ExperimentSpec& spec);
std::string experiment_id(const ExperimentSpec& spec);
// The 64-bit seed every RNG of this experiment derives from (from the id, so reruns match).
uint64_t experiment_seed(const ExperimentSpec& spec);

// Short readable name: gpt2_bit-xor_random_fpt_s0.
std::string default_tag(const ExperimentSpec& spec);

// The learning rate of the paper for this body and task: 3e-4 for LSTM bodies, 1e-4 for Remote
// Homology, 1e-3 otherwise.
double default_lr(const ExperimentSpec& spec);
// Fills the "0 = default" keys that change what trains (lr): the sweep grid and fpt_train call it
// before computing the id, so `lr: 0` and the explicit default are the same experiment.
ExperimentSpec resolve_defaults(ExperimentSpec spec);

// init: bit — the Bit Memory pretraining experiment whose trained body initialises `spec`: the same
// body (body, n_layer, dropout, orth_gain, lstm_cell), everything trainable, task bit-memory with
// its defaults, seed 0, bit_pretrain_steps steps. One per body: every experiment of a sweep with
// the same body shares it.
ExperimentSpec bit_pretraining_spec(const ExperimentSpec& spec);

}  // namespace fpt::core
