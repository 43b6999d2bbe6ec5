#include "common/expr.h"

#include <doctest/doctest.h>

#include <cmath>
#include <map>

namespace amana::expr {
namespace {

struct Fixture {
  std::map<std::string, Value, std::less<>> values;
  Value current;

  Context context() const {
    Context c;
    c.lookup = [this](std::string_view name) -> std::optional<Value> {
      auto it = values.find(name);
      if (it == values.end()) return std::nullopt;
      return it->second;
    };
    c.current = current;
    c.today = "2026-11-23";
    return c;
  }

  Value eval(std::string_view source) const {
    auto parsed = Expression::parse(source);
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
    return parsed->evaluate(context());
  }
};

std::string parse_error(std::string_view source) {
  auto parsed = Expression::parse(source);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == ErrorCode::invalid_argument);
  return parsed.status().message();
}

}  // namespace

TEST_CASE("values coerce as XPath does") {
  CHECK(Value("12.5").to_number() == 12.5);
  CHECK(Value(" -3 ").to_number() == -3);
  CHECK(std::isnan(Value("abc").to_number()));
  CHECK(std::isnan(Value("").to_number()));
  CHECK(std::isnan(Value("1e5").to_number()));  // XPath numbers have no exponent
  CHECK(Value(true).to_number() == 1);
  CHECK(Value(3.0).to_string() == "3");
  CHECK(Value(2.5).to_string() == "2.5");
  CHECK(Value(-0.0).to_string() == "0");
  CHECK(Value(std::nan("")).to_string() == "NaN");
  CHECK(Value(false).to_string() == "false");
  CHECK(Value("x").to_bool());
  CHECK_FALSE(Value("").to_bool());
  CHECK_FALSE(Value(0.0).to_bool());
  CHECK_FALSE(Value(std::nan("")).to_bool());
}

TEST_CASE("arithmetic and precedence") {
  Fixture f;
  CHECK(f.eval("1 + 2 * 3") == Value(7.0));
  CHECK(f.eval("(1 + 2) * 3") == Value(9.0));
  CHECK(f.eval("10 - 4 - 3") == Value(3.0));  // left-associative
  CHECK(f.eval("7 div 2") == Value(3.5));
  CHECK(f.eval("7 mod 3") == Value(1.0));
  CHECK(f.eval("-2 * -3") == Value(6.0));
  CHECK(f.eval(".5 + 1") == Value(1.5));
  CHECK(f.eval("1 + 2 = 3 and 2 > 1") == Value(true));
  CHECK(f.eval("1 = 2 or 3 = 3 and 1 = 0") == Value(false));  // and binds tighter than or
}

TEST_CASE("field references, the current value and answered-or-not") {
  Fixture f;
  f.values["age"] = 17.0;
  f.values["consent"] = true;
  f.values["sex"] = "female";
  f.current = "42";
  CHECK(f.eval("${age} < 18") == Value(true));
  CHECK(f.eval("${age} >= 18") == Value(false));
  CHECK(f.eval("${consent} = 'true'") == Value(true));
  CHECK(f.eval("${consent} != 'false'") == Value(true));
  CHECK(f.eval("${sex} = 'female' and ${age} < 18") == Value(true));
  CHECK(f.eval(". >= 0 and . <= 120") == Value(true));
  CHECK(f.eval("${missing} = ''") == Value(true));
  CHECK(f.eval("${missing} > 3") == Value(false));
  CHECK(f.eval("${missing} < 3") == Value(false));
  CHECK(f.eval("${age} != ''") == Value(true));
}

TEST_CASE("relational operators compare numeric strings as numbers and dates as strings") {
  Fixture f;
  f.values["when"] = "2026-01-31";
  CHECK(f.eval("'10' > '9'") == Value(true));  // numbers, not strings
  CHECK(f.eval("${when} <= today()") == Value(true));
  CHECK(f.eval("${when} > today()") == Value(false));
  CHECK(f.eval("'' < 'a'") == Value(false));
  CHECK(f.eval("'abc' = 'abc'") == Value(true));
  CHECK(f.eval("1 = '1.0'") == Value(true));
}

TEST_CASE("functions") {
  Fixture f;
  f.values["needs"] = "child_at_risk disability";
  f.values["name"] = "أمل";
  f.values["phone"] = "0912345678";
  CHECK(f.eval("selected(${needs}, 'disability')") == Value(true));
  CHECK(f.eval("selected(${needs}, 'child')") == Value(false));
  CHECK(f.eval("count-selected(${needs})") == Value(2.0));
  CHECK(f.eval("count-selected('')") == Value(0.0));
  CHECK(f.eval("string-length(${name})") == Value(3.0));  // characters, not bytes
  CHECK(f.eval("today()") == Value("2026-11-23"));
  CHECK(f.eval("regex(${phone}, '^0[0-9]{9}$')") == Value(true));
  CHECK(f.eval("regex('12ab', '^[0-9]+$')") == Value(false));
  CHECK(f.eval("if(1 > 2, 'a', 'b')") == Value("b"));
  CHECK(f.eval("concat('a', 1, true())") == Value("a1true"));
  CHECK(f.eval("coalesce(${missing}, 'fallback')") == Value("fallback"));
  CHECK(f.eval("coalesce('x', 'fallback')") == Value("x"));
  CHECK(f.eval("number('4') + 1") == Value(5.0));
  CHECK(f.eval("int(-3.7)") == Value(-3.0));
  CHECK(f.eval("string(3)") == Value("3"));
  CHECK(f.eval("not(false())") == Value(true));
}

