// Restricted unpickler: a safe decoder for the subset of Python's pickle format (protocols 2-5)
// that TAPE's LMDB records use — dicts of str keys holding str, int, float, None, bool, bytes,
// lists, tuples and numpy arrays. It never imports or runs anything: GLOBAL / STACK_GLOBAL push a
// class *name*, and REDUCE / NEWOBJ / BUILD turn it into an opaque `object` value that records that
// name, its arguments and its state. Numpy arrays (TAPE's secondary_structure, evolutionary, ...)
// therefore decode to objects named "numpy.core.multiarray._reconstruct" that fpt never looks into;
// integer_of() reads a numpy integer scalar, the one numpy value a label field could plausibly be.
//
// Safety: every read is bounds-checked against the input, lengths are checked before anything is
// allocated, values live in one arena (indices, not pointers: no recursive destruction, cycles made
// through the memo are harmless), and the stack, the marks, the values and the nesting depth have
// limits. Anything else — an unknown or unsupported opcode, a truncated record, a malformed
// structure — is an fpt::Error naming the record, the opcode and the byte offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fpt::tasks::pickle {

enum class Kind : uint8_t {
  none,
  boolean,
  integer,      // fits int64
  big_integer,  // LONG1/LONG4 wider than 8 bytes: `text` holds the little-endian two's complement
  real,
  text,   // Python str (UTF-8 as stored)
  bytes,  // Python bytes / bytearray / Python 2 str
  list,
  tuple,
  dict,
  set,
  global,  // a class or function name "module.qualname" (never resolved)
  object,  // REDUCE / NEWOBJ of a global: `text` = its name, `args`, and `state` set by BUILD
};

struct Value {
  Kind                                     kind    = Kind::none;
  bool                                     boolean = false;
  int64_t                                  integer = 0;
  double                                   real    = 0.0;
  std::string                              text;     // text, bytes, big_integer, global/object name
  std::vector<int32_t>                     items;    // list / tuple / set elements (arena indices)
  std::vector<std::pair<int32_t, int32_t>> entries;  // dict (key, value) in insertion order
  int32_t                                  args  = -1;  // object: its argument tuple, -1 if none
  int32_t                                  state = -1;  // object: BUILD's state, -1 if never built
  int32_t                                  depth = 0;  // containers nested inside (at construction)
};

struct Limits {
  int64_t max_values = int64_t{1} << 24;  // values created (each opcode makes at most one)
  int64_t max_stack  = int64_t{1} << 20;  // stack entries
  int64_t max_marks  = 256;               // open MARKs
  int32_t max_depth  = 128;               // container nesting
  int64_t max_name   = 1024;              // bytes of a GLOBAL's module or name
  // bytes of text held by all values together; 0: twice the pickle's size + 64 KiB (only class
  // names are ever copied, so honest data stays far below; a memo-copying bomb does not)
  int64_t max_text_bytes = 0;
};

// A decoded pickle: the arena of values and the root (what STOP returned).
class Pickle {
 public:
  Pickle(std::vector<Value> values, int32_t root) : values_(std::move(values)), root_(root) {}

  const Value& root() const { return values_[static_cast<size_t>(root_)]; }
  const Value& at(int32_t index) const { return values_.at(static_cast<size_t>(index)); }
  size_t       size() const { return values_.size(); }

  // The value stored under the str key `key` of `dict` (last one wins, as in Python); nullptr
  // when `dict` is not a dict or has no such key.
  const Value* find(const Value& dict, std::string_view key) const;

 private:
  std::vector<Value> values_;
  int32_t            root_;
};

// Decodes one pickle that must fill `data` exactly (STOP as the last byte). `context` names the
// record in errors, e.g. "data/remote_homology_train.lmdb: record 17".
Pickle unpickle(std::string_view data, const std::string& context, const Limits& limits = {});

// The integer a value holds: a Python int, or a numpy integer scalar (numpy.core.multiarray.scalar
// of an i1..i8 / u1..u8 dtype, as pickled by numpy 1.x and 2.x); nullopt for anything else.
std::optional<int64_t> integer_of(const Pickle& pickle, const Value& value);

// A short type name for error messages: "str", "int", "list", "numpy.core.multiarray._reconstruct".
std::string type_name(const Value& value);

// The opcode's name for error messages, e.g. 0x8c -> "SHORT_BINUNICODE"; "" when unknown.
std::string_view opcode_name(uint8_t opcode);

}  // namespace fpt::tasks::pickle
