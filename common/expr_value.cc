#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "common/expr.h"
#include "common/expr_internal.h"

namespace amana::expr {
namespace detail {
namespace {

// What one compiled regex() pattern may use; RE2 refuses a pattern that needs more.
constexpr std::int64_t kMaxPatternMemory = 1 << 20;

}  // namespace

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


}  // namespace detail

using detail::format_number;
using detail::is_digit;
using detail::parse_xpath_number;

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
