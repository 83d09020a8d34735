#include "fpt/tasks/restricted_unpickler.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "fpt/core/error.h"

namespace fpt::tasks::pickle {
namespace {

// Opcodes of pickle protocols 0-5 (Python's Lib/pickletools.py has the full descriptions).
enum Op : uint8_t {
  MARK             = '(',
  STOP             = '.',
  POP              = '0',
  POP_MARK         = '1',
  DUP              = '2',
  FLOAT            = 'F',
  INT              = 'I',
  BININT           = 'J',
  BININT1          = 'K',
  LONG             = 'L',
  BININT2          = 'M',
  NONE             = 'N',
  PERSID           = 'P',
  BINPERSID        = 'Q',
  REDUCE           = 'R',
  STRING           = 'S',
  BINSTRING        = 'T',
  SHORT_BINSTRING  = 'U',
  UNICODE          = 'V',
  BINUNICODE       = 'X',
  APPEND           = 'a',
  BUILD            = 'b',
  GLOBAL           = 'c',
  DICT             = 'd',
  EMPTY_DICT       = '}',
  APPENDS          = 'e',
  GET              = 'g',
  BINGET           = 'h',
  INST             = 'i',
  LONG_BINGET      = 'j',
  LIST             = 'l',
  EMPTY_LIST       = ']',
  OBJ              = 'o',
  PUT              = 'p',
  BINPUT           = 'q',
  LONG_BINPUT      = 'r',
  SETITEM          = 's',
  TUPLE            = 't',
  EMPTY_TUPLE      = ')',
  SETITEMS         = 'u',
  BINFLOAT         = 'G',
  PROTO            = 0x80,
  NEWOBJ           = 0x81,
  EXT1             = 0x82,
  EXT2             = 0x83,
  EXT4             = 0x84,
  TUPLE1           = 0x85,
  TUPLE2           = 0x86,
  TUPLE3           = 0x87,
  NEWTRUE          = 0x88,
  NEWFALSE         = 0x89,
  LONG1            = 0x8a,
  LONG4            = 0x8b,
  BINBYTES         = 'B',
  SHORT_BINBYTES   = 'C',
  SHORT_BINUNICODE = 0x8c,
  BINUNICODE8      = 0x8d,
  BINBYTES8        = 0x8e,
  EMPTY_SET        = 0x8f,
  ADDITEMS         = 0x90,
  FROZENSET        = 0x91,
  NEWOBJ_EX        = 0x92,
  STACK_GLOBAL     = 0x93,
  MEMOIZE          = 0x94,
  FRAME            = 0x95,
  BYTEARRAY8       = 0x96,
  NEXT_BUFFER      = 0x97,
  READONLY_BUFFER  = 0x98,
};

constexpr int kNewestProtocol = 5;

// Little-endian unsigned integer of `bytes` (at most 8).
uint64_t little_endian(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

class Decoder {
 public:
  Decoder(std::string_view data, const std::string& context, const Limits& limits)
      : data_(data), context_(context), limits_(limits) {}

  Pickle run() {
    while (position_ < data_.size()) {
      opcode_start_        = position_;
      const uint8_t opcode = static_cast<uint8_t>(data_[position_++]);
      if (opcode == STOP) return stop();
      step(opcode);
    }
    error("truncated: the data ends without a STOP opcode");
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    fail("{}: corrupt pickle: {} (byte offset {} of {})", context_, what, opcode_start_,
         data_.size());
  }

  // --- reading the input
  // --------------------------------------------------------------------------

  std::string_view take(uint64_t count, const char* what) {
    if (count > data_.size() - position_)
      error(fmt::format("{} needs {} bytes but only {} remain (truncated, or a corrupt length)",
                        what, count, data_.size() - position_));
    std::string_view bytes = data_.substr(position_, static_cast<size_t>(count));
    position_ += static_cast<size_t>(count);
    return bytes;
  }
  uint64_t unsigned_of(size_t width, const char* what) { return little_endian(take(width, what)); }
  std::string_view line(const char* what) {
    const size_t end = data_.find('\n', position_);
    if (end == std::string_view::npos) error(fmt::format("{} has no terminating newline", what));
    std::string_view text = data_.substr(position_, end - position_);
    position_             = end + 1;
    return text;
  }

  // --- values, stack, marks, memo
  // -----------------------------------------------------------------

  int32_t make(Value value) {
    if (static_cast<int64_t>(values_.size()) >= limits_.max_values)
      error(fmt::format("more than {} values", limits_.max_values));
    const int64_t text_budget = limits_.max_text_bytes > 0
                                    ? limits_.max_text_bytes
                                    : 2 * static_cast<int64_t>(data_.size()) + (int64_t{1} << 16);
    text_bytes_ += static_cast<int64_t>(value.text.size());
    if (text_bytes_ > text_budget)
      error(fmt::format("its values hold more than {} bytes of text (a pickle of {} bytes)",
                        text_budget, data_.size()));
    values_.push_back(std::move(value));
    return static_cast<int32_t>(values_.size() - 1);
  }
  int32_t make_kind(Kind kind) {
    Value value;
    value.kind = kind;
    return make(std::move(value));
  }
  Value& at(int32_t index) { return values_[static_cast<size_t>(index)]; }

  void push(int32_t index) {
    if (static_cast<int64_t>(stack_.size()) >= limits_.max_stack)
      error(fmt::format("stack deeper than {} entries", limits_.max_stack));
    stack_.push_back(index);
  }
  // The stack entries above the innermost mark (that mark is gone from the mark list by then).
  size_t  stack_floor() const { return marks_.empty() ? 0 : marks_.back(); }
  int32_t pop(const char* for_what) {
    if (stack_.size() <= stack_floor())
      error(fmt::format("{} needs a value but the stack is empty", for_what));
    const int32_t index = stack_.back();
    stack_.pop_back();
    return index;
  }
  int32_t top(const char* for_what) {
    if (stack_.size() <= stack_floor())
      error(fmt::format("{} needs a value but the stack is empty", for_what));
    return stack_.back();
  }
  std::vector<int32_t> pop_to_mark(const char* for_what) {
    if (marks_.empty()) error(fmt::format("{} without a preceding MARK", for_what));
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<int32_t> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }

  // Records that `child` is now inside `container`; containers deeper than the limit are refused.
  void nest(int32_t container, int32_t child) {
    const int32_t depth = std::max(at(container).depth, at(child).depth + 1);
    if (depth > limits_.max_depth)
      error(fmt::format("values nested deeper than {} levels", limits_.max_depth));
    at(container).depth = depth;
  }
  void append_items(int32_t container, const std::vector<int32_t>& items) {
    for (int32_t item : items) {
      nest(container, item);
      at(container).items.push_back(item);
    }
  }
  void set_items(int32_t dict, const std::vector<int32_t>& keys_and_values) {
    if (keys_and_values.size() % 2 != 0) error("SETITEMS with an odd number of keys and values");
    for (size_t i = 0; i < keys_and_values.size(); i += 2) {
      nest(dict, keys_and_values[i]);
      nest(dict, keys_and_values[i + 1]);
      at(dict).entries.emplace_back(keys_and_values[i], keys_and_values[i + 1]);
    }
  }
  int32_t make_sequence(Kind kind, const std::vector<int32_t>& items) {
    const int32_t sequence = make_kind(kind);
    append_items(sequence, items);
    return sequence;
  }
  int32_t expect(int32_t index, Kind kind, const char* for_what) {
    if (at(index).kind != kind)
      error(fmt::format("{} applied to a {}", for_what, type_name(at(index))));
    return index;
  }

  void memo_put(uint64_t key) {
    const int32_t index = top("PUT");
    memo_[key]          = index;
  }
  void memo_get(uint64_t key) {
    const auto found = memo_.find(key);
    if (found == memo_.end()) error(fmt::format("memo key {} was never stored", key));
    push(found->second);
  }

  // --- constructors for scalars
  // ---------------------------------------------------------------------

  void push_integer(int64_t value) {
    Value v;
    v.kind    = Kind::integer;
    v.integer = value;
    push(make(std::move(v)));
  }
  void push_long(std::string_view bytes) {
    if (bytes.size() <= 8) {
      uint64_t value = little_endian(bytes);
      // sign-extend two's complement of bytes.size() bytes
      if (!bytes.empty() && bytes.size() < 8 && (static_cast<uint8_t>(bytes.back()) & 0x80))
        value |= ~uint64_t{0} << (8 * bytes.size());
      push_integer(static_cast<int64_t>(value));
      return;
    }
    Value v;
    v.kind = Kind::big_integer;
    v.text = std::string(bytes);
    push(make(std::move(v)));
  }
  void push_string(Kind kind, std::string_view bytes) {
    Value v;
    v.kind = kind;
    v.text = std::string(bytes);
    push(make(std::move(v)));
  }
  void push_global(std::string_view module, std::string_view name) {
    if (static_cast<int64_t>(module.size()) > limits_.max_name ||
        static_cast<int64_t>(name.size()) > limits_.max_name)
      error(fmt::format("a class name longer than {} bytes", limits_.max_name));
    Value v;
    v.kind = Kind::global;
    v.text = fmt::format("{}.{}", module, name);
    push(make(std::move(v)));
  }
  // REDUCE / NEWOBJ: an opaque object named after its class or function; nothing is called.
  void push_object(int32_t callable, int32_t args, const char* for_what) {
    if (at(callable).kind != Kind::global)
      error(fmt::format("{} of a {} (expected a class name)", for_what, type_name(at(callable))));
    expect(args, Kind::tuple, for_what);
    Value v;
    v.kind  = Kind::object;
    v.text  = at(callable).text;
    v.args  = args;
    v.depth = at(args).depth + 1;
    if (v.depth > limits_.max_depth)
      error(fmt::format("values nested deeper than {} levels", limits_.max_depth));
    push(make(std::move(v)));
  }

  [[noreturn]] void unsupported(uint8_t opcode, const char* why) const {
    const std::string_view name = opcode_name(opcode);
    error(fmt::format("opcode 0x{:02x} ({}) is not supported: {}", opcode,
                      name.empty() ? "unknown" : std::string(name), why));
  }

  void step(uint8_t opcode) {
    switch (opcode) {
      case PROTO: {
        const uint64_t protocol = unsigned_of(1, "PROTO");
        if (protocol > kNewestProtocol)
          error(fmt::format("protocol {} is newer than {}", protocol, kNewestProtocol));
        return;
      }
      case FRAME:
        // Frames only group opcodes for buffered reading; the data is all in memory already.
        if (unsigned_of(8, "FRAME") > data_.size() - position_)
          error("FRAME longer than the remaining data (truncated)");
        return;

      case MARK:
        if (static_cast<int64_t>(marks_.size()) >= limits_.max_marks)
          error(fmt::format("more than {} open MARKs", limits_.max_marks));
        marks_.push_back(stack_.size());
        return;
      case POP:
        pop("POP");
        return;
      case POP_MARK:
        pop_to_mark("POP_MARK");
        return;
      case DUP:
        push(top("DUP"));
        return;

      case NONE:
        push(make_kind(Kind::none));
        return;
      case NEWTRUE:
      case NEWFALSE: {
        Value v;
        v.kind    = Kind::boolean;
        v.boolean = opcode == NEWTRUE;
        push(make(std::move(v)));
        return;
      }
      case BININT:
        push_integer(static_cast<int32_t>(static_cast<uint32_t>(unsigned_of(4, "BININT"))));
        return;
      case BININT1:
        push_integer(static_cast<int64_t>(unsigned_of(1, "BININT1")));
        return;
      case BININT2:
        push_integer(static_cast<int64_t>(unsigned_of(2, "BININT2")));
        return;
      case LONG1:
        push_long(take(unsigned_of(1, "LONG1"), "LONG1 value"));
        return;
      case LONG4: {
        const int32_t size = static_cast<int32_t>(static_cast<uint32_t>(unsigned_of(4, "LONG4")));
        if (size < 0) error("LONG4 with a negative length");
        push_long(take(static_cast<uint64_t>(size), "LONG4 value"));
        return;
      }
      case BINFLOAT: {
        const std::string_view bytes = take(8, "BINFLOAT");
        uint64_t               bits  = 0;
        for (char byte : bytes) bits = (bits << 8) | static_cast<uint8_t>(byte);  // big-endian
        Value v;
        v.kind = Kind::real;
        std::memcpy(&v.real, &bits, sizeof bits);
        push(make(std::move(v)));
        return;
      }

      case SHORT_BINUNICODE:
        push_string(Kind::text, take(unsigned_of(1, "SHORT_BINUNICODE"), "SHORT_BINUNICODE text"));
        return;
      case BINUNICODE:
        push_string(Kind::text, take(unsigned_of(4, "BINUNICODE"), "BINUNICODE text"));
        return;
      case BINUNICODE8:
        push_string(Kind::text, take(unsigned_of(8, "BINUNICODE8"), "BINUNICODE8 text"));
        return;
      case SHORT_BINBYTES:
        push_string(Kind::bytes, take(unsigned_of(1, "SHORT_BINBYTES"), "SHORT_BINBYTES data"));
        return;
      case BINBYTES:
        push_string(Kind::bytes, take(unsigned_of(4, "BINBYTES"), "BINBYTES data"));
        return;
      case BINBYTES8:
        push_string(Kind::bytes, take(unsigned_of(8, "BINBYTES8"), "BINBYTES8 data"));
        return;
      case BYTEARRAY8:
        push_string(Kind::bytes, take(unsigned_of(8, "BYTEARRAY8"), "BYTEARRAY8 data"));
        return;
      case SHORT_BINSTRING:
        push_string(Kind::bytes, take(unsigned_of(1, "SHORT_BINSTRING"), "SHORT_BINSTRING data"));
        return;
      case BINSTRING: {
        const int32_t size =
            static_cast<int32_t>(static_cast<uint32_t>(unsigned_of(4, "BINSTRING")));
        if (size < 0) error("BINSTRING with a negative length");
        push_string(Kind::bytes, take(static_cast<uint64_t>(size), "BINSTRING data"));
        return;
      }

      case EMPTY_DICT:
        push(make_kind(Kind::dict));
        return;
      case EMPTY_LIST:
        push(make_kind(Kind::list));
        return;
      case EMPTY_TUPLE:
        push(make_kind(Kind::tuple));
        return;
      case EMPTY_SET:
        push(make_kind(Kind::set));
        return;
      case TUPLE:
        push(make_sequence(Kind::tuple, pop_to_mark("TUPLE")));
        return;
      case TUPLE1:
      case TUPLE2:
      case TUPLE3: {
        const size_t         count = static_cast<size_t>(opcode - TUPLE1 + 1);
        std::vector<int32_t> items(count);
        for (size_t i = count; i-- > 0;) items[i] = pop("TUPLE1/2/3");
        push(make_sequence(Kind::tuple, items));
        return;
      }
      case FROZENSET:
        push(make_sequence(Kind::set, pop_to_mark("FROZENSET")));
        return;

      case APPEND: {
        const int32_t item = pop("APPEND");
        append_items(expect(top("APPEND"), Kind::list, "APPEND"), {item});
        return;
      }
      case APPENDS: {
        const std::vector<int32_t> items = pop_to_mark("APPENDS");
        append_items(expect(top("APPENDS"), Kind::list, "APPENDS"), items);
        return;
      }
      case ADDITEMS: {
        const std::vector<int32_t> items = pop_to_mark("ADDITEMS");
        append_items(expect(top("ADDITEMS"), Kind::set, "ADDITEMS"), items);
        return;
      }
      case SETITEM: {
        const int32_t value = pop("SETITEM");
        const int32_t key   = pop("SETITEM");
        set_items(expect(top("SETITEM"), Kind::dict, "SETITEM"), {key, value});
        return;
      }
      case SETITEMS: {
        const std::vector<int32_t> items = pop_to_mark("SETITEMS");
        set_items(expect(top("SETITEMS"), Kind::dict, "SETITEMS"), items);
        return;
      }

      case MEMOIZE:
        memo_put(memo_.size());
        return;
      case BINPUT:
        memo_put(unsigned_of(1, "BINPUT"));
        return;
      case LONG_BINPUT:
        memo_put(unsigned_of(4, "LONG_BINPUT"));
        return;
      case BINGET:
        memo_get(unsigned_of(1, "BINGET"));
        return;
      case LONG_BINGET:
        memo_get(unsigned_of(4, "LONG_BINGET"));
        return;

      case GLOBAL: {
        const std::string_view module = line("GLOBAL module");
        const std::string_view name   = line("GLOBAL name");
        push_global(module, name);
        return;
      }
      case STACK_GLOBAL: {
        const int32_t name   = expect(pop("STACK_GLOBAL"), Kind::text, "STACK_GLOBAL");
        const int32_t module = expect(pop("STACK_GLOBAL"), Kind::text, "STACK_GLOBAL");
        push_global(at(module).text, at(name).text);
        return;
      }
      case REDUCE: {
        const int32_t args     = pop("REDUCE");
        const int32_t callable = pop("REDUCE");
        push_object(callable, args, "REDUCE");
        return;
      }
      case NEWOBJ: {
        const int32_t args = pop("NEWOBJ");
        const int32_t cls  = pop("NEWOBJ");
        push_object(cls, args, "NEWOBJ");
        return;
      }
      case NEWOBJ_EX: {
        pop("NEWOBJ_EX");  // keyword arguments: kept nowhere, nothing is called
        const int32_t args = pop("NEWOBJ_EX");
        const int32_t cls  = pop("NEWOBJ_EX");
        push_object(cls, args, "NEWOBJ_EX");
        return;
      }
      case BUILD: {
        const int32_t state  = pop("BUILD");
        const int32_t object = expect(top("BUILD"), Kind::object, "BUILD");
        nest(object, state);
        at(object).state = state;
        return;
      }

      case PERSID:
      case BINPERSID:
        unsupported(opcode, "persistent ids need the writer's own loader");
      case EXT1:
      case EXT2:
      case EXT4:
        unsupported(opcode, "the copyreg extension registry would resolve code");
      case INST:
      case OBJ:
        unsupported(opcode, "protocol 0/1 instance creation");
      case NEXT_BUFFER:
      case READONLY_BUFFER:
        unsupported(opcode, "out-of-band buffers are not part of a stored record");
      case FLOAT:
      case INT:
      case LONG:
      case STRING:
      case UNICODE:
      case DICT:
      case LIST:
      case GET:
      case PUT:
        unsupported(opcode, "a protocol 0 text opcode (TAPE's records use protocols 2-5)");
      default:
        error(fmt::format("unknown opcode 0x{:02x}", opcode));
    }
  }

  Pickle stop() {
    if (!marks_.empty()) error(fmt::format("STOP with {} MARKs still open", marks_.size()));
    if (stack_.size() != 1)
      error(fmt::format("STOP with {} values on the stack (expected exactly 1)", stack_.size()));
    if (position_ != data_.size())
      error(fmt::format("{} bytes after STOP", data_.size() - position_));
    return Pickle(std::move(values_), stack_.back());
  }

  std::string_view   data_;
  const std::string& context_;
  const Limits&      limits_;
  size_t             position_     = 0;
  size_t             opcode_start_ = 0;

  std::vector<Value>                    values_;
  int64_t                               text_bytes_ = 0;  // text held by values_ (budget)
  std::vector<int32_t>                  stack_;
  std::vector<size_t>                   marks_;  // stack sizes at each open MARK
  std::unordered_map<uint64_t, int32_t> memo_;
};

// numpy's dtype pickle: numpy.dtype("i8", False, True) with BUILD state (3, "<", ...). Returns
// the kind letter, item size and byte order ('<', '>' or '|'), or nullopt.
struct IntegerDtype {
  char   kind       = 'i';
  size_t size       = 8;
  bool   big_endian = false;
};
std::optional<IntegerDtype> integer_dtype(const Pickle& pickle, const Value& dtype) {
  if (dtype.kind != Kind::object || dtype.text != "numpy.dtype" || dtype.args < 0) return {};
  const Value& args = pickle.at(dtype.args);
  if (args.items.empty()) return {};
  const Value& code = pickle.at(args.items[0]);
  if (code.kind != Kind::text || code.text.size() != 2) return {};
  IntegerDtype result;
  result.kind = code.text[0];
  if (result.kind != 'i' && result.kind != 'u') return {};
  if (code.text[1] < '1' || code.text[1] > '8') return {};
  result.size = static_cast<size_t>(code.text[1] - '0');
  if (result.size != 1 && result.size != 2 && result.size != 4 && result.size != 8) return {};
  if (dtype.state >= 0) {
    const Value& state = pickle.at(dtype.state);
    if (state.kind == Kind::tuple && state.items.size() >= 2) {
      const Value& order = pickle.at(state.items[1]);
      if (order.kind == Kind::text && order.text == ">") result.big_endian = true;
    }
  }
  return result;
}

}  // namespace

const Value* Pickle::find(const Value& dict, std::string_view key) const {
  if (dict.kind != Kind::dict) return nullptr;
  const Value* found = nullptr;
  for (const auto& [key_index, value_index] : dict.entries) {
    const Value& candidate = at(key_index);
    if (candidate.kind == Kind::text && candidate.text == key) found = &at(value_index);
  }
  return found;
}

Pickle unpickle(std::string_view data, const std::string& context, const Limits& limits) {
  return Decoder(data, context, limits).run();
}

std::optional<int64_t> integer_of(const Pickle& pickle, const Value& value) {
  if (value.kind == Kind::integer) return value.integer;
  // numpy.core.multiarray.scalar(dtype, raw bytes) — numpy 2 spells the module numpy._core.
  if (value.kind != Kind::object || value.args < 0) return {};
  if (value.text != "numpy.core.multiarray.scalar" && value.text != "numpy._core.multiarray.scalar")
    return {};
  const Value& args = pickle.at(value.args);
  if (args.items.size() != 2) return {};
  const auto   dtype = integer_dtype(pickle, pickle.at(args.items[0]));
  const Value& raw   = pickle.at(args.items[1]);
  if (!dtype || raw.kind != Kind::bytes || raw.text.size() != dtype->size) return {};
  std::string bytes = raw.text;
  if (dtype->big_endian) std::reverse(bytes.begin(), bytes.end());
  uint64_t bits = little_endian(bytes);
  if (dtype->kind == 'u') {
    if (bits > static_cast<uint64_t>(INT64_MAX)) return {};
    return static_cast<int64_t>(bits);
  }
  if (dtype->size < 8 && (bits >> (8 * dtype->size - 1)) & 1)
    bits |= ~uint64_t{0} << (8 * dtype->size);
  return static_cast<int64_t>(bits);
}

std::string type_name(const Value& value) {
  switch (value.kind) {
    case Kind::none:
      return "None";
    case Kind::boolean:
      return "bool";
    case Kind::integer:
    case Kind::big_integer:
      return "int";
    case Kind::real:
      return "float";
    case Kind::text:
      return "str";
    case Kind::bytes:
      return "bytes";
    case Kind::list:
      return "list";
    case Kind::tuple:
      return "tuple";
    case Kind::dict:
      return "dict";
    case Kind::set:
      return "set";
    case Kind::global:
      return "class " + value.text;
    case Kind::object:
      return value.text;
  }
  return "?";
}

std::string_view opcode_name(uint8_t opcode) {
  switch (opcode) {
    // clang-format off
    case MARK: return "MARK";                   case STOP: return "STOP";
    case POP: return "POP";                     case POP_MARK: return "POP_MARK";
    case DUP: return "DUP";                     case FLOAT: return "FLOAT";
    case INT: return "INT";                     case BININT: return "BININT";
    case BININT1: return "BININT1";             case LONG: return "LONG";
    case BININT2: return "BININT2";             case NONE: return "NONE";
    case PERSID: return "PERSID";               case BINPERSID: return "BINPERSID";
    case REDUCE: return "REDUCE";               case STRING: return "STRING";
    case BINSTRING: return "BINSTRING";         case SHORT_BINSTRING: return "SHORT_BINSTRING";
    case UNICODE: return "UNICODE";             case BINUNICODE: return "BINUNICODE";
    case APPEND: return "APPEND";               case BUILD: return "BUILD";
    case GLOBAL: return "GLOBAL";               case DICT: return "DICT";
    case EMPTY_DICT: return "EMPTY_DICT";       case APPENDS: return "APPENDS";
    case GET: return "GET";                     case BINGET: return "BINGET";
    case INST: return "INST";                   case LONG_BINGET: return "LONG_BINGET";
    case LIST: return "LIST";                   case EMPTY_LIST: return "EMPTY_LIST";
    case OBJ: return "OBJ";                     case PUT: return "PUT";
    case BINPUT: return "BINPUT";               case LONG_BINPUT: return "LONG_BINPUT";
    case SETITEM: return "SETITEM";             case TUPLE: return "TUPLE";
    case EMPTY_TUPLE: return "EMPTY_TUPLE";     case SETITEMS: return "SETITEMS";
    case BINFLOAT: return "BINFLOAT";           case PROTO: return "PROTO";
    case NEWOBJ: return "NEWOBJ";               case EXT1: return "EXT1";
    case EXT2: return "EXT2";                   case EXT4: return "EXT4";
    case TUPLE1: return "TUPLE1";               case TUPLE2: return "TUPLE2";
    case TUPLE3: return "TUPLE3";               case NEWTRUE: return "NEWTRUE";
    case NEWFALSE: return "NEWFALSE";           case LONG1: return "LONG1";
    case LONG4: return "LONG4";                 case BINBYTES: return "BINBYTES";
    case SHORT_BINBYTES: return "SHORT_BINBYTES";
    case SHORT_BINUNICODE: return "SHORT_BINUNICODE";
    case BINUNICODE8: return "BINUNICODE8";     case BINBYTES8: return "BINBYTES8";
    case EMPTY_SET: return "EMPTY_SET";         case ADDITEMS: return "ADDITEMS";
    case FROZENSET: return "FROZENSET";         case NEWOBJ_EX: return "NEWOBJ_EX";
    case STACK_GLOBAL: return "STACK_GLOBAL";   case MEMOIZE: return "MEMOIZE";
    case FRAME: return "FRAME";                 case BYTEARRAY8: return "BYTEARRAY8";
    case NEXT_BUFFER: return "NEXT_BUFFER";     case READONLY_BUFFER: return "READONLY_BUFFER";
    // clang-format on
    default:
      return "";
  }
}

}  // namespace fpt::tasks::pickle
