#include <algorithm>
#include <memory>

#include <re2/re2.h>

#include "common/expr.h"
#include "common/expr_internal.h"

namespace amana::expr {
namespace {

// Form authors write short expressions; these bounds only stop a hostile or broken
// definition from exhausting the stack or memory.
constexpr std::size_t kMaxSourceBytes = 4096;
constexpr int kMaxNesting = 64;

using detail::compile_pattern;
using detail::format_number;
using detail::Function;
using detail::is_digit;
using detail::is_name_char;
using detail::is_name_start;
using detail::is_space;
using detail::Node;
using detail::Op;
using detail::parse_xpath_number;
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
    {"substring-before", Function::substring_before, 2, 2},
    {"substring-after", Function::substring_after, 2, 2},
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
    {"indexed-repeat", Function::indexed_repeat, 3, 5},
    {"join", Function::join, 2, kVariadic},
    {"pi", Function::pi, 0, 0},
    {"random", Function::random, 0, 0},
};

enum class TokenKind { number, string, field, dot, dotdot, name, lparen, rparen, comma, op, end };

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;       // operator spelling, name, string contents, field name
  double number = 0;
  std::size_t position = 0;  // 1-based byte offset into the source
};

// The UTF-8 character starting at `at` (a typographic quote is three bytes), not its first byte.
std::string whole_character(std::string_view source, std::size_t at) {
  const auto lead = static_cast<unsigned char>(source[at]);
  const std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
  return std::string(source.substr(at, length));
}

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
            return error_at(i, "unexpected character '" + whole_character(source_, i - 1) + "'");
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
                                         name.text + "} to use a field, or '" + name.text + "' in quotes for a text");
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
    if (spec->function == Function::indexed_repeat) {
      bool named = count % 2 == 1;
      for (std::size_t k = 0; k < count && named; k += k == 0 ? 1 : 2) named = node->children[k]->op == Op::field;
      if (!named) {
        return error_at(name.position,
                        "indexed-repeat() takes a field, then each repeat and its position: "
                        "indexed-repeat(${field}, ${repeat}, 1)");
      }
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

// Where a repeat may be named rather than a value: count()'s argument, indexed-repeat()'s
// repeats.
bool names_a_repeat(const Node& call, std::size_t argument) {
  if (call.op != Op::function) return false;
  if (call.function == Function::count) return true;
  return call.function == Function::indexed_repeat && argument % 2 == 1;
}

void collect_uses(const Node& node, std::vector<std::string>& values,
                  std::vector<Expression::IndexedRepeat>& indexed) {
  if (node.op == Op::function && node.function == Function::indexed_repeat) {
    Expression::IndexedRepeat call{node.children[0]->name, {}};
    for (std::size_t k = 1; k < node.children.size(); k += 2) call.repeats.push_back(node.children[k]->name);
    indexed.push_back(std::move(call));
  }
  for (std::size_t k = 0; k < node.children.size(); ++k) {
    const Node& child = *node.children[k];
    if (child.op == Op::field) {
      if (!names_a_repeat(node, k) && std::find(values.begin(), values.end(), child.name) == values.end()) {
        values.push_back(child.name);
      }
    } else {
      collect_uses(child, values, indexed);
    }
  }
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
  if (expression.root_->op == Op::field) {
    expression.value_references_.push_back(expression.root_->name);
  } else {
    collect_uses(*expression.root_, expression.value_references_, expression.indexed_repeats_);
  }
  return expression;
}

}  // namespace amana::expr
