#include "fpt/tasks/listops_expression.h"

#include <algorithm>
#include <limits>

namespace fpt::tasks {

namespace {

// The value of `op` over its argument values; sorts `values` for MED.
int apply_operator(ListOpsOperator op, std::vector<int>& values) {
  switch (op) {
    case ListOpsOperator::max:
      return *std::max_element(values.begin(), values.end());
    case ListOpsOperator::min:
      return *std::min_element(values.begin(), values.end());
    case ListOpsOperator::median: {
      std::sort(values.begin(), values.end());
      const size_t n = values.size();
      // int(np.median): the middle value, or the floored mean of the two middle values
      if (n % 2 == 1) return values[n / 2];
      return (values[n / 2 - 1] + values[n / 2]) / 2;
    }
    case ListOpsOperator::sum_modulo: {
      int sum = 0;
      for (int value : values) sum += value;
      return sum % 10;
    }
  }
  fail("unknown ListOps operator {}", static_cast<int>(op));
}

void append_lra_string(const ListOpsExpression& expression, std::string& out) {
  if (!expression.is_operator) {
    out.push_back(static_cast<char>('0' + expression.digit));
    return;
  }
  // ((((op, a0), a1), ...), ']') printed pair by pair: n + 1 pairs, each "( left right )"
  const size_t count = expression.arguments.size();
  for (size_t i = 0; i <= count; ++i) out += "( ";
  out += '[';
  out += listops_operator_name(expression.op);
  for (const ListOpsExpression& argument : expression.arguments) {
    out += ' ';
    append_lra_string(argument, out);
    out += " )";
  }
  out += " ] )";
}

// Longest length an expression can have at `depth` (saturating, so huge trees do not overflow).
int64_t longest_possible_length(const ListOpsGeneratorOptions& options, int64_t depth) {
  if (depth >= options.max_depth) return 1;
  const int64_t below = longest_possible_length(options, depth + 1);
  const int64_t cap   = std::numeric_limits<int64_t>::max() / 4;
  if (below > (cap - 2) / options.max_args) return cap;
  return 2 + options.max_args * below;
}

}  // namespace

const char* listops_operator_name(ListOpsOperator op) {
  switch (op) {
    case ListOpsOperator::max:
      return "MAX";
    case ListOpsOperator::min:
      return "MIN";
    case ListOpsOperator::median:
      return "MED";
    case ListOpsOperator::sum_modulo:
      return "SM";
  }
  return "?";
}

ListOpsExpression ListOpsExpression::leaf(int digit) {
  if (digit < 0 || digit > 9) fail("ListOps digit {} is outside 0..9", digit);
  ListOpsExpression expression;
  expression.digit = digit;
  return expression;
}

ListOpsExpression ListOpsExpression::apply(ListOpsOperator                op,
                                           std::vector<ListOpsExpression> arguments) {
  if (arguments.empty())
    fail("ListOps operator {} needs at least one argument", listops_operator_name(op));
  ListOpsExpression expression;
  expression.is_operator = true;
  expression.op          = op;
  expression.arguments   = std::move(arguments);
  return expression;
}

bool operator==(const ListOpsExpression& a, const ListOpsExpression& b) {
  if (a.is_operator != b.is_operator) return false;
  if (!a.is_operator) return a.digit == b.digit;
  return a.op == b.op && a.arguments == b.arguments;
}

int64_t lra_length(const ListOpsExpression& expression) {
  if (!expression.is_operator) return 1;
  int64_t length = 2;
  for (const ListOpsExpression& argument : expression.arguments) length += lra_length(argument);
  return length;
}

int64_t expression_depth(const ListOpsExpression& expression) {
  int64_t deepest = 0;
  for (const ListOpsExpression& argument : expression.arguments)
    deepest = std::max(deepest, expression_depth(argument));
  return 1 + deepest;
}

void count_operators(const ListOpsExpression& expression, std::vector<int64_t>& counts) {
  if (!expression.is_operator) return;
  if (counts.size() < static_cast<size_t>(kListOpsOperatorCount))
    counts.resize(kListOpsOperatorCount, 0);
  counts[static_cast<size_t>(expression.op)] += 1;
  for (const ListOpsExpression& argument : expression.arguments) count_operators(argument, counts);
}

int evaluate(const ListOpsExpression& expression) {
  if (!expression.is_operator) return expression.digit;
  if (expression.arguments.empty())
    fail("ListOps operator {} has no arguments", listops_operator_name(expression.op));
  std::vector<int> values;
  values.reserve(expression.arguments.size());
  for (const ListOpsExpression& argument : expression.arguments)
    values.push_back(evaluate(argument));
  return apply_operator(expression.op, values);
}

std::string to_lra_string(const ListOpsExpression& expression) {
  std::string out;
  out.reserve(static_cast<size_t>(lra_length(expression)) * 6);
  append_lra_string(expression, out);
  return out;
}

ListOpsExpression parse_lra_string(std::string_view text, const std::string& context) {
  std::vector<ListOpsExpression> open;     // operators whose ']' is still to come
  std::vector<int64_t>           columns;  // where each of them opened
  ListOpsExpression              result;
  bool                           have_result = false;
  auto                           place       = [&](ListOpsExpression node, int64_t column) {
    if (!open.empty()) {
      open.back().arguments.push_back(std::move(node));
      return;
    }
    if (have_result)
      fail("{}: column {}: text holds more than one top-level expression", context, column);
    result      = std::move(node);
    have_result = true;
  };
  scan_lra_tokens(text, context, [&](const LraToken& token) {
    switch (token.kind) {
      case LraTokenKind::digit:
        place(ListOpsExpression::leaf(token.value), token.column);
        break;
      case LraTokenKind::open: {
        if (open.empty() && have_result)
          fail("{}: column {}: text holds more than one top-level expression", context,
               token.column);
        ListOpsExpression node;
        node.is_operator = true;
        node.op          = static_cast<ListOpsOperator>(token.value);
        open.push_back(std::move(node));
        columns.push_back(token.column);
        break;
      }
      case LraTokenKind::close: {
        if (open.empty())
          fail("{}: column {}: ']' closes no operator (unbalanced brackets)", context,
               token.column);
        ListOpsExpression node = std::move(open.back());
        open.pop_back();
        columns.pop_back();
        if (node.arguments.empty())
          fail("{}: column {}: operator {} has no arguments", context, token.column,
               listops_operator_name(node.op));
        place(std::move(node), token.column);
        break;
      }
    }
  });
  if (!open.empty())
    fail("{}: column {}: [{} is never closed by ']' (unbalanced brackets)", context, columns.back(),
         listops_operator_name(open.back().op));
  if (!have_result) fail("{}: empty ListOps expression", context);
  return result;
}

int evaluate_lra_string(std::string_view text, const std::string& context) {
  struct Frame {
    ListOpsOperator  op     = ListOpsOperator::max;
    int64_t          column = 0;
    std::vector<int> values;
  };
  std::vector<Frame> frames;  // frames[0..open) are the unclosed operators; vectors are reused
  size_t             open        = 0;
  int                result      = 0;
  bool               have_result = false;
  auto               place       = [&](int value, int64_t column) {
    if (open > 0) {
      frames[open - 1].values.push_back(value);
      return;
    }
    if (have_result)
      fail("{}: column {}: text holds more than one top-level expression", context, column);
    result      = value;
    have_result = true;
  };
  scan_lra_tokens(text, context, [&](const LraToken& token) {
    switch (token.kind) {
      case LraTokenKind::digit:
        place(token.value, token.column);
        break;
      case LraTokenKind::open:
        if (open == 0 && have_result)
          fail("{}: column {}: text holds more than one top-level expression", context,
               token.column);
        if (open == frames.size()) frames.emplace_back();
        frames[open].op     = static_cast<ListOpsOperator>(token.value);
        frames[open].column = token.column;
        frames[open].values.clear();
        ++open;
        break;
      case LraTokenKind::close: {
        if (open == 0)
          fail("{}: column {}: ']' closes no operator (unbalanced brackets)", context,
               token.column);
        Frame& frame = frames[--open];
        if (frame.values.empty())
          fail("{}: column {}: operator {} has no arguments", context, token.column,
               listops_operator_name(frame.op));
        place(apply_operator(frame.op, frame.values), token.column);
        break;
      }
    }
  });
  if (open > 0)
    fail("{}: column {}: [{} is never closed by ']' (unbalanced brackets)", context,
         frames[open - 1].column, listops_operator_name(frames[open - 1].op));
  if (!have_result) fail("{}: empty ListOps expression", context);
  return result;
}

void validate_listops_generator_options(const ListOpsGeneratorOptions& options) {
  if (options.max_depth < 2)
    fail("listops_max_depth {} is too small: the root must be an operator, so it must be >= 2",
         options.max_depth);
  if (options.max_args < 2)
    fail(
        "listops_max_args {} is too small: operators take 2..max_args arguments, so it must be "
        ">= 2",
        options.max_args);
  if (!(options.digit_probability >= 0.0 && options.digit_probability < 1.0))
    fail("ListOps digit probability {} must be in [0, 1) (LRA: 0.75)", options.digit_probability);
  if (options.min_length < 0) fail("listops_min_length {} must be >= 0", options.min_length);
  if (options.max_length < options.min_length + 2)
    fail(
        "listops_max_length {} leaves no length strictly between listops_min_length {} and it; "
        "make it at least min_length + 2",
        options.max_length, options.min_length);
  const int64_t shortest = 4;  // [OP d d]
  const int64_t longest  = longest_possible_length(options, 1);
  if (options.max_length <= shortest)
    fail("listops_max_length {} is too small: the shortest expression ([OP d d]) has length {}",
         options.max_length, shortest);
  if (longest <= options.min_length)
    fail(
        "listops_min_length {} cannot be exceeded: with listops_max_depth {} and "
        "listops_max_args {} the longest expression has length {}; lower min_length or raise "
        "max_depth / max_args",
        options.min_length, options.max_depth, options.max_args, longest);
}

ListOpsGenerator::ListOpsGenerator(ListOpsGeneratorOptions options, uint64_t seed)
    : options_(options), engine_(seed) {
  validate_listops_generator_options(options_);
}

double ListOpsGenerator::uniform_unit() {
  return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0);  // 2^-53
}

