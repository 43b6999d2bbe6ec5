#include "common/expr.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "common/crypto.h"

namespace amana::expr {
namespace {

// Form authors write short expressions; these bounds only stop a hostile or broken
// definition from exhausting the stack or memory.
constexpr std::size_t kMaxSourceBytes = 4096;
constexpr int kMaxNesting = 64;
// What one compiled regex() pattern may use; RE2 refuses a pattern that needs more.
constexpr std::int64_t kMaxPatternMemory = 1 << 20;

// RE2 rather than std::regex: it matches in time linear in the subject whatever the
// pattern, where a backtracking engine takes exponential time on patterns such as
// '^[+]?++++...' or '(a+)+$' (found by tests/fuzz/expression) and recurses once per
// character of the subject. XPath patterns have no backreferences, which RE2 lacks.
std::shared_ptr<const re2::RE2> compile_pattern(const std::string& pattern) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kMaxPatternMemory);
  return std::make_shared<const re2::RE2>(pattern, options);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c) || c == '.' || c == '-' || c == ':'; }

// XPath's number(): optional sign, digits with an optional fraction; no exponent, no
// hex; surrounding white space allowed. Anything else is NaN.
double parse_xpath_number(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  std::size_t i = 0;
  if (i < text.size() && text[i] == '-') ++i;
  std::size_t digits = 0;
  while (i < text.size() && is_digit(text[i])) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) ++i, ++digits;
  }
  if (digits == 0 || i != text.size()) return std::numeric_limits<double>::quiet_NaN();
  double result = 0;
  // from_chars rejects a leading '+' but accepts '-', matching XPath.
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result,
                                      std::chars_format::fixed);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return result;
}

std::string format_number(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";  // also -0
  if (std::trunc(d) == d && std::fabs(d) < 1e15) {
    char buffer[32];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(d));
    (void)error;
    return std::string(buffer, end);
  }
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::fixed);
  if (error != std::errc()) return "NaN";
  return std::string(buffer, end);
}

bool is_numeric(const Value& v) {
  return v.is_number() || v.is_bool() || !std::isnan(v.to_number());
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::vector<std::string_view> split_selection(std::string_view list) {
  std::vector<std::string_view> items;
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && is_space(list[i])) ++i;
    std::size_t start = i;
    while (i < list.size() && !is_space(list[i])) ++i;
    if (i > start) items.push_back(list.substr(start, i - start));
  }
  return items;
}

}  // namespace

std::string Value::to_string() const {
  if (const auto* s = std::get_if<std::string>(&v_)) return *s;
  if (const auto* b = std::get_if<bool>(&v_)) return *b ? "true" : "false";
  return format_number(std::get<double>(v_));
}

double Value::to_number() const {
  if (const auto* d = std::get_if<double>(&v_)) return *d;
  if (const auto* b = std::get_if<bool>(&v_)) return *b ? 1 : 0;
  const std::string& text = std::get<std::string>(v_);
  const double number = parse_xpath_number(text);
  if (!std::isnan(number) || text.size() < 10) return number;
  return date_to_days(text).value_or(number);
}

bool Value::to_bool() const {
  if (const auto* b = std::get_if<bool>(&v_)) return *b;
  if (const auto* d = std::get_if<double>(&v_)) return *d != 0 && !std::isnan(*d);
  return !std::get<std::string>(v_).empty();
}

namespace detail {

enum class Op {
  literal, field, current, parent, column, function,
  or_, and_, eq, ne, lt, le, gt, ge, add, sub, mul, div, mod, negate,
};

enum class Function {
  not_, selected, count_selected, string_length, today, regex, if_, concat, coalesce,
  number, int_, string, true_, false_,
  boolean, once, selected_at, choice_name, substr, contains, starts_with, ends_with, round,
  floor, ceiling, abs, pow, max, min, sum, count, now, date, decimal_date_time, format_date,
  uuid, position,
};

struct Node {
  Op op = Op::literal;
  Value literal;
  std::string name;  // field name
  Function function = Function::true_;
  std::vector<std::shared_ptr<const Node>> children;
  std::shared_ptr<const re2::RE2> compiled_pattern;  // regex() with a literal pattern
};

}  // namespace detail

