#include "common/answers.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "common/message_catalogue.h"
#include "common/text_fold.h"

namespace amana::forms {
namespace {

// Long enough for any narrative a case worker types in the field; short enough that a
// pasted file cannot bloat every sync.
constexpr std::size_t kMaxTextBytes = 10000;

// "name (label)": how every answer error starts, so the collector sees which question.
std::vector<MessageArg> about(const Field& field, std::vector<MessageArg> more = {}) {
  std::vector<MessageArg> args{{"field", field.name}, {"label", field.label}};
  for (MessageArg& arg : more) args.push_back(std::move(arg));
  return args;
}

Status field_error(const Field& field, MessageKey key, std::vector<MessageArg> more = {}) {
  return invalid_argument(Message(key, about(field, std::move(more))));
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
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

Status required_error(const Field& field) {
  if (!field.required_message.empty()) {
    return field_error(field, "answer.required_message", {{"message", field.required_message}});
  }
  return field_error(field, "answer.required");
}

// What decides whether the field is asked, as the not-relevant error shows it.
std::string relevance_source(const FormDefinition& form, const Field& field) {
  std::vector<std::string> parts;
  for (const Group* group : form.groups_of(field)) {
    if (group->relevant) parts.push_back(group->relevant->source());
  }
  if (field.relevant) parts.push_back(field.relevant->source());
  if (parts.size() == 1) return parts.front();
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "(" : " and (") + part + ")";
  return joined;
}

// The field with only the choices its filter offers now (retired ones kept, so that an old
// answer still reads).
Field filtered(const FormDefinition& form, const Field& field, const Answers& answers, const std::string& today) {
  Field copy = field;
  copy.choices.clear();
  for (const Choice* choice : available_choices(form, field, answers, today)) copy.choices.push_back(*choice);
  for (const Choice& choice : field.choices) {
    if (choice.retired) copy.choices.push_back(choice);
  }
  return copy;
}

// A computed field's value now; nullopt leaves it unanswered.
std::optional<std::string> computed_value(const FormDefinition& form, const Field& field, const Answers& answers,
                                          const std::optional<std::string>& previous,
                                          const ValidationOptions& options) {
  const bool kept = previous && !previous->empty();
  switch (field.type) {
    case FieldType::start:
      if (kept) return previous;
      return options.now.empty() ? std::nullopt : std::optional<std::string>(options.now);
    case FieldType::end: return options.now.empty() ? previous : std::optional<std::string>(options.now);
    case FieldType::today: return kept ? previous : std::optional<std::string>(options.today);
    case FieldType::deviceid:
      if (kept) return previous;
      return options.device_id.empty() ? std::nullopt : std::optional<std::string>(options.device_id);
    default: break;
  }
  if (!field.calculation) return previous;
  const expr::Value value = field.calculation->evaluate(make_context(form, answers, previous.value_or(""), options));
  if (value.is_number() && std::isnan(value.to_number())) return std::nullopt;
  const std::string text = value.to_string();
  if (text.empty()) return std::nullopt;
  if (field.type == FieldType::calculate) return text.substr(0, kMaxTextBytes);
  auto canonical = canonicalize(field, text);
  if (!canonical.ok()) return std::nullopt;
  return std::move(canonical).value();
}

// Whether the answer satisfies the field's constraint; an absent constraint always does.
bool satisfies_constraint(const FormDefinition& form, const Field& field, const std::string& canonical,
                          const Answers& answers, const std::string& today) {
  if (!field.constraint) return true;
  return field.constraint->evaluate(make_context(form, answers, canonical, today)).to_bool();
}

Status constraint_error(const Field& field) {
  if (!field.constraint_message.empty()) {
    return field_error(field, "answer.constraint_message", {{"message", field.constraint_message}});
  }
  return field_error(field, "answer.constraint_failed", {{"constraint", field.constraint->source()}});
}

}  // namespace

std::string text_language(const ValidationOptions& options) {
  if (!options.form_language.empty()) return options.form_language;
  return std::string(language_code(options.language));
}

expr::Context make_context(const FormDefinition& form, const Answers& answers,
                           const std::string& current, const std::string& today) {
  ValidationOptions options;
  options.today = today;
  return make_context(form, answers, current, options);
}

expr::Context make_context(const FormDefinition& form, const Answers& answers, const std::string& current,
                           const ValidationOptions& options) {
  expr::Context context;
  context.lookup = [&form, &answers](std::string_view name) -> std::optional<expr::Value> {
    auto answer = answers.find(name);
    const Field* field = form.find_field(name);
    if (answer == answers.end() || field == nullptr) return std::nullopt;
    return typed_value(*field, answer->second);
  };
  context.choice_label = [&form, language = text_language(options)](std::string_view name,
                                                                    std::string_view value) -> std::string {
    const Field* field = form.find_field(name);
    const Choice* choice = field ? field->find_choice(value) : nullptr;
    return choice ? choice->label.in(std::string_view(language)) : std::string();
  };
  context.current = current;
  context.today = options.today;
  context.now = options.now;
  return context;
}

bool is_group_relevant(const FormDefinition& form, const Group& group, const Answers& answers,
                       const std::string& today) {
  for (const Group* at = &group; at != nullptr; at = at->parent ? &form.groups[*at->parent] : nullptr) {
    if (at->relevant && !at->relevant->evaluate(make_context(form, answers, "", today)).to_bool()) return false;
  }
  return true;
}

bool is_relevant(const FormDefinition& form, const Field& field, const Answers& answers,
                 const std::string& today) {
  if (field.group && !is_group_relevant(form, form.groups[*field.group], answers, today)) return false;
  if (!field.relevant) return true;
  return field.relevant->evaluate(make_context(form, answers, "", today)).to_bool();
}

std::optional<std::string> default_answer(const FormDefinition& form, const Field& field, const Answers& answers,
                                          const ValidationOptions& options) {
  if (!field.default_expression) return default_answer(field, options.today);
  const expr::Value value = field.default_expression->evaluate(make_context(form, answers, "", options));
  if (value.is_number() && std::isnan(value.to_number())) return std::nullopt;
  const std::string text = value.to_string();
  if (text.empty()) return std::nullopt;
  auto canonical = canonicalize(field, text);
  if (!canonical.ok()) return std::nullopt;
  return std::move(canonical).value();
}

std::vector<const Choice*> available_choices(const FormDefinition& form, const Field& field,
                                             const Answers& answers, const std::string& today) {
  std::vector<const Choice*> available;
  const std::span<const Choice> offered = field.offered_choices();
  for (const Choice& choice : offered) {
    if (field.choice_filter) {
      expr::Context context = make_context(form, answers, "", today);
      context.column = [&choice](std::string_view column) -> std::optional<expr::Value> {
        if (column == "name") return expr::Value(choice.name);
        if (column == "label") return expr::Value(choice.label.en);
        if (auto it = choice.columns.find(column); it != choice.columns.end()) return expr::Value(it->second);
        return std::nullopt;
      };
      if (!field.choice_filter->evaluate(context).to_bool()) continue;
    }
    available.push_back(&choice);
  }
  return available;
}

std::string render_text(const FormDefinition& form, const LocalizedText& text, const Answers& answers,
                        std::string_view code) {
  const std::string& source = text.in(code);
  if (source.find("${") == std::string::npos) return source;
  std::string out;
  std::size_t at = 0;
  while (at < source.size()) {
    const std::size_t open = source.find("${", at);
    const std::size_t close = open == std::string::npos ? open : source.find('}', open + 2);
    if (close == std::string::npos) {
      out += source.substr(at);
      break;
    }
    out += source.substr(at, open - at);
    const std::string name = source.substr(open + 2, close - open - 2);
    const Field* field = form.find_field(name);
    const auto answer = answers.find(name);
    if (field != nullptr && answer != answers.end()) {
      if (field->type == FieldType::select_one || field->type == FieldType::select_multiple) {
        std::string shown;
        const std::string_view names = answer->second;
        for (std::size_t from = 0; from < names.size();) {
          std::size_t to = names.find(' ', from);
          if (to == std::string_view::npos) to = names.size();
          const std::string_view item = names.substr(from, to - from);
          from = to + 1;
          if (item.empty()) continue;
          const Choice* choice = field->find_choice(item);
          shown += (shown.empty() ? "" : ", ") + (choice ? choice->label.in(code) : std::string(item));
        }
        out += shown;
      } else {
        out += answer->second;
      }
    }
    at = close + 1;
  }
  return out;
}

void recompute(const FormDefinition& form, Answers& answers, const ValidationOptions& options) {
  for (std::size_t index : form.evaluation_order) {
    const Field& field = form.fields[index];
    if (!is_relevant(form, field, answers, options.today)) {
      answers.erase(field.name);
      continue;
    }
    if (!field.computed()) continue;
    auto existing = answers.find(field.name);
    std::optional<std::string> previous;
    if (existing != answers.end()) previous = existing->second;
    if (auto value = computed_value(form, field, answers, previous, options)) answers[field.name] = *value;
    else answers.erase(field.name);
  }
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
      const Choice* choice = find_choice(field, value);
      if (choice == nullptr) return field_error(field, "answer.choice", {{"choices", choice_list(field)}});
      return choice->name;  // a former name is stored as the current one
    }
    case FieldType::select_multiple: {
      auto chosen = chosen_choices(field, value);
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

Result<std::string> check_answer(const FormDefinition& form, const Field& field, std::string_view raw,
                                 const Answers& answers, const ValidationOptions& options) {
  std::string canonical;
  if (field.choice_filter) {
    AMANA_ASSIGN_OR_RETURN(canonical, canonicalize(filtered(form, field, answers, options.today), raw));
  } else {
    AMANA_ASSIGN_OR_RETURN(canonical, canonicalize(field, raw));
  }
  if (!satisfies_constraint(form, field, canonical, answers, options.today)) return constraint_error(field);
  return canonical;
}

Result<Answers> validate_submission(const FormDefinition& form, const Answers& given,
                                    const std::set<std::string, std::less<>>& explicitly_set,
                                    const ValidationOptions& options) {
  (void)options.language;  // messages are rendered where they are shown (Status::message_in)
  std::vector<Message> errors;
  for (const auto& [name, value] : given) {
    if (form.find_field(name) == nullptr) {
      errors.push_back(Message("answer.unknown_field", {{"field", name}, {"form", form.id}}));
    }
  }

  // Walk the form as a collector would: relevance and requiredness from earlier answers,
  // each field after what its value depends on (evaluation_order).
  Answers answers;
  std::vector<std::optional<Status>> field_errors(form.fields.size());
  for (std::size_t index : form.evaluation_order) {
    const Field& field = form.fields[index];
    auto given_answer = given.find(field.name);
    bool answered = given_answer != given.end() && !trim(given_answer->second).empty();
    const bool set = answered && explicitly_set.count(field.name) != 0;
    std::optional<Status>& error = field_errors[index];
    if (field.type == FieldType::note) {
      if (answered) error = field_error(field, "answer.note");
      continue;
    }
    if (!is_relevant(form, field, answers, options.today)) {
      if (set) error = field_error(field, "answer.not_relevant", {{"condition", relevance_source(form, field)}});
      continue;
    }
    if (field.computed()) {
      std::optional<std::string> previous;
      if (answered) previous = std::string(trim(given_answer->second));
      auto value = computed_value(form, field, answers, previous, options);
      // Submitting back what the engine computes (a record validated before) is no
      // answer; a calculation given another value is refused. Metadata is the device's
      // own and is filled whatever was given.
      if (set && field.calculation && value != previous) {
        error = field_error(field, "answer.computed");
        continue;
      }
      if (value) answers[field.name] = *value;
      continue;
    }
    if (field.read_only && set) {
      error = field_error(field, "answer.read_only");
      continue;
    }
    if (answered) {
      auto canonical = field.choice_filter
                           ? canonicalize(filtered(form, field, answers, options.today), given_answer->second)
                           : canonicalize(field, given_answer->second);
      if (!canonical.ok()) {
        error = canonical.status();
        continue;
      }
      answers[field.name] = std::move(canonical).value();
    } else if (auto fallback = default_answer(form, field, answers, options)) {
      answers[field.name] = *fallback;
    } else if (!field.read_only && is_required(form, field, answers, options.today)) {
      error = required_error(field);
    }
  }
  // Constraints may compare with any answer (end date after start date), so they run on
  // the complete submission.
  for (const Field& field : form.fields) {
    std::optional<Status>& error = field_errors[static_cast<std::size_t>(&field - form.fields.data())];
    auto answer = answers.find(field.name);
    if (!error && answer != answers.end() &&
        !satisfies_constraint(form, field, answer->second, answers, options.today)) {
      error = constraint_error(field);
    }
  }
  for (const std::optional<Status>& error : field_errors) {
    if (error) errors.insert(errors.end(), error->lines().begin(), error->lines().end());
  }
  if (errors.empty()) return answers;
  return Status(ErrorCode::invalid_argument, std::move(errors));
}

Result<Answers> parse_answers_json(const FormDefinition& form, std::string_view json_text) {
  using nlohmann::json;
  json document;
  try {
    document = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    std::string what = e.what();
    if (auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
    return invalid_argument(Message("answer.file_not_json", {{"detail", what}}));
  }
  if (!document.is_object()) {
    return invalid_argument(Message("answer.file_not_object"));
  }
  Answers answers;
  for (const auto& [name, value] : document.items()) {
    if (form.find_field(name) == nullptr) {
      return invalid_argument(Message("answer.file_unknown_field", {{"field", name}, {"form", form.id}}));
    }
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
        if (!item.is_string()) return invalid_argument(Message("answer.file_list_items", {{"field", name}}));
        // Commas, not spaces: a list may hold labels, and labels have spaces.
        joined += (joined.empty() ? "" : ", ") + item.get<std::string>();
      }
      answers[name] = joined;
    } else {
      return invalid_argument(Message("answer.file_value_type", {{"field", name}}));
    }
  }
  return answers;
}

}  // namespace amana::forms
