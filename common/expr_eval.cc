#include <re2/re2.h>

#include <cmath>

#include "common/expr.h"
#include "common/expr_internal.h"

namespace amana::expr {
namespace detail {
namespace {

bool values_equal(const Value& a, const Value& b) {
  if (a.is_bool() && b.is_bool()) return a.to_bool() == b.to_bool();
  if (a.is_bool() || b.is_bool()) {
    // A boolean answer is stored as 'true'/'false' and compared as such; '' (unanswered)
    // is false, as XPath's boolean('') is.
    const Value& other = a.is_bool() ? b : a;
    if (other.is_string() && !other.to_string().empty()) return a.to_string() == b.to_string();
    return a.to_bool() == b.to_bool();
  }
  if (a.is_number() || b.is_number()) return a.to_number() == b.to_number();
  return a.to_string() == b.to_string();
}

bool compare(Op op, const Value& a, const Value& b) {
  auto holds = [op](auto x, auto y) {
    switch (op) {
      case Op::lt: return x < y;
      case Op::le: return x <= y;
      case Op::gt: return x > y;
      default: return x >= y;
    }
  };
  if (is_numeric(a) && is_numeric(b)) return holds(a.to_number(), b.to_number());
  std::string left = a.to_string();
  std::string right = b.to_string();
  if (left.empty() || right.empty()) return false;
  return holds(left, right);
}

}  // namespace

Value evaluate_node(const Node& node, const Context& context) {
  auto child = [&](std::size_t i) { return evaluate_node(*node.children[i], context); };
  switch (node.op) {
    case Op::literal: return node.literal;
    case Op::field: {
      if (!context.lookup) return Value();
      return context.lookup(node.name).value_or(Value());
    }
    case Op::current: return context.current;
    case Op::parent: return Value();
    case Op::column: {
      if (!context.column) return Value();
      return context.column(node.name).value_or(Value());
    }
    case Op::function: return call(node, context);
    case Op::or_: return child(0).to_bool() || child(1).to_bool();
    case Op::and_: return child(0).to_bool() && child(1).to_bool();
    case Op::eq: return values_equal(child(0), child(1));
    case Op::ne: return !values_equal(child(0), child(1));
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge: return compare(node.op, child(0), child(1));
    case Op::add: return child(0).to_number() + child(1).to_number();
    case Op::sub: return child(0).to_number() - child(1).to_number();
    case Op::mul: return child(0).to_number() * child(1).to_number();
    case Op::div: return child(0).to_number() / child(1).to_number();
    case Op::mod: return std::fmod(child(0).to_number(), child(1).to_number());
    case Op::negate: return -child(0).to_number();
  }
  return Value();
}

}  // namespace detail

Value Expression::evaluate(const Context& context) const {
  if (!root_) return Value();
  return detail::evaluate_node(*root_, context);
}

}  // namespace amana::expr
