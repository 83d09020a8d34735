// ListOps expressions: the evaluator on hand-written trees, LRA's text form (checked against lines
// LRA's own generator wrote), the parser and its errors, and the generator's statistics, bounds,
// determinism and speed.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "../error_message.h"
#include "fpt/core/error.h"
#include "fpt/tasks/listops_expression.h"

namespace {

using fpt::test::error_of;

using fpt::tasks::ListOpsExpression;
using fpt::tasks::ListOpsOperator;

ListOpsExpression d(int digit) {
  return ListOpsExpression::leaf(digit);
}
ListOpsExpression op(ListOpsOperator o, std::vector<ListOpsExpression> arguments) {
  return ListOpsExpression::apply(o, std::move(arguments));
}
constexpr ListOpsOperator MAX = ListOpsOperator::max;
constexpr ListOpsOperator MIN = ListOpsOperator::min;
constexpr ListOpsOperator MED = ListOpsOperator::median;
constexpr ListOpsOperator SM  = ListOpsOperator::sum_modulo;

TEST(ListOpsEvaluate, MaxMinOfDigits) {
  EXPECT_EQ(evaluate(op(MAX, {d(2), d(9), d(4)})), 9);
  EXPECT_EQ(evaluate(op(MIN, {d(2), d(9), d(4)})), 2);
  EXPECT_EQ(evaluate(op(MIN, {d(7), d(7)})), 7);
}

TEST(ListOpsEvaluate, MedianOddAndEvenCounts) {
  EXPECT_EQ(evaluate(op(MED, {d(9), d(1), d(5)})), 5);
  // even count: the mean of the two middle values, floored (int(np.median))
  EXPECT_EQ(evaluate(op(MED, {d(4), d(1), d(3), d(2)})), 2);  // (2 + 3) / 2 = 2.5 -> 2
  EXPECT_EQ(evaluate(op(MED, {d(3), d(4)})), 3);              // 3.5 -> 3
  EXPECT_EQ(evaluate(op(MED, {d(0), d(9)})), 4);              // 4.5 -> 4
  EXPECT_EQ(evaluate(op(MED, {d(6), d(2), d(6), d(0)})), 4);  // (2 + 6) / 2 = 4
}

TEST(ListOpsEvaluate, SumModuloWrapsAround) {
  EXPECT_EQ(evaluate(op(SM, {d(9), d(8), d(7)})), 4);  // 24 mod 10
  EXPECT_EQ(evaluate(op(SM, {d(5), d(5)})), 0);
  EXPECT_EQ(evaluate(op(SM, {d(1), d(2)})), 3);
}

TEST(ListOpsEvaluate, Nesting) {
  // [MAX 2 [MIN 7 3] 1] = 3
  EXPECT_EQ(evaluate(op(MAX, {d(2), op(MIN, {d(7), d(3)}), d(1)})), 3);
  // [SM [MIN 4 0] 7 [MED 1 5 8] 3] = (0 + 7 + 5 + 3) mod 10 = 5
  const ListOpsExpression e =
      op(SM, {op(MIN, {d(4), d(0)}), d(7), op(MED, {d(1), d(5), d(8)}), d(3)});
  EXPECT_EQ(evaluate(e), 5);
  EXPECT_EQ(lra_length(e), 2 + 4 + 1 + 5 + 1);
  EXPECT_EQ(expression_depth(e), 3);
}

TEST(ListOpsText, RendersLikeLraToString) {
  EXPECT_EQ(to_lra_string(op(MAX, {d(2), d(9)})), "( ( ( [MAX 2 ) 9 ) ] )");
  const ListOpsExpression e =
      op(SM, {op(MIN, {d(4), d(0)}), d(7), op(MED, {d(1), d(5), d(8)}), d(3)});
  EXPECT_EQ(to_lra_string(e),
            "( ( ( ( ( [SM ( ( ( [MIN 4 ) 0 ) ] ) ) 7 ) ( ( ( ( [MED 1 ) 5 ) 8 ) ] ) ) 3 ) ] )");
}

// Lines written by LRA's own generate_tree / to_string / to_value (lra_benchmarks/data/listops.py,
// run with random.seed(7), max_depth 4, max_args 4), with their value and LRA length.
struct LraLine {
  const char* text;
  int         value;
  int64_t     length;
};
const std::vector<LraLine>& lra_lines() {
  static const std::vector<LraLine> lines = {
      {"( ( ( ( ( [MIN ( ( ( ( ( [MIN ( ( ( ( ( [SM 3 ) 0 ) 1 ) 6 ) ] ) ) ( ( ( [MIN 8 ) 6 ) ] ) ) "
       "1 ) 9 ) ] ) ) 6 ) ( ( ( [MED ( ( ( [MAX 4 ) 6 ) ] ) ) 9 ) ] ) ) 2 ) ] )",
       0, 25},
      {"( ( ( ( ( [SM ( ( ( ( ( [MIN 5 ) 5 ) 9 ) 1 ) ] ) ) 7 ) 1 ) ( ( ( ( ( [MIN 9 ) 7 ) 6 ) 5 ) "
       "] "
       ") ) ] )",
       4, 16},
      {"( ( ( [SM ( ( ( ( [MED ( ( ( [SM 6 ) 6 ) ] ) ) ( ( ( ( [MAX 6 ) 8 ) 4 ) ] ) ) 8 ) ] ) ) 5 "
       ") "
       "] )",
       3, 15},
      {"( ( ( [MIN ( ( ( [MED ( ( ( ( ( [MAX 2 ) 4 ) 4 ) 0 ) ] ) ) 5 ) ] ) ) 8 ) ] )", 4, 12},
      {"( ( ( ( ( [SM ( ( ( [SM 1 ) 2 ) ] ) ) 3 ) 3 ) ( ( ( [MED 3 ) 5 ) ] ) ) ] )", 3, 12},
      {"( ( ( ( [MAX ( ( ( [MED 8 ) ( ( ( [MAX 7 ) 5 ) ] ) ) ] ) ) 8 ) 8 ) ] )", 8, 11},
  };
  return lines;
}

TEST(ListOpsText, ParsesLraLinesAndRendersThemBackExactly) {
  for (const LraLine& line : lra_lines()) {
    const ListOpsExpression e = fpt::tasks::parse_lra_string(line.text, "fixture");
    EXPECT_EQ(to_lra_string(e), line.text);
    EXPECT_EQ(evaluate(e), line.value) << line.text;
    EXPECT_EQ(fpt::tasks::evaluate_lra_string(line.text, "fixture"), line.value);
    EXPECT_EQ(lra_length(e), line.length) << line.text;
  }
}

TEST(ListOpsText, ParserIgnoresParenthesesAndSpacing) {
  const ListOpsExpression e = fpt::tasks::parse_lra_string("[MAX 2 [MIN 7 3] 1 ]", "x");
  EXPECT_EQ(e, op(MAX, {d(2), op(MIN, {d(7), d(3)}), d(1)}));
  EXPECT_EQ(fpt::tasks::parse_lra_string("  7 ", "x"), d(7));
}

TEST(ListOpsText, ParserErrorsNameContextAndColumn) {
  using fpt::tasks::parse_lra_string;
  auto message = error_of([] { parse_lra_string("( ( [MAX 2 ) 3 )", "f.tsv:4"); });
  EXPECT_NE(message.find("f.tsv:4: column 5"), std::string::npos) << message;
  EXPECT_NE(message.find("never closed"), std::string::npos) << message;
  message = error_of([] { parse_lra_string("[MAX 2 3 ] ]", "f.tsv:5"); });
  EXPECT_NE(message.find("column 12"), std::string::npos) << message;
  EXPECT_NE(message.find("closes no operator"), std::string::npos) << message;
  message = error_of([] { parse_lra_string("[FOO 2 3 ]", "c"); });
  EXPECT_NE(message.find("unknown operator '[FOO"), std::string::npos) << message;
  message = error_of([] { parse_lra_string("[MAX 12 3 ]", "c"); });
  EXPECT_NE(message.find("unknown token '12'"), std::string::npos) << message;
  message = error_of([] { parse_lra_string("[MAX 1 x ]", "c"); });
  EXPECT_NE(message.find("unknown token 'x'"), std::string::npos) << message;
  message = error_of([] { parse_lra_string("( [SM ] )", "c"); });
  EXPECT_NE(message.find("no arguments"), std::string::npos) << message;
  message = error_of([] { parse_lra_string("[MAX 1 2 ] 3", "c"); });
  EXPECT_NE(message.find("more than one"), std::string::npos) << message;
  message = error_of([] { parse_lra_string(" ( ) ", "c"); });
  EXPECT_NE(message.find("empty"), std::string::npos) << message;
  // the tree-free evaluator rejects the same texts
  EXPECT_THROW(fpt::tasks::evaluate_lra_string("( ( [MAX 2 ) 3 )", "c"), fpt::Error);
  EXPECT_THROW(fpt::tasks::evaluate_lra_string("[MAX 2 3 ] ]", "c"), fpt::Error);
  EXPECT_THROW(fpt::tasks::evaluate_lra_string("[MAX 1 2 ] 3", "c"), fpt::Error);
}

fpt::tasks::ListOpsGeneratorOptions small_options() {
  fpt::tasks::ListOpsGeneratorOptions options;
  options.max_depth  = 6;
  options.min_length = 20;
  options.max_length = 200;
  options.max_args   = 5;
  return options;
}

void count_argument_counts(const ListOpsExpression& e, std::vector<int64_t>& counts) {
  if (!e.is_operator) return;
  if (counts.size() <= e.arguments.size()) counts.resize(e.arguments.size() + 1, 0);
  counts[e.arguments.size()] += 1;
  for (const ListOpsExpression& argument : e.arguments) count_argument_counts(argument, counts);
}

TEST(ListOpsGenerator, KeepsLengthDepthAndArgumentBounds) {
  const auto                   options = small_options();
  fpt::tasks::ListOpsGenerator generator(options, 42);
  std::vector<int64_t>         operators(4, 0), argument_counts, values(10, 0);
  for (int i = 0; i < 1000; ++i) {
    const ListOpsExpression e = generator.next();
    ASSERT_TRUE(e.is_operator);
    const int64_t length = lra_length(e);
    EXPECT_GT(length, options.min_length);
    EXPECT_LT(length, options.max_length);
    EXPECT_LE(expression_depth(e), options.max_depth);
    fpt::tasks::count_operators(e, operators);
    count_argument_counts(e, argument_counts);
    // the text round-trips and its value agrees with the tree's
    const std::string       text   = to_lra_string(e);
    const ListOpsExpression parsed = fpt::tasks::parse_lra_string(text, "generated");
    ASSERT_EQ(parsed, e);
    EXPECT_EQ(evaluate(parsed), evaluate(e));
    EXPECT_EQ(fpt::tasks::evaluate_lra_string(text, "generated"), evaluate(e));
    values[static_cast<size_t>(evaluate(e))] += 1;
  }
  // operators uniform over MAX MIN MED SM
  int64_t total = 0;
  for (int64_t count : operators) total += count;
  ASSERT_GT(total, 4000);
  for (int64_t count : operators) {
    EXPECT_GT(count, total * 0.22);
    EXPECT_LT(count, total * 0.28);
  }
  // argument counts uniform over 2..max_args and never outside
  ASSERT_EQ(argument_counts.size(), static_cast<size_t>(options.max_args + 1));
  EXPECT_EQ(argument_counts[0], 0);
  EXPECT_EQ(argument_counts[1], 0);
  for (int64_t k = 2; k <= options.max_args; ++k) {
    EXPECT_GT(argument_counts[k], total / 4 * 0.8) << k;
    EXPECT_LT(argument_counts[k], total / 4 * 1.2) << k;
  }
  // every label occurs
  for (int v = 0; v < 10; ++v) EXPECT_GT(values[v], 0) << v;
}

TEST(ListOpsGenerator, SameSeedSameStreamOtherSeedOtherStream) {
  const auto                   options = small_options();
  fpt::tasks::ListOpsGenerator a(options, 5), b(options, 5), c(options, 6);
  bool                         any_difference = false;
  for (int i = 0; i < 50; ++i) {
    const std::string text_a = to_lra_string(a.next());
    EXPECT_EQ(text_a, to_lra_string(b.next()));
    any_difference = any_difference || text_a != to_lra_string(c.next());
  }
  EXPECT_TRUE(any_difference);
}

TEST(ListOpsGenerator, DigitProbabilityZeroFillsEveryLevel) {
  // with digits only at max depth, every root-to-leaf path has exactly max_depth nodes
  fpt::tasks::ListOpsGeneratorOptions options;
  options.max_depth         = 3;
  options.max_args          = 2;
  options.min_length        = 0;
  options.max_length        = 100;
  options.digit_probability = 0.0;
  fpt::tasks::ListOpsGenerator generator(options, 1);
  const ListOpsExpression      e = generator.next();
  EXPECT_EQ(expression_depth(e), 3);
  EXPECT_EQ(lra_length(e), 2 + 2 * (2 + 2 * 1));  // a full binary tree of depth 3
}

TEST(ListOpsGenerator, GeneratesAThousandExamplesWellUnderASecond) {
  const auto                   start = std::chrono::steady_clock::now();
  fpt::tasks::ListOpsGenerator generator(small_options(), 3);
  int64_t                      total_length = 0;
  for (int i = 0; i < 1000; ++i) total_length += to_lra_string(generator.next()).size();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(total_length, 0);
  EXPECT_LT(seconds, 0.5);
}

TEST(ListOpsGenerator, RejectsImpossibleOptionsNamingTheKey) {
  fpt::tasks::ListOpsGeneratorOptions options;
  options.max_depth = 2;  // the longest expression is [OP d x 10] = 12 < 500
  auto message      = error_of([&] { fpt::tasks::ListOpsGenerator(options, 0); });
  EXPECT_NE(message.find("listops_min_length 500 cannot be exceeded"), std::string::npos)
      << message;
  options          = {};
  options.max_args = 1;
  message          = error_of([&] { fpt::tasks::ListOpsGenerator(options, 0); });
  EXPECT_NE(message.find("listops_max_args"), std::string::npos) << message;
  options            = {};
  options.min_length = 100;
  options.max_length = 101;
  message            = error_of([&] { fpt::tasks::ListOpsGenerator(options, 0); });
  EXPECT_NE(message.find("listops_max_length"), std::string::npos) << message;
  options           = {};
  options.max_depth = 1;
  message           = error_of([&] { fpt::tasks::ListOpsGenerator(options, 0); });
  EXPECT_NE(message.find("listops_max_depth"), std::string::npos) << message;
}

}  // namespace
