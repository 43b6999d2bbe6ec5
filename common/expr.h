// Form expressions: the XLSForm/ODK subset that form authors already write, used for
// relevance (skip logic), constraints, computed requiredness and defaults.
//
// Grammar (lowest precedence first):
//   expr       := or_expr
//   or_expr    := and_expr ('or' and_expr)*
//   and_expr   := equality ('and' equality)*
//   equality   := relational (('=' | '!=') relational)*
//   relational := additive (('<' | '<=' | '>' | '>=') additive)*
//   additive   := multiplicative (('+' | '-') multiplicative)*
//   multiplicative := unary (('*' | 'div' | 'mod') unary)*
//   unary      := '-' unary | primary
//   primary    := NUMBER | STRING | '${' NAME '}' | '.' | NAME '(' [expr (',' expr)*] ')'
//               | '(' expr ')'
// STRING is '...' or "..." (no escapes, as in XPath). NAME is [A-Za-z_][A-Za-z0-9_.-]*.
// '.' is the value of the field being validated (constraints).
//
// Functions: not(b), selected(list, choice), count-selected(list), string-length(s),
// today(), regex(s, pattern) (RE2 syntax, matched in linear time whatever the pattern),
// if(cond, a, b), concat(a, ...), coalesce(a, b),
// number(x), int(x), string(x), true(), false(). Unknown functions and wrong arity are
// parse errors, and so is a literal regex pattern that does not compile.
//
// Values follow XPath 1.0 coercions, with two deliberate changes so that forms behave as
// authors expect:
//  - relational operators compare as numbers when both sides are numbers or numeric
//    strings; otherwise, when both are non-empty strings, they compare as strings, so
//    ISO dates ('2026-01-31' < today()) work; anything involving '' is false;
//  - '=' between a boolean and a string compares the string with "true"/"false".
// An unanswered field is the empty string ''. Evaluation never fails: a type mismatch
// coerces (a non-numeric string is NaN as a number) as XPath does.
//
// Thread safety: an Expression is immutable after parse() and may be evaluated from
// several threads at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace amana::expr {

class Value {
 public:
  Value() : v_(std::string()) {}
  Value(std::string s) : v_(std::move(s)) {}  // NOLINT
  Value(const char* s) : v_(std::string(s)) {}  // NOLINT
  Value(double d) : v_(d) {}  // NOLINT
  Value(bool b) : v_(b) {}  // NOLINT

  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_number() const { return std::holds_alternative<double>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }

  // XPath conversions: string -> number parses a decimal (NaN otherwise); number -> bool
  // is non-zero and not NaN; string -> bool is non-empty; bool -> string is
  // "true"/"false"; integral numbers print without a decimal point.
  std::string to_string() const;
  double to_number() const;
  bool to_bool() const;

  friend bool operator==(const Value&, const Value&) = default;  // exact, for tests

 private:
  std::variant<std::string, double, bool> v_;
};

struct Context {
  // The current value of ${name}; nullopt or "" when unanswered. Integer and decimal
  // answers come as numbers, booleans as bools, everything else as strings
  // (select_multiple as its space-separated choice names).
  std::function<std::optional<Value>(std::string_view name)> lookup;
  // The value of '.', the field being validated.
  Value current;
  // today() as YYYY-MM-DD; injected so that tests and clock-skewed devices are reproducible.
  std::string today;
};

namespace detail {
struct Node;
}

class Expression {
 public:
  // Parses `source`. On failure the Status is invalid_argument with a message like
  // "unexpected ')' at position 14 in \"${age} >= )\"" (positions are 1-based bytes).
  static Result<Expression> parse(std::string_view source);

  Value evaluate(const Context& context) const;

  // The field names referenced as ${name}, in order of first appearance, without
  // duplicates: the form loader checks that each names a field of the form.
  const std::vector<std::string>& references() const { return references_; }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::shared_ptr<const detail::Node> root_;
  std::vector<std::string> references_;
};

}  // namespace amana::expr
