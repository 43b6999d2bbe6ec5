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
//   primary    := NUMBER | STRING | '${' NAME '}' | '.' | '..' | NAME '(' [expr (',' expr)*] ')'
//               | '(' expr ')' | NAME (in a choice filter only: a column of the choice)
// STRING is '...' or "..." (no escapes, as in XPath). NAME is [A-Za-z_][A-Za-z0-9_.:-]*.
// '.' is the value of the field being validated (constraints), or a calculation's own
// previous value (once()). '..' is only meaningful as position(..).
//
// Functions (docs/forms.md "Expressions" says what each returns):
//   logic     not, if, true, false, boolean, coalesce, once
//   choices   selected, count-selected, selected-at, jr:choice-name
//   text      concat, string, string-length, substr, substring-before, substring-after,
//             contains, starts-with, ends-with,
//             regex (RE2 syntax, matched in linear time whatever the pattern)
//   numbers   number, int, round, floor, ceiling, abs, pow, max, min, sum, count
//   dates     today, now, date, decimal-date-time, format-date
//   other     uuid, position
//   repeats   indexed-repeat(${field}, ${repeat}, n[, ${inner}, m])
// Unknown functions and wrong arity are parse errors, and so is a literal regex pattern
// that does not compile, and an indexed-repeat() whose field and repeats are not ${...}.
// Without repeats (no Context::nodes), a ${field} is one node: count(${x}) is 1,
// sum(${x}) is number(${x}), position(..) is 1. With repeats, count(), sum(), max() and
// min() of a single ${name} are over every node it stands for (Context::nodes), as XPath's
// node-sets are: an empty node-set sums to 0, and its max() and min() are NaN.
//
// Values follow XPath 1.0 coercions, with deliberate changes so that forms behave as
// authors expect (and as ODK's JavaRosa does):
//  - a date 'YYYY-MM-DD' (or datetime) read as a number is the days since 1970-01-01, so
//    (today() - ${dob}) div 365.25 is an age;
//  - relational operators compare as numbers when both sides are numbers or numeric
//    strings (dates included); otherwise, when both are non-empty strings, they compare
//    as strings; anything involving '' is false;
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
  // today() as YYYY-MM-DD and now() as YYYY-MM-DDTHH:MM:SS+HH:MM; injected so that tests
  // and clock-skewed devices are reproducible. An empty now() is today at midnight.
  std::string today;
  std::string now;
  // In a choice filter: the value of a bare NAME, a column of the choice being filtered
  // ("name", "label" or an extra column such as "state"); nullopt when it has none.
  std::function<std::optional<Value>(std::string_view column)> column;
  // jr:choice-name(value, '${field}'): the label of choice `value` of `field`, in the
  // collector's language; "" when unknown.
  std::function<std::string(std::string_view field, std::string_view value)> choice_label;
  // Repeats (common/answers.h applies docs/forms.md's context rules): every value ${name}
  // stands for when it is more than one node: a field of a repeat whose instance the
  // expression is not in gives one value per instance, a repeat's name one per instance.
  // Absent: ${name} is one node, its lookup.
  std::function<std::vector<Value>(std::string_view name)> nodes;
  // indexed-repeat(${field}, ${repeat}, n, ...): the value of `field` in the n-th instance
  // (1-based) of each repeat of `path` in turn, outermost first; nullopt when there is none.
  std::function<std::optional<Value>(std::string_view field,
                                     const std::vector<std::pair<std::string, double>>& path)>
      indexed;
  // position(..): the 1-based position of the instance the expression is evaluated in;
  // absent: 1 (the top level).
  std::function<double()> position;
};

// What a source may contain beyond the common grammar.
enum class Syntax {
  standard,
  choice_filter,  // bare NAMEs are columns of the choice being filtered
};

namespace detail {
struct Node;
}

class Expression {
 public:
  // Parses `source`. On failure the Status is invalid_argument with a message like
  // "unexpected ')' at position 14 in \"${age} >= )\"" (positions are 1-based bytes).
  static Result<Expression> parse(std::string_view source, Syntax syntax = Syntax::standard);

  Value evaluate(const Context& context) const;

  // The field names referenced as ${name}, in order of first appearance, without
  // duplicates: the form loader checks that each names a field of the form.
  // jr:choice-name's '${field}' argument counts as a reference.
  const std::vector<std::string>& references() const { return references_; }
  // A choice filter's bare NAMEs, in order of first appearance, without duplicates.
  const std::vector<std::string>& columns() const { return columns_; }
  // The references used as values, leaving out those only written where a repeat may be
  // named (count()'s argument, indexed-repeat()'s repeats): the loader refuses a repeat here.
  const std::vector<std::string>& value_references() const { return value_references_; }
  // Each indexed-repeat() call's field and repeats, outermost first.
  struct IndexedRepeat {
    std::string field;
    std::vector<std::string> repeats;
  };
  const std::vector<IndexedRepeat>& indexed_repeats() const { return indexed_repeats_; }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::shared_ptr<const detail::Node> root_;
  std::vector<std::string> references_;
  std::vector<std::string> columns_;
  std::vector<std::string> value_references_;
  std::vector<IndexedRepeat> indexed_repeats_;
};

// The days since 1970-01-01 of a date 'YYYY-MM-DD' or a datetime 'YYYY-MM-DDTHH:MM[:SS]'
// with an optional 'Z' or offset (a fraction of a day for the time, in UTC); nullopt when
// `text` is neither.
std::optional<double> date_to_days(std::string_view text);
// 'YYYY-MM-DD' of a day count (its whole part); "" when not finite or out of years 1-9999.
std::string days_to_date(double days);

}  // namespace amana::expr
