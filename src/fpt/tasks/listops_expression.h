// ListOps expressions: the tree type, its value, LRA's text form (writer and parser) and the
// generator with the Long Range Arena grammar (lra_benchmarks/data/listops.py).
//
// Grammar: a node is a digit 0-9, or an operator MAX, MIN, MED (median), SM (sum mod 10) applied
// to 2..max_args nodes. LRA writes an operator with arguments a0..an-1 as nested pairs
// ((((op, a0), a1), ...), ']') and prints every pair in parentheses, so [MAX 2 9] becomes
//   ( ( ( [MAX 2 ) 9 ) ] )
// The parentheses carry no meaning; the parser skips them.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fpt/core/error.h"

namespace fpt::tasks {

enum class ListOpsOperator : int8_t { max = 0, min = 1, median = 2, sum_modulo = 3 };
constexpr int kListOpsOperatorCount = 4;

// "MAX", "MIN", "MED", "SM": the name LRA writes after '['.
const char* listops_operator_name(ListOpsOperator op);

struct ListOpsExpression {
  bool                           is_operator = false;  // false: a digit leaf
  int                            digit       = 0;      // the leaf's value 0..9 (leaves only)
  ListOpsOperator                op          = ListOpsOperator::max;  // operators only
  std::vector<ListOpsExpression> arguments;                           // operators only, in order

  static ListOpsExpression leaf(int digit);
  static ListOpsExpression apply(ListOpsOperator op, std::vector<ListOpsExpression> arguments);
};

bool        operator==(const ListOpsExpression& a, const ListOpsExpression& b);
inline bool operator!=(const ListOpsExpression& a, const ListOpsExpression& b) {
  return !(a == b);
}

// LRA's length: 1 per digit plus 2 per operator (its '[OP' and ']').
int64_t lra_length(const ListOpsExpression& expression);
// Nodes on the longest root-to-leaf path (a digit alone has depth 1).
int64_t expression_depth(const ListOpsExpression& expression);
// Operators in the tree, counted by ListOpsOperator index (for statistics).
void count_operators(const ListOpsExpression& expression, std::vector<int64_t>& counts);

// The value 0..9: MAX, MIN, MED = int(np.median) (even count: mean of the two middle values,
// floored), SM = sum mod 10.
int evaluate(const ListOpsExpression& expression);

// The text LRA's to_string writes (see the header comment).
std::string to_lra_string(const ListOpsExpression& expression);

// ----- the LRA text scanner shared by the parser, the evaluator and the tokenisers -------------

enum class LraTokenKind : int8_t { digit, open, close };

struct LraToken {
  LraTokenKind kind   = LraTokenKind::digit;
  int          value  = 0;  // the digit, or the ListOpsOperator index of an open
  int64_t      column = 0;  // 1-based character position in the text, for error messages
};

// Calls visit(token) for each token of LRA text in order: a digit, '[OP' (open) or ']' (close).
// Whitespace and parentheses separate tokens and are skipped. Anything else (an unknown operator,
// a multi-character number, a stray character) fails with `context` and the column. The scan does
// not check that brackets balance; parse_lra_string and evaluate_lra_string do.
template <typename Visit>
void scan_lra_tokens(std::string_view text, const std::string& context, Visit&& visit);

// The tree of LRA text; fails (naming `context` and the column) on unbalanced brackets, an
// operator without arguments, unknown tokens, empty text or more than one top-level expression.
ListOpsExpression parse_lra_string(std::string_view text, const std::string& context);
// evaluate(parse_lra_string(text)) without building the tree (fast enough for 96k LRA lines).
int evaluate_lra_string(std::string_view text, const std::string& context);

// ----- generator
// ----------------------------------------------------------------------------------

struct ListOpsGeneratorOptions {
  int64_t max_depth         = 10;   // nodes at this depth are digits (LRA: root is depth 1)
  int64_t min_length        = 500;  // kept when min_length < lra_length < max_length
  int64_t max_length        = 2000;
  int64_t max_args          = 10;    // arguments per operator, uniform in 2..max_args
  double  digit_probability = 0.75;  // LRA's VALUE_P = 0.25 is the operator probability
};

// Fails, naming the offending option, when the options are invalid or no expression can satisfy
// them (e.g. max_depth too small to ever reach min_length).
void validate_listops_generator_options(const ListOpsGeneratorOptions& options);

// Draws expressions as LRA does: a node at depth < max_depth is an operator with probability
// 1 - digit_probability, else a digit; an operator draws its argument count uniformly from
// 2..max_args, then its arguments, then the operator uniformly. A draw is kept when its length is
// strictly between min_length and max_length and its root is an operator (LRA's length rule
// already rejects a lone digit for any min_length >= 1). Same options and seed -> same stream on
// every platform (std::mt19937_64 with fpt's own uniform draws, not the implementation-defined
// std::*_distribution).
class ListOpsGenerator {
 public:
  ListOpsGenerator(ListOpsGeneratorOptions options, uint64_t seed);