namespace {

using detail::Function;
using detail::Node;
using detail::Op;
using NodePtr = std::shared_ptr<const Node>;

struct FunctionSpec {
  std::string_view name;
  Function function;
  std::size_t min_args;
  std::size_t max_args;
};

constexpr std::size_t kVariadic = 64;
constexpr FunctionSpec kFunctions[] = {
    {"not", Function::not_, 1, 1},
    {"selected", Function::selected, 2, 2},
    {"count-selected", Function::count_selected, 1, 1},
    {"string-length", Function::string_length, 1, 1},
    {"today", Function::today, 0, 0},
    {"regex", Function::regex, 2, 2},
    {"if", Function::if_, 3, 3},
    {"concat", Function::concat, 1, kVariadic},
    {"coalesce", Function::coalesce, 2, 2},
    {"number", Function::number, 1, 1},
    {"int", Function::int_, 1, 1},
    {"string", Function::string, 1, 1},
    {"true", Function::true_, 0, 0},
    {"false", Function::false_, 0, 0},
    {"boolean", Function::boolean, 1, 1},
    {"once", Function::once, 1, 1},
    {"selected-at", Function::selected_at, 2, 2},
    {"jr:choice-name", Function::choice_name, 2, 2},
    {"substr", Function::substr, 2, 3},
    {"contains", Function::contains, 2, 2},
    {"starts-with", Function::starts_with, 2, 2},
    {"ends-with", Function::ends_with, 2, 2},
    {"round", Function::round, 1, 2},
    {"floor", Function::floor, 1, 1},
    {"ceiling", Function::ceiling, 1, 1},
    {"abs", Function::abs, 1, 1},
    {"pow", Function::pow, 2, 2},
    {"max", Function::max, 1, kVariadic},
    {"min", Function::min, 1, kVariadic},
    {"sum", Function::sum, 1, 1},
    {"count", Function::count, 1, 1},
    {"now", Function::now, 0, 0},
    {"date", Function::date, 1, 1},
    {"decimal-date-time", Function::decimal_date_time, 1, 1},
    {"format-date", Function::format_date, 2, 2},
    {"format-date-time", Function::format_date, 2, 2},
    {"uuid", Function::uuid, 0, 0},
    {"position", Function::position, 0, 1},
};

enum class TokenKind { number, string, field, dot, dotdot, name, lparen, rparen, comma, op, end };

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;       // operator spelling, name, string contents, field name
  double number = 0;
  std::size_t position = 0;  // 1-based byte offset into the source
};

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::end: return "end of expression";
    case TokenKind::number: return "number " + format_number(token.number);
    case TokenKind::string: return "string '" + token.text + "'";
    case TokenKind::field: return "'${" + token.text + "}'";
    case TokenKind::dot: return "'.'";
    case TokenKind::dotdot: return "'..'";
    case TokenKind::lparen: return "'('";
    case TokenKind::rparen: return "')'";
    case TokenKind::comma: return "','";
    case TokenKind::name:
    case TokenKind::op: return "'" + token.text + "'";
  }
  return "token";
}

class Parser {
 public:
  Parser(std::string_view source, Syntax syntax) : source_(source), syntax_(syntax) {}

  std::vector<std::string> take_references() { return std::move(references_); }
  std::vector<std::string> take_columns() { return std::move(columns_); }

  Status expect_end() {
    if (peek().kind == TokenKind::end) return Status();
    return unexpected(peek());
  }

