#include "common/answers.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace amana::forms {
namespace {

// Long enough for any narrative a case worker types in the field; short enough that a
// pasted file cannot bloat every sync.
constexpr std::size_t kMaxTextBytes = 10000;

enum class Rule {
  whole_number, decimal_number, date, datetime, choice, choices, boolean, geopoint,
  note, too_long, required, not_relevant, constraint_failed,
};

// The messages a collector sees, in each language. {} is replaced with the detail.
std::string_view rule_text(Rule rule, Language language) {
  bool ar = language == Language::ar;
  switch (rule) {
    case Rule::whole_number: return ar ? "يجب أن يكون عددًا صحيحًا" : "must be a whole number";
    case Rule::decimal_number: return ar ? "يجب أن يكون رقمًا" : "must be a number";
    case Rule::date:
      return ar ? "يجب أن يكون تاريخًا صحيحًا بالصيغة YYYY-MM-DD" : "must be a real date written YYYY-MM-DD";
    case Rule::datetime:
      return ar ? "يجب أن يكون تاريخًا ووقتًا بالصيغة YYYY-MM-DDTHH:MM:SS مع Z أو فرق التوقيت"
                : "must be a date and time written YYYY-MM-DDTHH:MM:SS with Z or a +HH:MM offset";
    case Rule::choice: return ar ? "يجب أن يكون أحد الخيارات: {}" : "must be one of: {}";
    case Rule::choices:
      return ar ? "يجب أن تكون من الخيارات: {}" : "must be choices from: {}";
    case Rule::boolean: return ar ? "يجب أن يكون نعم أو لا" : "must be yes or no";
    case Rule::geopoint:
      return ar ? "يجب أن يكون 'خط العرض خط الطول' ضمن الحدود"
                : "must be 'latitude longitude' with latitude in [-90, 90] and longitude in [-180, 180]";
    case Rule::note: return ar ? "ملاحظة لا تقبل إجابة" : "is a note and takes no answer";
    case Rule::too_long: return ar ? "النص أطول من {} بايت" : "is longer than {} bytes";
    case Rule::required: return ar ? "إجابة مطلوبة" : "is required";
    case Rule::not_relevant:
      return ar ? "هذا السؤال لا يُطرح هنا: شرط ظهوره ({}) غير متحقق"
                : "is not asked here: its relevance condition ({}) is false";
    case Rule::constraint_failed: return ar ? "لا يستوفي الشرط {}" : "does not satisfy {}";
  }
  return "";
}

std::string field_error(const Field& field, Language language, std::string_view message) {
  return field.name + " (" + field.label.in(language) + "): " + std::string(message);
}

std::string field_error(const Field& field, Language language, Rule rule, std::string_view detail = {}) {
  std::string text(rule_text(rule, language));
  if (auto at = text.find("{}"); at != std::string::npos) text.replace(at, 2, detail);
  return field_error(field, language, text);
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Arabic-Indic (U+0660..0669) and Eastern Arabic-Indic (U+06F0..06F9) digits, as Arabic
// keyboards type them, become ASCII digits; the Arabic decimal separator becomes '.'.
std::string normalize_digits(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    if (i + 1 < s.size() && byte(i) == 0xD9 && byte(i + 1) >= 0xA0 && byte(i + 1) <= 0xA9) {
      out += static_cast<char>('0' + (byte(i + 1) - 0xA0));
      ++i;
    } else if (i + 1 < s.size() && byte(i) == 0xDB && byte(i + 1) >= 0xB0 && byte(i + 1) <= 0xB9) {
      out += static_cast<char>('0' + (byte(i + 1) - 0xB0));
      ++i;
    } else if (i + 1 < s.size() && byte(i) == 0xD9 && byte(i + 1) == 0xAB) {
      out += '.';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

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

// A choice by name or by its 1-based number, as the interview lists them.
const Choice* find_choice_by_name_or_number(const Field& field, std::string_view token) {
  if (const Choice* choice = field.find_choice(token)) return choice;
  if (all_digits(token) && token.size() <= 4) {
    int number = parse_fixed(token);
    if (number >= 1 && static_cast<std::size_t>(number) <= field.choices.size()) {
      return &field.choices[static_cast<std::size_t>(number - 1)];
    }
  }
  return nullptr;
}

std::string choice_names(const Field& field) {
  std::string names;
  for (const Choice& choice : field.choices) names += (names.empty() ? "" : ", ") + choice.name;
  return names;
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

expr::Value typed_value(const Field& field, const std::string& canonical) {
  if (canonical.empty()) return expr::Value();
  switch (field.type) {
    case FieldType::integer:
    case FieldType::decimal: return expr::Value(expr::Value(canonical).to_number());
    case FieldType::boolean: return expr::Value(canonical == "true");
    default: return expr::Value(canonical);
  }
}

// Whether the answer satisfies the field's constraint; an absent constraint always does.
bool satisfies_constraint(const FormDefinition& form, const Field& field, const std::string& canonical,
                          const Answers& answers, const std::string& today) {
  if (!field.constraint) return true;
  return field.constraint->evaluate(make_context(form, answers, canonical, today)).to_bool();
}

std::string constraint_error(const Field& field, Language language) {
  if (!field.constraint_message.empty()) {
    return field_error(field, language, field.constraint_message.in(language));
  }
  return field_error(field, language, Rule::constraint_failed, field.constraint->source());
}

}  // namespace

expr::Context make_context(const FormDefinition& form, const Answers& answers,
                           const std::string& current, const std::string& today) {
  expr::Context context;
  context.lookup = [&form, &answers](std::string_view name) -> std::optional<expr::Value> {
    auto answer = answers.find(name);
    const Field* field = form.find_field(name);
    if (answer == answers.end() || field == nullptr) return std::nullopt;
    return typed_value(*field, answer->second);
  };
  context.current = current;
  context.today = today;
  return context;
}

bool is_relevant(const FormDefinition& form, const Field& field, const Answers& answers,
                 const std::string& today) {
  if (!field.relevant) return true;
  return field.relevant->evaluate(make_context(form, answers, "", today)).to_bool();
}

bool is_required(const FormDefinition& form, const Field& field, const Answers& answers,
                 const std::string& today) {
  if (field.required) return true;
  if (!field.required_if) return false;
  return field.required_if->evaluate(make_context(form, answers, "", today)).to_bool();
}

std::optional<std::string> default_answer(const Field& field, const std::string& today) {
  if (!field.default_value) return std::nullopt;
  if (field.type == FieldType::date && *field.default_value == "today") return today;
  return field.default_value;
}

Result<std::string> canonicalize(const Field& field, std::string_view raw, Language language) {
  std::string normalized = field.type == FieldType::text ? std::string(trim(raw)) : normalize_digits(trim(raw));
  std::string_view value = normalized;
  auto fail = [&](Rule rule, std::string_view detail = {}) -> Result<std::string> {
    return invalid_argument(field_error(field, language, rule, detail));
  };
  switch (field.type) {
    case FieldType::text:
      if (value.size() > kMaxTextBytes) return fail(Rule::too_long, std::to_string(kMaxTextBytes));
      return std::string(value);
    case FieldType::integer: {
      auto canonical = canonical_integer(value);
      if (!canonical) return fail(Rule::whole_number);
      return *canonical;
    }
    case FieldType::decimal: {
      auto parsed = parse_decimal(value);
      if (!parsed) return fail(Rule::decimal_number);
      return format_decimal(*parsed);
    }
    case FieldType::date:
      if (!is_calendar_date(value)) return fail(Rule::date);
      return std::string(value);
    case FieldType::datetime: {
      auto canonical = canonical_datetime(value);
      if (!canonical) return fail(Rule::datetime);
      return *canonical;
    }
    case FieldType::select_one: {
      const Choice* choice = find_choice_by_name_or_number(field, value);
      if (choice == nullptr) return fail(Rule::choice, choice_names(field));
      return choice->name;
    }
    case FieldType::select_multiple: {
      std::vector<bool> chosen(field.choices.size(), false);
      std::size_t i = 0;
      while (i < value.size()) {
        while (i < value.size() && (value[i] == ' ' || value[i] == ',')) ++i;
        std::size_t start = i;
        while (i < value.size() && value[i] != ' ' && value[i] != ',') ++i;
        if (i == start) break;
        const Choice* choice = find_choice_by_name_or_number(field, value.substr(start, i - start));
        if (choice == nullptr) return fail(Rule::choices, choice_names(field));
        chosen[static_cast<std::size_t>(choice - field.choices.data())] = true;
      }
      std::string canonical;
      for (std::size_t k = 0; k < chosen.size(); ++k) {
        if (chosen[k]) canonical += (canonical.empty() ? "" : " ") + field.choices[k].name;
      }
      if (canonical.empty()) return fail(Rule::choices, choice_names(field));
      return canonical;
    }
    case FieldType::boolean: {
      auto canonical = canonical_boolean(value);
      if (!canonical) return fail(Rule::boolean);
      return *canonical;
    }
    case FieldType::geopoint: {
      auto canonical = canonical_geopoint(value);
      if (!canonical) return fail(Rule::geopoint);
      return *canonical;
    }
    case FieldType::note: return fail(Rule::note);
  }
  return fail(Rule::note);
}

Result<std::string> check_answer(const FormDefinition& form, const Field& field, std::string_view raw,
                                 const Answers& answers, const ValidationOptions& options) {
  AMANA_ASSIGN_OR_RETURN(std::string canonical, canonicalize(field, raw, options.language));
  if (!satisfies_constraint(form, field, canonical, answers, options.today)) {
    return invalid_argument(constraint_error(field, options.language));
  }
  return canonical;
}

Result<Answers> validate_submission(const FormDefinition& form, const Answers& given,
                                    const std::set<std::string, std::less<>>& explicitly_set,
                                    const ValidationOptions& options) {
  std::vector<std::string> errors;
  for (const auto& [name, value] : given) {
    if (form.find_field(name) == nullptr) {
      errors.push_back("unknown field '" + name + "' in form '" + form.id + "'");
    }
  }

  // Walk the form as a collector would: relevance and requiredness from earlier answers.
  Answers answers;
  std::vector<std::string> field_errors(form.fields.size());
  for (const Field& field : form.fields) {
    auto given_answer = given.find(field.name);
    bool answered = given_answer != given.end() && !trim(given_answer->second).empty();
    std::string& error = field_errors[static_cast<std::size_t>(&field - form.fields.data())];
    if (field.type == FieldType::note) {
      if (answered) error = field_error(field, options.language, Rule::note);
      continue;
    }
    if (!is_relevant(form, field, answers, options.today)) {
      if (answered && explicitly_set.count(field.name) != 0) {
        error = field_error(field, options.language, Rule::not_relevant, field.relevant->source());
      }
      continue;
    }
    if (answered) {
      auto canonical = canonicalize(field, given_answer->second, options.language);
      if (!canonical.ok()) {
        error = canonical.status().message();
        continue;
      }
      answers[field.name] = std::move(canonical).value();
    } else if (auto fallback = default_answer(field, options.today)) {
      answers[field.name] = *fallback;
    } else if (is_required(form, field, answers, options.today)) {
      error = field_error(field, options.language, Rule::required);
    }
  }
  // Constraints may compare with any answer (end date after start date), so they run on
  // the complete submission.
  for (const Field& field : form.fields) {
    std::string& error = field_errors[static_cast<std::size_t>(&field - form.fields.data())];
    auto answer = answers.find(field.name);
    if (error.empty() && answer != answers.end() &&
        !satisfies_constraint(form, field, answer->second, answers, options.today)) {
      error = constraint_error(field, options.language);
    }
  }
  for (std::string& error : field_errors) {
    if (!error.empty()) errors.push_back(std::move(error));
  }
  if (errors.empty()) return answers;
  std::string message;
  for (const std::string& error : errors) message += (message.empty() ? "" : "\n") + error;
  return invalid_argument(message);
}

Result<Answers> parse_answers_json(const FormDefinition& form, std::string_view json_text) {
  using nlohmann::json;
  json document;
  try {
    document = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    std::string what = e.what();
    if (auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
    return invalid_argument("answers are not valid JSON: " + what);
  }
  if (!document.is_object()) {
    return invalid_argument("answers must be a JSON object of field name -> answer");
  }
  Answers answers;
  for (const auto& [name, value] : document.items()) {
    if (form.find_field(name) == nullptr) {
      return invalid_argument("unknown field '" + name + "' in form '" + form.id +
                              "' (see `field-client forms` for its fields)");
    }
    auto wrong = [&, &field_name = name](std::string_view what) {
      return invalid_argument("field '" + field_name + "': " + std::string(what));
    };
    if (value.is_null()) continue;
    if (value.is_string()) {
      answers[name] = value.get<std::string>();
    } else if (value.is_boolean()) {
      answers[name] = value.get<bool>() ? "true" : "false";
    } else if (value.is_number_integer()) {
      answers[name] = std::to_string(value.get<std::int64_t>());
    } else if (value.is_number()) {
      answers[name] = value.dump();
    } else if (value.is_array()) {
      std::string joined;
      for (const json& item : value) {
        if (!item.is_string()) return wrong("a list answer may only hold choice names (strings)");
        joined += (joined.empty() ? "" : " ") + item.get<std::string>();
      }
      answers[name] = joined;
    } else {
      return wrong("an answer must be a string, number, boolean, list of choices or null");
    }
  }
  return answers;
}

}  // namespace amana::forms