  // The next kept expression. Fails if one million draws in a row are rejected.
  ListOpsExpression next();

  const ListOpsGeneratorOptions& options() const { return options_; }

 private:
  // Fills `node` at `depth`; adds to `length`; returns false as soon as length >= max_length
  // (the draw is rejected anyway, so growing it further would only waste time).
  bool    grow(ListOpsExpression& node, int64_t depth, int64_t& length);
  double  uniform_unit();                              // [0, 1) with 53 random bits
  int64_t uniform_between(int64_t low, int64_t high);  // inclusive, unbiased

  ListOpsGeneratorOptions options_;
  std::mt19937_64         engine_;
};

// ----- implementation of the scanner template --------------------------------------------------

template <typename Visit>
void scan_lra_tokens(std::string_view text, const std::string& context, Visit&& visit) {
  const int64_t size         = static_cast<int64_t>(text.size());
  int64_t       at           = 0;
  auto          is_separator = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == ')';
  };
  while (at < size) {
    const char c = text[at];
    if (is_separator(c)) {
      ++at;
      continue;
    }
    const int64_t start = at;
    if (c == ']') {
      visit(LraToken{LraTokenKind::close, 0, start + 1});
      ++at;
      continue;
    }
    if (c == '[') {
      int64_t end = at + 1;
      while (end < size && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
      const std::string_view name = text.substr(at + 1, end - at - 1);
      int                    op   = -1;
      if (name == "MAX") op = static_cast<int>(ListOpsOperator::max);
      if (name == "MIN") op = static_cast<int>(ListOpsOperator::min);
      if (name == "MED") op = static_cast<int>(ListOpsOperator::median);
      if (name == "SM") op = static_cast<int>(ListOpsOperator::sum_modulo);
      if (op < 0 || (end < size && !is_separator(text[end]) && text[end] != ']'))
        fail("{}: column {}: unknown operator '{}' (expected [MAX, [MIN, [MED or [SM)", context,
             start + 1, text.substr(at, std::min<int64_t>(end - at + 1, 16)));
      visit(LraToken{LraTokenKind::open, op, start + 1});
      at = end;
      continue;
    }
    if (c >= '0' && c <= '9' &&
        (at + 1 == size || is_separator(text[at + 1]) || text[at + 1] == ']')) {
      visit(LraToken{LraTokenKind::digit, c - '0', start + 1});
      ++at;
      continue;
    }
    int64_t end = at;
    while (end < size && !is_separator(text[end])) ++end;
    fail(
        "{}: column {}: unknown token '{}' (ListOps text holds only digits 0-9, [MAX, [MIN, "
        "[MED, [SM, ']' and parentheses)",
        context, start + 1, text.substr(at, std::min<int64_t>(end - at, 16)));
  }
}

}  // namespace fpt::tasks