  Status tokenize() {
    std::size_t i = 0;
    while (true) {
      while (i < source_.size() && is_space(source_[i])) ++i;
      Token token;
      token.position = i + 1;
      if (i == source_.size()) {
        tokens_.push_back(token);
        return Status();
      }
      char c = source_[i];
      if (is_digit(c) || (c == '.' && i + 1 < source_.size() && is_digit(source_[i + 1]))) {
        std::size_t start = i;
        while (i < source_.size() && is_digit(source_[i])) ++i;
        if (i < source_.size() && source_[i] == '.') {
          ++i;
          while (i < source_.size() && is_digit(source_[i])) ++i;
        }
        token.kind = TokenKind::number;
        token.number = parse_xpath_number(source_.substr(start, i - start));
      } else if (c == '\'' || c == '"') {
        std::size_t close = source_.find(c, i + 1);
        if (close == std::string_view::npos) return error_at(i + 1, "unterminated string");
        token.kind = TokenKind::string;
        token.text = std::string(source_.substr(i + 1, close - i - 1));
        i = close + 1;
      } else if (c == '$') {
        if (i + 1 >= source_.size() || source_[i + 1] != '{') {
          return error_at(i + 1, "'$' must start a field reference like ${age}");
        }
        std::size_t close = source_.find('}', i + 2);
        if (close == std::string_view::npos) return error_at(i + 1, "unterminated field reference");
        std::string_view name = source_.substr(i + 2, close - i - 2);
        if (name.empty() || !is_name_start(name[0]) ||
            !std::all_of(name.begin(), name.end(),
                         [](char ch) { return is_name_start(ch) || is_digit(ch); })) {
          return error_at(i + 1, "invalid field name '" + std::string(name) + "'");
        }
        token.kind = TokenKind::field;
        token.text = std::string(name);
        i = close + 1;
      } else if (is_name_start(c)) {
        std::size_t start = i;
        while (i < source_.size() && is_name_char(source_[i])) ++i;
        token.text = std::string(source_.substr(start, i - start));
        bool is_operator_word = token.text == "and" || token.text == "or" ||
                                token.text == "div" || token.text == "mod";
        token.kind = is_operator_word ? TokenKind::op : TokenKind::name;
      } else {
        ++i;
        switch (c) {
          case '.':
            token.kind = TokenKind::dot;
            if (i < source_.size() && source_[i] == '.') {
              token.kind = TokenKind::dotdot;
              ++i;
            }
            break;
          case '(': token.kind = TokenKind::lparen; break;
          case ')': token.kind = TokenKind::rparen; break;
          case ',': token.kind = TokenKind::comma; break;
          case '=': case '+': case '-': case '*':
            token.kind = TokenKind::op;
            token.text = std::string(1, c);
            break;
          case '!': case '<': case '>':
            token.kind = TokenKind::op;
            token.text = std::string(1, c);
            if (i < source_.size() && source_[i] == '=') {
              token.text += '=';
              ++i;
            } else if (c == '!') {
              return error_at(i, "'!' must be followed by '=' (use not() for negation)");
            }
            break;
          default:
            return error_at(i, "unexpected character '" + std::string(1, c) + "'");
        }
      }
      tokens_.push_back(std::move(token));
    }
  }

  Result<NodePtr> parse_or(int depth) {
    if (depth > kMaxNesting) return error_at(peek().position, "expression nested too deeply");
    return parse_binary(depth, 0);
  }

 private:
  // Binary precedence levels, lowest first; each is left-associative.
  using Level = std::vector<std::pair<std::string_view, Op>>;
  static const std::vector<Level>& levels() {
    static const std::vector<Level> table = {
        {{"or", Op::or_}},
        {{"and", Op::and_}},
        {{"=", Op::eq}, {"!=", Op::ne}},
        {{"<", Op::lt}, {"<=", Op::le}, {">", Op::gt}, {">=", Op::ge}},
        {{"+", Op::add}, {"-", Op::sub}},
        {{"*", Op::mul}, {"div", Op::div}, {"mod", Op::mod}},
    };
    return table;
  }

  std::optional<Op> match_operator(std::size_t level) const {
    const Token& token = peek();
    if (token.kind != TokenKind::op) return std::nullopt;
    for (const auto& [spelling, op] : levels()[level]) {
      if (token.text == spelling) return op;
    }
    return std::nullopt;
  }

  Result<NodePtr> parse_binary(int depth, std::size_t level) {
    if (level == levels().size()) return parse_unary(depth);
    AMANA_ASSIGN_OR_RETURN(NodePtr left, parse_binary(depth, level + 1));
    while (auto op = match_operator(level)) {
      next();
      AMANA_ASSIGN_OR_RETURN(NodePtr right, parse_binary(depth, level + 1));
      auto node = std::make_shared<Node>();
      node->op = *op;
      node->children = {std::move(left), std::move(right)};
      left = std::move(node);
    }
    return left;
  }

  Result<NodePtr> parse_unary(int depth) {
    if (peek().kind == TokenKind::op && peek().text == "-") {
      if (depth > kMaxNesting) return error_at(peek().position, "expression nested too deeply");
      next();
      AMANA_ASSIGN_OR_RETURN(NodePtr operand, parse_unary(depth + 1));
      auto node = std::make_shared<Node>();
      node->op = Op::negate;
      node->children = {std::move(operand)};
      return NodePtr(std::move(node));
    }
    return parse_primary(depth);
  }

