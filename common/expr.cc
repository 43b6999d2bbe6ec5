#include "common/expr.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

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
bool is_name_char(char c) { return is_name_start(c) || is_digit(c) || c == '.' || c == '-'; }

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
  return v.is_number() || v.is_bool() || !std::isnan(parse_xpath_number(v.to_string()));
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
  return parse_xpath_number(std::get<std::string>(v_));
}

bool Value::to_bool() const {
  if (const auto* b = std::get_if<bool>(&v_)) return *b;
  if (const auto* d = std::get_if<double>(&v_)) return *d != 0 && !std::isnan(*d);
  return !std::get<std::string>(v_).empty();
}

namespace detail {

enum class Op {
  literal, field, current, function,
  or_, and_, eq, ne, lt, le, gt, ge, add, sub, mul, div, mod, negate,
};

enum class Function {
  not_, selected, count_selected, string_length, today, regex, if_, concat, coalesce,
  number, int_, string, true_, false_,
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
};

enum class TokenKind { number, string, field, dot, name, lparen, rparen, comma, op, end };

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
  explicit Parser(std::string_view source) : source_(source) {}

  std::vector<std::string> take_references() { return std::move(references_); }

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
          case '.': token.kind = TokenKind::dot; break;
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
  std::vector<Token> tokens_;
  std::size_t cursor_ = 0;
  std::vector<std::string> references_;
};

bool values_equal(const Value& a, const Value& b) {
  if (a.is_bool() && b.is_bool()) return a.to_bool() == b.to_bool();
  if (a.is_bool() || b.is_bool()) {
    const Value& other = a.is_bool() ? b : a;
    if (other.is_string()) return a.to_string() == b.to_string();
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

Result<Expression> Expression::parse(std::string_view source) {
  if (source.size() > kMaxSourceBytes) {
    return invalid_argument("expression is " + std::to_string(source.size()) +
                            " bytes; the limit is " + std::to_string(kMaxSourceBytes));
  }
  Parser parser(source);
  AMANA_RETURN_IF_ERROR(parser.tokenize());
  AMANA_ASSIGN_OR_RETURN(auto root, parser.parse_or(0));
  AMANA_RETURN_IF_ERROR(parser.expect_end());
  Expression expression;
  expression.source_ = std::string(source);
  expression.root_ = std::move(root);
  expression.references_ = parser.take_references();
  return expression;
}

Value Expression::evaluate(const Context& context) const {
  if (!root_) return Value();
  return evaluate_node(*root_, context);
}

}  // namespace amana::expr
