#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/answers.h"
#include "common/answers_internal.h"
#include "common/message_catalogue.h"
#include "common/text_fold.h"

namespace amana::forms {
namespace detail {
namespace {

// "name (label)": how every answer error starts, so the collector sees which question.
std::vector<MessageArg> about(const Field& field, std::vector<MessageArg> more = {}) {
  std::vector<MessageArg> args{{"field", field.name}, {"label", field.label}};
  for (MessageArg& arg : more) args.push_back(std::move(arg));
  return args;
}

}  // namespace

Status field_error(const Field& field, MessageKey key, std::vector<MessageArg> more) {
  return invalid_argument(Message(key, about(field, std::move(more))));
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace detail

namespace {

using detail::field_error;
using detail::kMaxTextBytes;
using detail::trim;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> canonical_integer(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  if (!all_digits(s)) return std::nullopt;
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  if (s.size() > 15) return std::nullopt;  // beyond what a double (and every export) holds exactly
  if (s == "0") return "0";
  return (negative ? "-" : "") + std::string(s);
}

std::optional<double> parse_decimal(std::string_view s) {
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  auto dot = digits.find('.');
  std::string_view whole = digits.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : digits.substr(dot + 1);
  if ((whole.empty() && fraction.empty()) || (!whole.empty() && !all_digits(whole)) ||
      (!fraction.empty() && !all_digits(fraction)) || whole.size() > 15) {
    return std::nullopt;
  }
  double value = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value, std::chars_format::fixed);
  if (error != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::string format_decimal(double value) {
  if (value == 0) return "0";
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  (void)error;  // 15 integer digits always fit
  return std::string(buffer, end);
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int parse_fixed(std::string_view s) {
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

bool is_calendar_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s.substr(0, 4)) ||
      !all_digits(s.substr(5, 2)) || !all_digits(s.substr(8, 2))) {
    return false;
  }
  int year = parse_fixed(s.substr(0, 4));
  int month = parse_fixed(s.substr(5, 2));
  int day = parse_fixed(s.substr(8, 2));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1) return false;
  int last = kDays[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
  return day <= last;
}

// A date as people in Sudan write it: day first, then month, then a four-digit year,
// separated by '/', '-' or '.' (the same both times), with or without leading zeros.
// The four-digit year makes it unambiguous; a two-digit year is refused.
std::optional<std::string> day_first_date(std::string_view s) {
  const auto first = s.find_first_of("/-.");
  if (first == std::string_view::npos) return std::nullopt;
  const char separator = s[first];
  const auto second = s.find(separator, first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view day = s.substr(0, first);
  const std::string_view month = s.substr(first + 1, second - first - 1);
  const std::string_view year = s.substr(second + 1);
  if (day.empty() || day.size() > 2 || month.empty() || month.size() > 2 || year.size() != 4 ||
      !all_digits(day) || !all_digits(month) || !all_digits(year)) {
    return std::nullopt;
  }
  auto two = [](std::string_view part) { return part.size() == 1 ? "0" + std::string(part) : std::string(part); };
  std::string iso = std::string(year) + "-" + two(month) + "-" + two(day);
  if (!is_calendar_date(iso)) return std::nullopt;
  return iso;
}

// The canonical YYYY-MM-DD of a date written year first or day first.
std::optional<std::string> canonical_date(std::string_view s) {
  if (is_calendar_date(s)) return std::string(s);
  return day_first_date(s);
}

bool is_two_digit_in(std::string_view s, int max) {
  return s.size() == 2 && all_digits(s) && parse_fixed(s) <= max;
}

std::optional<std::string> canonical_datetime(std::string_view s) {
  if (s.size() < 16 || (s[10] != 'T' && s[10] != ' ') || !is_calendar_date(s.substr(0, 10))) {
    return std::nullopt;
  }
  std::string_view time = s.substr(11);
  std::string_view zone;
  auto zone_at = time.find_first_of("Z+-");
  if (zone_at == std::string_view::npos) return std::nullopt;  // a bare local time is ambiguous
  zone = time.substr(zone_at);
  time = time.substr(0, zone_at);
  if (!(time.size() == 5 || time.size() == 8) || time[2] != ':' ||
      !is_two_digit_in(time.substr(0, 2), 23) || !is_two_digit_in(time.substr(3, 2), 59)) {
    return std::nullopt;
  }
  std::string seconds = "00";
  if (time.size() == 8) {
    if (time[5] != ':' || !is_two_digit_in(time.substr(6, 2), 59)) return std::nullopt;
    seconds = std::string(time.substr(6, 2));
  }
  if (zone != "Z") {
    if (zone.size() != 6 || zone[3] != ':' || !is_two_digit_in(zone.substr(1, 2), 14) ||
        !is_two_digit_in(zone.substr(4, 2), 59)) {
      return std::nullopt;
    }
  }
  return std::string(s.substr(0, 10)) + "T" + std::string(time.substr(0, 5)) + ":" + seconds +
         std::string(zone);
}

std::optional<std::string> canonical_boolean(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view yes : {"true", "yes", "y", "1", "نعم"}) {
    if (lower == yes) return "true";
  }
  for (std::string_view no : {"false", "no", "n", "0", "لا"}) {
    if (lower == no) return "false";
  }
  return std::nullopt;
}

// Whether the answer names the choice: its name, its number in the list as the interview
// shows it, or its label in any of the form's languages (compared folded, so case,
// hamza and tatweel do not matter). A label shared by two choices names neither.
const Choice* find_choice(const Field& field, std::string_view token) {
  if (const Choice* choice = field.find_choice(token)) return choice;
  const std::span<const Choice> offered = field.offered_choices();
  // Choices named by numbers (ODK's "1", "2") are chosen by name only: a number that is
  // no name names nothing, rather than the choice at that place.
  const bool numbered_names = std::any_of(offered.begin(), offered.end(),
                                          [](const Choice& c) { return all_digits(c.name); });
  if (all_digits(token) && token.size() <= 4 && !numbered_names) {
    const int number = parse_fixed(token);
    if (number >= 1 && static_cast<std::size_t>(number) <= offered.size()) {
      return &offered[static_cast<std::size_t>(number - 1)];
    }
    return nullptr;
  }
  const std::string folded = text::fold(token);
  if (folded.empty()) return nullptr;
  const Choice* found = nullptr;
  for (const Choice& choice : offered) {
    if (text::fold(choice.name) == folded || text::fold(choice.label.en) == folded ||
        (!choice.label.ar.empty() && text::fold(choice.label.ar) == folded)) {
      if (found != nullptr && found != &choice) return nullptr;
      found = &choice;
    }
  }
  return found;
}

// The choices as the error lists them: "cash (Cash)" in English, "نقد (cash)" in Arabic,
// so each reader finds the one they mean first.
LocalizedText choice_list(const Field& field) {
  std::vector<LocalizedText> items;
  for (const Choice& choice : field.offered_choices()) {
    items.push_back({choice.name + " (" + choice.label.en + ")", choice.label.in(Language::ar) + " (" + choice.name + ")"});
  }
  return join_list(items);
}

// A select_multiple answer: items separated by commas (Arabic ones too, made ASCII before
// this), each a choice's name, number or label; an item that names no choice may be
// several names or numbers separated by spaces ("1 3 7"). nullopt when any part names
// no choice.
std::optional<std::vector<bool>> chosen_choices(const Field& field, std::string_view value) {
  std::vector<bool> chosen(field.choices.size(), false);
  bool any = false;
  auto mark = [&](const Choice* choice) {
    chosen[static_cast<std::size_t>(choice - field.choices.data())] = true;
    any = true;
  };
  std::size_t i = 0;
  while (i <= value.size()) {
    std::size_t end = value.find_first_of(",;", i);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view item = trim(value.substr(i, end - i));
    i = end + 1;
    if (item.empty()) continue;
    if (const Choice* whole = find_choice(field, item)) {
      mark(whole);
      continue;
    }
    std::size_t k = 0;
    while (k < item.size()) {
      while (k < item.size() && item[k] == ' ') ++k;
      const std::size_t start = k;
      while (k < item.size() && item[k] != ' ') ++k;
      if (k == start) break;
      const Choice* choice = find_choice(field, item.substr(start, k - start));
      if (choice == nullptr) return std::nullopt;
      mark(choice);
    }
  }
  if (!any) return std::nullopt;
  return chosen;
}

// A select_multiple answer as it is stored: choice names separated by spaces, each exactly
// a choice's name (or former name). nullopt otherwise.
std::optional<std::vector<bool>> stored_choices(const Field& field, std::string_view value) {
  std::vector<bool> chosen(field.choices.size(), false);
  bool any = false;
  std::size_t i = 0;
  while (i < value.size()) {
    std::size_t end = value.find(' ', i);
    if (end == std::string_view::npos) end = value.size();
    if (end > i) {
      const Choice* choice = field.find_choice(value.substr(i, end - i));
      if (choice == nullptr) return std::nullopt;
      chosen[static_cast<std::size_t>(choice - field.choices.data())] = true;
      any = true;
    }
    i = end + 1;
  }
  if (!any) return std::nullopt;
  return chosen;
}

std::optional<std::string> canonical_geopoint(std::string_view s) {
  std::vector<double> parts;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != ',') ++i;
    if (i == start) break;
    auto value = parse_decimal(s.substr(start, i - start));
    if (!value) return std::nullopt;
    parts.push_back(*value);
  }
  if (parts.size() != 2 && parts.size() != 4) return std::nullopt;
  if (std::fabs(parts[0]) > 90 || std::fabs(parts[1]) > 180) return std::nullopt;
  if (parts.size() == 4 && parts[3] < 0) return std::nullopt;  // accuracy is a radius
  std::string out;
  for (double part : parts) out += (out.empty() ? "" : " ") + format_decimal(part);
  return out;
}

}  // namespace

Result<std::string> canonicalize(const Field& field, std::string_view raw) {
  // Digits are read in any of the digit sets Arabic keyboards type, wherever the answer is
  // not free text; free text is kept as it was written.
  const bool as_typed = field.type == FieldType::text && !field.numeric_text;
  const std::string normalized = as_typed ? std::string(trim(raw)) : text::ascii_digits(trim(raw));
  std::string_view value = normalized;
  switch (field.type) {
    case FieldType::text:
      if (value.size() > kMaxTextBytes) {
        return field_error(field, "answer.too_long", {{"limit", static_cast<std::int64_t>(kMaxTextBytes)}});
      }
      return std::string(value);
    case FieldType::integer: {
      auto canonical = canonical_integer(value);
      if (!canonical) return field_error(field, "answer.whole_number");
      return *canonical;
    }
    case FieldType::decimal: {
      auto parsed = parse_decimal(value);
      if (!parsed) return field_error(field, "answer.decimal_number");
      return format_decimal(*parsed);
    }
    case FieldType::date: {
      auto canonical = canonical_date(value);
      if (!canonical) return field_error(field, "answer.date");
      return *canonical;
    }
    case FieldType::datetime: {
      auto canonical = canonical_datetime(value);
      if (!canonical) return field_error(field, "answer.datetime");
      return *canonical;
    }
    case FieldType::select_one: {
      // A name as stored comes first: a choice name may hold what an answer is otherwise
      // read through (Arabic-Indic digits, a comma).
      const Choice* choice = field.find_choice(trim(raw));
      if (choice == nullptr) choice = find_choice(field, value);
      if (choice == nullptr) return field_error(field, "answer.choice", {{"choices", choice_list(field)}});
      return choice->name;  // a former name is stored as the current one
    }
    case FieldType::select_multiple: {
      auto chosen = stored_choices(field, trim(raw));
      if (!chosen) chosen = chosen_choices(field, value);
      if (!chosen) return field_error(field, "answer.choices", {{"choices", choice_list(field)}});
      std::string canonical;
      for (std::size_t k = 0; k < chosen->size(); ++k) {
        if ((*chosen)[k]) canonical += (canonical.empty() ? "" : " ") + field.choices[k].name;
      }
      return canonical;
    }
    case FieldType::boolean: {
      auto canonical = canonical_boolean(value);
      if (!canonical) return field_error(field, "answer.boolean");
      return *canonical;
    }
    case FieldType::geopoint: {
      auto canonical = canonical_geopoint(value);
      if (!canonical) return field_error(field, "answer.geopoint");
      return *canonical;
    }
    case FieldType::note: return field_error(field, "answer.note");
    case FieldType::calculate:
    case FieldType::deviceid:
      if (value.size() > kMaxTextBytes) {
        return field_error(field, "answer.too_long", {{"limit", static_cast<std::int64_t>(kMaxTextBytes)}});
      }
      return std::string(value);
    case FieldType::today: {
      auto canonical = canonical_date(value);
      if (!canonical) return field_error(field, "answer.date");
      return *canonical;
    }
    case FieldType::start:
    case FieldType::end: {
      auto canonical = canonical_datetime(value);
      if (!canonical) return field_error(field, "answer.datetime");
      return *canonical;
    }
  }
  return field_error(field, "answer.note");
}

}  // namespace amana::forms