  Result<NodePtr> parse_primary(int depth) {
    Token token = next();
    auto node = std::make_shared<Node>();
    switch (token.kind) {
      case TokenKind::number:
        node->literal = token.number;
        return NodePtr(std::move(node));
      case TokenKind::string:
        node->literal = std::move(token.text);
        return NodePtr(std::move(node));
      case TokenKind::field:
        if (std::find(references_.begin(), references_.end(), token.text) == references_.end()) {
          references_.push_back(token.text);
        }
        node->op = Op::field;
        node->name = std::move(token.text);
        return NodePtr(std::move(node));
      case TokenKind::dot:
        node->op = Op::current;
        return NodePtr(std::move(node));
      case TokenKind::dotdot:
        node->op = Op::parent;
        return NodePtr(std::move(node));
      case TokenKind::lparen: {
        AMANA_ASSIGN_OR_RETURN(NodePtr inner, parse_or(depth + 1));
        AMANA_RETURN_IF_ERROR(expect(TokenKind::rparen, "')'"));
        return inner;
      }
      case TokenKind::name:
        return parse_call(depth, token);
      default:
        return unexpected(token);
    }
  }

  Result<NodePtr> parse_call(int depth, const Token& name) {
    const FunctionSpec* spec = nullptr;
    for (const FunctionSpec& candidate : kFunctions) {
      if (candidate.name == name.text) spec = &candidate;
    }
    if (peek().kind != TokenKind::lparen) {
      if (syntax_ == Syntax::choice_filter) {
        if (std::find(columns_.begin(), columns_.end(), name.text) == columns_.end()) columns_.push_back(name.text);
        auto node = std::make_shared<Node>();
        node->op = Op::column;
        node->name = name.text;
        return NodePtr(std::move(node));
      }
      return error_at(name.position, "'" + name.text + "' is not a function call; write ${" +
                                         name.text + "} to use a field");
    }
    if (spec == nullptr) {
      return error_at(name.position, "unknown function '" + name.text + "'");
    }
    next();
    auto node = std::make_shared<Node>();
    node->op = Op::function;
    node->function = spec->function;
    if (peek().kind != TokenKind::rparen) {
      while (true) {
        AMANA_ASSIGN_OR_RETURN(NodePtr argument, parse_or(depth + 1));
        node->children.push_back(std::move(argument));
        if (peek().kind != TokenKind::comma) break;
        next();
      }
    }
    AMANA_RETURN_IF_ERROR(expect(TokenKind::rparen, "')'"));
    std::size_t count = node->children.size();
    if (count < spec->min_args || count > spec->max_args) {
      std::string wanted = spec->min_args == spec->max_args
                               ? std::to_string(spec->min_args)
                               : "at least " + std::to_string(spec->min_args);
      return error_at(name.position, name.text + "() takes " + wanted + " argument" +
                                         (spec->min_args == 1 ? "" : "s") + ", not " +
                                         std::to_string(count));
    }
    if (spec->function == Function::choice_name) {
      // The field is named as a string, '${field}', as ODK writes it.
      const Node& field = *node->children[1];
      std::string named = field.op == Op::literal ? field.literal.to_string() : "";
      if (field.op == Op::field) named = "${" + field.name + "}";
      if (!named.starts_with("${") || !named.ends_with("}") || named.size() < 4) {
        return error_at(name.position, "jr:choice-name() takes the field as its second argument: '${field}'");
      }
      named = named.substr(2, named.size() - 3);
      if (std::find(references_.begin(), references_.end(), named) == references_.end()) references_.push_back(named);
      auto literal = std::make_shared<Node>();
      literal->literal = named;
      node->children[1] = std::move(literal);
    }
    if (spec->function == Function::regex && node->children[1]->op == Op::literal) {
      node->compiled_pattern = compile_pattern(node->children[1]->literal.to_string());
      if (!node->compiled_pattern->ok()) {
        return error_at(name.position, "regex pattern does not compile: " + node->compiled_pattern->error());
      }
    }
    return NodePtr(std::move(node));
  }