int64_t ListOpsGenerator::uniform_between(int64_t low, int64_t high) {
  const uint64_t range = static_cast<uint64_t>(high - low) + 1;
  // reject the top partial block so every value is equally likely
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % range;
  uint64_t draw = engine_();
  while (draw >= limit) draw = engine_();
  return low + static_cast<int64_t>(draw % range);
}

bool ListOpsGenerator::grow(ListOpsExpression& node, int64_t depth, int64_t& length) {
  const double operator_probability = 1.0 - options_.digit_probability;
  const bool   is_operator = depth < options_.max_depth && uniform_unit() < operator_probability;
  if (!is_operator) {
    node.is_operator = false;
    node.digit       = static_cast<int>(uniform_between(0, 9));
    length += 1;
    return length < options_.max_length;
  }
  node.is_operator = true;
  length += 2;
  if (length >= options_.max_length) return false;
  const int64_t count = uniform_between(2, options_.max_args);
  node.arguments.resize(static_cast<size_t>(count));
  for (ListOpsExpression& argument : node.arguments)
    if (!grow(argument, depth + 1, length)) return false;
  node.op = static_cast<ListOpsOperator>(uniform_between(0, kListOpsOperatorCount - 1));
  return true;
}

ListOpsExpression ListOpsGenerator::next() {
  constexpr int64_t kMaxRejections = 1000000;
  for (int64_t attempt = 0; attempt < kMaxRejections; ++attempt) {
    ListOpsExpression root;
    int64_t           length = 0;
    if (grow(root, 1, length) && root.is_operator && length > options_.min_length) return root;
  }
  fail(
      "ListOps generator rejected {} draws in a row: lengths in ({}, {}) are too rare with "
      "max_depth {} and max_args {}; widen the length bounds",
      kMaxRejections, options_.min_length, options_.max_length, options_.max_depth,
      options_.max_args);
}

}  // namespace fpt::tasks
