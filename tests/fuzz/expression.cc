// Form expressions (common/expr.h): parsed from form definitions, evaluated against
// answers a collector typed. The input is "expression\nvalue": every ${name} evaluates to
// the value (as a number when it reads as one, as the answers layer types it), and so
// does '.', so that the fuzzer controls both the expression and the data it runs on
// (regex() patterns from an answer included).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/expr.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace amana::expr;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view source = input.substr(0, newline);
  const std::string value(newline == std::string_view::npos ? "" : input.substr(newline + 1));
  auto expression = Expression::parse(source);
  if (!expression.ok()) return 0;
  const double number = Value(value).to_number();
  const Value typed = std::isnan(number) ? Value(value) : Value(number);
  Context context;
  context.lookup = [&](std::string_view) -> std::optional<Value> { return typed; };
  context.current = typed;
  context.today = "2026-12-01";
  const Value result = expression->evaluate(context);
  (void)result.to_string();
  (void)result.to_bool();
  return 0;
}