  const Token& peek() const { return tokens_[cursor_]; }
  Token next() {
    Token token = tokens_[cursor_];
    if (cursor_ + 1 < tokens_.size()) ++cursor_;
    return token;
  }

  Status expect(TokenKind kind, const std::string& what) {
    if (peek().kind == kind) {
      next();
      return Status();
    }
    return error_at(peek().position, "expected " + what + " but found " + describe(peek()));
  }

  Status unexpected(const Token& token) {
    if (token.kind == TokenKind::end) {
      return error_at(token.position, "expression ends too early");
    }
    return error_at(token.position, "unexpected " + describe(token));
  }

  Status error_at(std::size_t position, const std::string& what) const {
    return invalid_argument(what + " at position " + std::to_string(position) + " in \"" +
                            std::string(source_) + "\"");
  }

  std::string_view source_;
  Syntax syntax_;
  std::vector<Token> tokens_;
  std::size_t cursor_ = 0;
  std::vector<std::string> references_;
  std::vector<std::string> columns_;
};

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

Value evaluate_node(const Node& node, const Context& context);

// Code points, so that substr() never splits an Arabic letter.
std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> points;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t next = i + 1;
    while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) ++next;
    points.push_back(s.substr(i, next - i));
    i = next;
  }
  return points;
}

// ODK's round(): half away from zero (round(-1.5) is -2), to `digits` places. A half is
// decided on the decimal the author wrote, not its binary neighbour: 2.15 is stored as
// 2.14999..., and round(2.15, 1) is still 2.2.
double round_number(double x, std::optional<double> digits) {
  if (!std::isfinite(x)) return x;
  const double places = digits ? std::trunc(*digits) : 0;
  if (std::isnan(places)) return std::numeric_limits<double>::quiet_NaN();
  const double scale = std::pow(10.0, places);
  const double scaled = std::fabs(x * scale);
  double whole = std::floor(scaled);
  const double fraction = scaled - whole;
  if (fraction >= 0.5 || std::fabs(fraction - 0.5) < 1e-9 * std::max(1.0, scaled)) whole += 1;
  const double rounded = std::copysign(whole, x) / scale;
  return rounded == 0 ? 0.0 : rounded;
}

std::string two(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// format-date() with ODK's specifiers: %Y %y %m %n %b %d %e %H %h %M %S %3 %a; others as written.
std::string format_date(const Value& value, const std::string& format) {
  const double days = value.to_number();
  if (!std::isfinite(days)) return "";
  const std::string date = days_to_date(days);
  if (date.empty()) return "";
  const int year = std::stoi(date.substr(0, 4));
  const int month = std::stoi(date.substr(5, 2));
  const int day = std::stoi(date.substr(8, 2));
  const double seconds_of_day = std::round((days - std::floor(days)) * 86400.0);
  const int hours = static_cast<int>(seconds_of_day / 3600);
  const int minutes = static_cast<int>(std::fmod(seconds_of_day, 3600) / 60);
  const int seconds = static_cast<int>(std::fmod(seconds_of_day, 60));
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // 1970-01-01 was a Thursday
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    const char spec = format[++i];
    const auto whole_days = static_cast<long long>(std::floor(days));
    switch (spec) {
      case 'Y': out += date.substr(0, 4); break;
      case 'y': out += date.substr(2, 2); break;
      case 'm': out += two(month); break;
      case 'n': out += std::to_string(month); break;
      case 'b': out += kMonths[month - 1]; break;
      case 'd': out += two(day); break;
      case 'e': out += std::to_string(day); break;
      case 'H': out += two(hours); break;
      case 'h': out += std::to_string(hours); break;
      case 'M': out += two(minutes); break;
      case 'S': out += two(seconds); break;
      case '3': out += "000"; break;
      case 'a': out += kDays[((whole_days % 7) + 7) % 7]; break;
      default: out += '%'; out += spec;
    }
  }
  (void)year;
  return out;
}

