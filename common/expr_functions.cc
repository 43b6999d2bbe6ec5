#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <limits>

#include "common/crypto.h"
#include "common/expr.h"
#include "common/expr_internal.h"

namespace amana::expr::detail {
namespace {

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

// XPath's random(): uniform in [0, 1), from 53 random bits (a double's precision).
double random_fraction() {
  const crypto::Bytes bytes = crypto::random_bytes(8);
  std::uint64_t bits = 0;
  for (std::uint8_t byte : bytes) bits = (bits << 8) | byte;
  return static_cast<double>(bits >> 11) / static_cast<double>(std::uint64_t{1} << 53);
}

// The values of a call's single ${name} argument when it stands for several nodes (a
// repeat's instances); nullopt when it is one node, or the context has no repeats.
std::optional<std::vector<Value>> node_set(const Node& call, const Context& context) {
  if (call.children.size() != 1 || call.children[0]->op != Op::field || !context.nodes) return std::nullopt;
  return context.nodes(call.children[0]->name);
}

}  // namespace

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
    case Function::substring_before:
    case Function::substring_after: {
      // XPath 1.0: the text before (after) the first occurrence of the second, "" when it
      // does not occur; an empty second occurs at the start ('' before, all of it after).
      // A byte search is exact in UTF-8: a character's bytes never match inside another's.
      const std::string text = arg(0).to_string();
      const std::string part = arg(1).to_string();
      const std::size_t at = text.find(part);
      if (at == std::string::npos) return std::string();
      return node.function == Function::substring_before ? text.substr(0, at) : text.substr(at + part.size());
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
      // One ${field} of a repeat counts every instance's value, as XPath's node-sets do.
      const bool is_max = node.function == Function::max;
      double best = is_max ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      std::vector<Value> values;
      if (auto nodes = node_set(node, context)) values = std::move(*nodes);
      else for (std::size_t i = 0; i < node.children.size(); ++i) values.push_back(arg(i));
      if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
      for (const Value& value : values) {
        const double x = value.to_number();
        if (std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
        best = is_max ? std::max(best, x) : std::min(best, x);
      }
      return best;
    }
    case Function::sum: {
      auto nodes = node_set(node, context);
      if (!nodes) return arg(0).to_number();
      double total = 0;
      for (const Value& value : *nodes) total += value.to_number();
      return total;
    }
    case Function::join: {
      // join(' ', ${m_name}) over a repeat joins every instance's value, as XPath's node-sets do.
      std::vector<Value> values;
      if (node.children.size() == 2 && node.children[1]->op == Op::field && context.nodes) {
        values = context.nodes(node.children[1]->name);
      } else {
        for (std::size_t i = 1; i < node.children.size(); ++i) values.push_back(arg(i));
      }
      const std::string separator = arg(0).to_string();
      std::string joined;
      for (std::size_t i = 0; i < values.size(); ++i) joined += (i == 0 ? "" : separator) + values[i].to_string();
      return joined;
    }
    case Function::pi: return std::numbers::pi;
    case Function::count: {
      if (auto nodes = node_set(node, context)) return static_cast<double>(nodes->size());
      return node.children[0]->op == Op::field ? 1.0 : 0.0;
    }
    case Function::position: return context.position ? context.position() : 1.0;
    case Function::indexed_repeat: {
      if (!context.indexed) return arg(0);
      std::vector<std::pair<std::string, double>> path;
      for (std::size_t k = 1; k + 1 < node.children.size(); k += 2) {
        path.emplace_back(node.children[k]->name, arg(k + 1).to_number());
      }
      return context.indexed(node.children[0]->name, path).value_or(Value());
    }
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
    case Function::random: return random_fraction();
  }
  return Value();
}

}  // namespace amana::expr::detail
