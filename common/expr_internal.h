// What the parts of the expression engine share (expr_value.cc, expr_parse.cc,
// expr_eval.cc, expr_functions.cc): the syntax tree and the XPath value helpers. Not part
// of the contract in expr.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/expr.h"

namespace re2 {
class RE2;
}

namespace amana::expr::detail {

enum class Op {
  literal, field, current, parent, column, function,
  or_, and_, eq, ne, lt, le, gt, ge, add, sub, mul, div, mod, negate,
};

enum class Function {
  not_, selected, count_selected, string_length, today, regex, if_, concat, coalesce,
  number, int_, string, true_, false_,
  boolean, once, selected_at, choice_name, substr, substring_before, substring_after, contains, starts_with, ends_with, round,
  floor, ceiling, abs, pow, max, min, sum, count, now, date, decimal_date_time, format_date,
  uuid, position, indexed_repeat, join, pi, random,
};

struct Node {
  Op op = Op::literal;
  Value literal;
  std::string name;  // field name
  Function function = Function::true_;
  std::vector<std::shared_ptr<const Node>> children;
  std::shared_ptr<const re2::RE2> compiled_pattern;  // regex() with a literal pattern
};


bool is_space(char c);
bool is_digit(char c);
bool is_name_start(char c);
bool is_name_char(char c);
// XPath's number(): optional sign, digits with an optional fraction; no exponent, no
// hex; surrounding white space allowed. Anything else is NaN.
double parse_xpath_number(std::string_view text);
std::string format_number(double d);
bool is_numeric(const Value& v);
std::size_t utf8_length(std::string_view s);
std::vector<std::string_view> split_selection(std::string_view list);
std::shared_ptr<const re2::RE2> compile_pattern(const std::string& pattern);

Value evaluate_node(const Node& node, const Context& context);
// A function call's value (node.op == Op::function).
Value call(const Node& node, const Context& context);

}  // namespace amana::expr::detail