std::string random_uuid() {
  crypto::Bytes bytes = crypto::random_bytes(16);
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);
  const std::string hex = crypto::to_hex(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

Value call(const Node& node, const Context& context) {
  auto arg = [&](std::size_t i) { return evaluate_node(*node.children[i], context); };
  switch (node.function) {
    case Function::not_: return !arg(0).to_bool();
    case Function::selected: {
      std::string list = arg(0).to_string();
      std::string choice = arg(1).to_string();
      auto items = split_selection(list);
      return std::find(items.begin(), items.end(), choice) != items.end();
    }
    case Function::count_selected:
      return static_cast<double>(split_selection(arg(0).to_string()).size());
    case Function::string_length: return static_cast<double>(utf8_length(arg(0).to_string()));
    case Function::today: return context.today;
    case Function::regex: {
      std::string subject = arg(0).to_string();
      if (node.compiled_pattern) return re2::RE2::PartialMatch(subject, *node.compiled_pattern);
      const auto computed = compile_pattern(arg(1).to_string());
      // A pattern computed from answers that does not compile matches nothing.
      return computed->ok() && re2::RE2::PartialMatch(subject, *computed);
    }
    case Function::if_: return arg(0).to_bool() ? arg(1) : arg(2);
    case Function::concat: {
      std::string joined;
      for (std::size_t i = 0; i < node.children.size(); ++i) joined += arg(i).to_string();
      return joined;
    }
    case Function::coalesce: {
      Value first = arg(0);
      return first.to_string().empty() ? arg(1) : first;
    }
    case Function::number: return arg(0).to_number();
    case Function::int_: return std::trunc(arg(0).to_number());
    case Function::string: return arg(0).to_string();
    case Function::true_: return true;
    case Function::false_: return false;
    case Function::boolean: return arg(0).to_bool();
    case Function::once: {
      // A calculation's value once it has one: an id made when the record began stays.
      if (!context.current.to_string().empty()) return context.current;
      return arg(0);
    }
    case Function::selected_at: {
      const std::string list = arg(0).to_string();  // the items are views into it
      const auto items = split_selection(list);
      const double index = arg(1).to_number();
      if (!(index >= 0) || index >= static_cast<double>(items.size())) return std::string();
      return std::string(items[static_cast<std::size_t>(index)]);
    }
    case Function::choice_name: {
      const std::string value = arg(0).to_string();
      if (value.empty() || !context.choice_label) return std::string();
      return context.choice_label(node.children[1]->literal.to_string(), value);
    }
    case Function::substr: {
      // 0-based, end exclusive; a negative index counts from the end (ODK's substr).
      const std::string text = arg(0).to_string();  // the code points are views into it
      const auto points = code_points(text);
      const double size = static_cast<double>(points.size());
      auto place = [size](double index) { return std::clamp(index < 0 ? size + index : index, 0.0, size); };
      const double start = place(std::trunc(arg(1).to_number()));
      const double end = node.children.size() > 2 ? place(std::trunc(arg(2).to_number())) : size;
      if (std::isnan(start) || std::isnan(end) || end <= start) return std::string();
      std::string out;
      for (auto k = static_cast<std::size_t>(start); k < static_cast<std::size_t>(end); ++k) out += points[k];
      return out;
    }
    case Function::contains: return arg(0).to_string().find(arg(1).to_string()) != std::string::npos;
    case Function::starts_with: return arg(0).to_string().starts_with(arg(1).to_string());
    case Function::ends_with: return arg(0).to_string().ends_with(arg(1).to_string());
    case Function::round:
      return round_number(arg(0).to_number(),
                          node.children.size() > 1 ? std::optional<double>(arg(1).to_number()) : std::nullopt);
    case Function::floor: return std::floor(arg(0).to_number());
    case Function::ceiling: return std::ceil(arg(0).to_number());
    case Function::abs: return std::fabs(arg(0).to_number());
    case Function::pow: return std::pow(arg(0).to_number(), arg(1).to_number());
    case Function::max:
    case Function::min: {
      // Every argument counts; one that is not a number (an unanswered field) makes NaN.
      double best = node.function == Function::max ? -std::numeric_limits<double>::infinity()
                                                   : std::numeric_limits<double>::infinity();
      for (std::size_t i = 0; i < node.children.size(); ++i) {
        const double x = arg(i).to_number();
        if (std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
        best = node.function == Function::max ? std::max(best, x) : std::min(best, x);
      }
      return best;
    }
    case Function::sum: return arg(0).to_number();
    case Function::count: return node.children[0]->op == Op::field ? 1.0 : 0.0;
    case Function::position: return 1.0;
    case Function::now: return context.now.empty() ? context.today + "T00:00:00Z" : context.now;
    case Function::date: {
      const Value x = arg(0);
      if (x.is_string()) {
        std::string text = x.to_string();
        // '1970-1-2' as well: single-digit months and days are padded.
        const auto dash = text.find('-', 1);
        const auto second = dash == std::string::npos ? dash : text.find('-', dash + 1);
        if (dash == 4 && second != std::string::npos && second - dash <= 3 && text.size() - second <= 3 &&
            text.size() - second >= 2) {
          const std::string month = text.substr(dash + 1, second - dash - 1);
          const std::string day = text.substr(second + 1);
          text = text.substr(0, 4) + "-" + (month.size() == 1 ? "0" : "") + month + "-" + (day.size() == 1 ? "0" : "") + day;
        }
        if (auto days = date_to_days(text)) return days_to_date(*days);
        if (std::isnan(parse_xpath_number(text))) return std::string();
      }
      return days_to_date(x.to_number());
    }
    case Function::decimal_date_time: return arg(0).to_number();
    case Function::format_date: return format_date(arg(0), arg(1).to_string());
    case Function::uuid: return random_uuid();
  }
  return Value();
}

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

}  // namespace

Result<Expression> Expression::parse(std::string_view source, Syntax syntax) {
  if (source.size() > kMaxSourceBytes) {
    return invalid_argument("expression is " + std::to_string(source.size()) +
                            " bytes; the limit is " + std::to_string(kMaxSourceBytes));
  }
  Parser parser(source, syntax);
  AMANA_RETURN_IF_ERROR(parser.tokenize());
  AMANA_ASSIGN_OR_RETURN(auto root, parser.parse_or(0));
  AMANA_RETURN_IF_ERROR(parser.expect_end());
  Expression expression;
  expression.source_ = std::string(source);
  expression.root_ = std::move(root);
  expression.references_ = parser.take_references();
  expression.columns_ = parser.take_columns();
  return expression;
}

Value Expression::evaluate(const Context& context) const {
  if (!root_) return Value();
  return evaluate_node(*root_, context);
}

namespace {

// Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
long long days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool digits_at(std::string_view s, std::size_t at, std::size_t count, int& out) {
  if (at + count > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!is_digit(s[i])) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<double> date_to_days(std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (!digits_at(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || text[7] != '-' ||
      !digits_at(text, 5, 2, month) || !digits_at(text, 8, 2, day) || month < 1 || month > 12 || day < 1 ||
      day > 31) {
    return std::nullopt;
  }
  double days = static_cast<double>(days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
  if (text.size() == 10) return days;
  int hour = 0, minute = 0, second = 0;
  if (text[10] != 'T' || !digits_at(text, 11, 2, hour) || text.size() < 16 || text[13] != ':' ||
      !digits_at(text, 14, 2, minute)) {
    return std::nullopt;
  }
  std::size_t at = 16;
  if (at < text.size() && text[at] == ':') {
    if (!digits_at(text, at + 1, 2, second)) return std::nullopt;
    at += 3;
    if (at < text.size() && text[at] == '.') {  // fractions of a second are dropped
      ++at;
      while (at < text.size() && is_digit(text[at])) ++at;
    }
  }
  int offset_minutes = 0;
  if (at < text.size()) {
    if (text[at] == 'Z' && at + 1 == text.size()) {
      // UTC
    } else if ((text[at] == '+' || text[at] == '-') && text.size() == at + 6 && text[at + 3] == ':') {
      int oh = 0, om = 0;
      if (!digits_at(text, at + 1, 2, oh) || !digits_at(text, at + 4, 2, om)) return std::nullopt;
      offset_minutes = (oh * 60 + om) * (text[at] == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  return days + ((hour * 60 + minute - offset_minutes) * 60 + second) / 86400.0;
}

std::string days_to_date(double days) {
  // Years 1 to 9999, checked before the conversion (a huge double has no long long).
  if (!std::isfinite(days) || days < -719162.0 || days >= 2932897.0) return "";
  const auto z0 = static_cast<long long>(std::floor(days));
  const long long z = z0 + 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const long long year = y + (m <= 2);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", year, m, d);
  return buffer;
}

}  // namespace amana::expr