TEST_CASE("substring-before and substring-after follow XPath 1.0, by characters") {
  Fixture f;
  f.values["positions"] = "2 5 7";
  f.values["chosen"] = "5";
  f.values["place"] = "الفاشر-طويلة";
  // RMS's way of taking one name out of a list: join(' ', before, after).
  CHECK(f.eval("substring-before(${positions}, ${chosen})") == Value("2 "));
  CHECK(f.eval("substring-after(${positions}, ${chosen})") == Value(" 7"));
  CHECK(f.eval("substring-before('1999/04/01', '/')") == Value("1999"));
  CHECK(f.eval("substring-after('1999/04/01', '/')") == Value("04/01"));
  // The first occurrence, not the last.
  CHECK(f.eval("substring-after('a-b-c', '-')") == Value("b-c"));
  // Not found: empty, both ways.
  CHECK(f.eval("substring-before('abc', 'x')") == Value(""));
  CHECK(f.eval("substring-after('abc', 'x')") == Value(""));
  // An empty second argument occurs at the start.
  CHECK(f.eval("substring-before('abc', '')") == Value(""));
  CHECK(f.eval("substring-after('abc', '')") == Value("abc"));
  // Unanswered values are empty strings; numbers are their string.
  CHECK(f.eval("substring-before(${missing}, 'a')") == Value(""));
  CHECK(f.eval("substring-after('abc', ${missing})") == Value("abc"));
  CHECK(f.eval("substring-before(12.5, '.')") == Value("12"));
  // Whole Arabic characters on either side of the separator.
  CHECK(f.eval("substring-before(${place}, '-')") == Value("الفاشر"));
  CHECK(f.eval("substring-after(${place}, '-')") == Value("طويلة"));
  CHECK(f.eval("string-length(substring-after(${place}, 'ا'))") == Value(11.0));
  CHECK(parse_error("substring-before('abc')").find("substring-before") != std::string::npos);
}

TEST_CASE("references are listed once each, in order of first appearance") {
  auto parsed = Expression::parse("${b} > 1 and ${a} = ${b} or selected(${c}, 'x')");
  REQUIRE(parsed.ok());
  CHECK(parsed->references() == std::vector<std::string>{"b", "a", "c"});
  CHECK(parsed->source() == "${b} > 1 and ${a} = ${b} or selected(${c}, 'x')");
}

TEST_CASE("malformed expressions are refused with the position of the problem") {
  CHECK(parse_error("${age} >= )") == "unexpected ')' at position 11 in \"${age} >= )\"");
  CHECK(parse_error("") == "expression ends too early at position 1 in \"\"");
  CHECK(parse_error("1 +") == "expression ends too early at position 4 in \"1 +\"");
  CHECK(parse_error("(1 + 2") == "expected ')' but found end of expression at position 7 in \"(1 + 2\"");
  CHECK(parse_error("1 2") == "unexpected number 2 at position 3 in \"1 2\"");
  CHECK(parse_error("'open") == "unterminated string at position 1 in \"'open\"");
  CHECK(parse_error("${age") == "unterminated field reference at position 1 in \"${age\"");
  CHECK(parse_error("${1x} = 1") == "invalid field name '1x' at position 1 in \"${1x} = 1\"");
  CHECK(parse_error("$age") == "'$' must start a field reference like ${age} at position 1 in \"$age\"");
  CHECK(parse_error("a ! b").find("'!' must be followed by '='") == 0);
  CHECK(parse_error("1 # 2") == "unexpected character '#' at position 3 in \"1 # 2\"");
  // A character of several bytes is named whole (a typographic quote), not by its first byte.
  CHECK(parse_error("1 \u2019 2") == "unexpected character '\u2019' at position 3 in \"1 \u2019 2\"");
  CHECK(parse_error("frobnicate(1)") == "unknown function 'frobnicate' at position 1 in \"frobnicate(1)\"");
  CHECK(parse_error("age > 3") ==
        "'age' is not a function call; write ${age} to use a field, or 'age' in quotes for a text at position 1 in \"age > 3\"");
  CHECK(parse_error("not(1, 2)") == "not() takes 1 argument, not 2 at position 1 in \"not(1, 2)\"");
  CHECK(parse_error("if(1, 2)") == "if() takes 3 arguments, not 2 at position 1 in \"if(1, 2)\"");
  CHECK(parse_error("concat()") == "concat() takes at least 1 argument, not 0 at position 1 in \"concat()\"");
  CHECK(parse_error("regex(., '[a-')").find("regex pattern does not compile") == 0);
  CHECK(parse_error("selected(${a}, 'x',)").find("unexpected ')' at position 20") == 0);
}

TEST_CASE("hostile expressions are bounded") {
  std::string deep(200, '(');
  deep += "1";
  deep += std::string(200, ')');
  CHECK(parse_error(deep).find("nested too deeply") != std::string::npos);
  std::string negations(200, '-');
  negations += "1";
  CHECK(parse_error(negations).find("nested too deeply") != std::string::npos);
  CHECK(parse_error(std::string(5000, '1')).find("the limit is 4096") != std::string::npos);
}

TEST_CASE("a regex computed from answers that does not compile matches nothing") {
  Fixture f;
  f.values["pattern"] = "[unclosed";
  CHECK(f.eval("regex('abc', ${pattern})") == Value(false));
}

}  // namespace amana::expr
