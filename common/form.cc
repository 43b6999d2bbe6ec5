#include "common/form.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "common/answers.h"
#include "common/message_catalogue.h"
#include "common/service_types.h"

namespace amana::forms {
namespace {

using nlohmann::json;

// A definition may later arrive from the server; these bound what one may cost to load.
constexpr std::size_t kMaxDefinitionBytes = 1 << 20;
constexpr std::size_t kMaxFields = 1000;
constexpr std::size_t kMaxChoices = 500;

bool is_identifier(std::string_view name) {
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto rest = [&](char c) { return start(c) || (c >= '0' && c <= '9'); };
  return !name.empty() && name.size() <= 64 && start(name[0]) &&
         std::all_of(name.begin() + 1, name.end(), rest);
}

// A choice's stored value: XLSForms often number their choices ("1", "2"), and ODK stores
// those names, so digits are accepted; a space would split a select_multiple answer.
bool is_choice_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '.';
         });
}

// A language's key in a text: a code ("fr", "prs") or a name as a spreadsheet wrote it.
bool is_language_key(std::string_view key) {
  return !key.empty() && key.size() <= 32 && key[0] >= 'a' && key[0] <= 'z' &&
         std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

bool is_form_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

Status check_keys(const json& object, std::initializer_list<std::string_view> allowed,
                  std::string_view where) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string names;
      for (std::string_view name : allowed) names += (names.empty() ? "" : ", ") + std::string(name);
      return invalid_argument(std::string(where) + ": unknown key '" + key +
                              "' (allowed: " + names + ")");
    }
  }
  return Status();
}

Result<std::string> get_string(const json& object, const char* key, std::string_view where) {
  if (!object.contains(key)) return invalid_argument(std::string(where) + ": '" + key + "' is missing");
  if (!object[key].is_string()) {
    return invalid_argument(std::string(where) + ": '" + key + "' must be a string");
  }
  return object[key].get<std::string>();
}

// {"en": "...", "ar": "...", "fr": "..."}, or a plain string for English only. English is
// required because it is the fallback for every other language.
constexpr std::size_t kMaxLanguages = 16;

Result<LocalizedText> get_text(const json& value, std::string_view where) {
  LocalizedText text;
  if (value.is_string()) {
    text.en = value.get<std::string>();
  } else if (value.is_object()) {
    if (value.size() > kMaxLanguages + 2) {
      return invalid_argument(std::string(where) + ": more than " + std::to_string(kMaxLanguages + 2) + " languages");
    }
    AMANA_ASSIGN_OR_RETURN(text.en, get_string(value, "en", where));
    for (const auto& [key, translation] : value.items()) {
      if (key == "en") continue;
      if (!is_language_key(key)) {
        return invalid_argument(std::string(where) + ": '" + key +
                                "' is not a language: use its code in lower case (\"ar\", \"fr\")");
      }
      if (!translation.is_string()) return invalid_argument(std::string(where) + ": '" + key + "' must be a string");
      if (key == "ar") text.ar = translation.get<std::string>();
      else text.more.emplace_back(key, translation.get<std::string>());
    }
  } else {
    return invalid_argument(std::string(where) + ": must be {\"en\": ..., \"ar\": ...}");
  }
  if (text.en.empty()) return invalid_argument(std::string(where) + ": the English text is empty");
  return text;
}

Result<expr::Expression> get_expression(const json& field, const char* key,
                                        std::string_view where, expr::Syntax syntax = expr::Syntax::standard) {
  AMANA_ASSIGN_OR_RETURN(std::string source, get_string(field, key, where));
  auto parsed = expr::Expression::parse(source, syntax);
  if (!parsed.ok()) return parsed.status().with_context(std::string(where) + ": " + key);
  return parsed;
}

// The lists of choices that code relies on too, declared once outside any form.
Result<std::vector<Choice>> shared_choices(std::string_view list, std::string_view where) {
  if (list != "service_types") {
    return invalid_argument(std::string(where) + ": unknown choice_list '" + std::string(list) +
                            "' (known: service_types)");
  }
  std::vector<Choice> choices;
  for (const services::ServiceType& type : services::all()) {
    choices.push_back({std::string(type.code), {std::string(type.en), std::string(type.ar)},
                       std::string(type.former_code), type.retired});
  }
  return choices;
}

bool is_select(FieldType type) {
  return type == FieldType::select_one || type == FieldType::select_multiple;
}

constexpr std::pair<Disclosure, std::string_view> kDisclosureNames[] = {
    {Disclosure::as_collected, "as_collected"}, {Disclosure::dropped, "drop"}, {Disclosure::age_band, "age_band"},
    {Disclosure::period, "period"},             {Disclosure::area, "area"},
};
constexpr std::size_t kMaxAreas = 200;

Disclosure default_disclosure(const Field& field) {
  switch (field.type) {
    case FieldType::text:
    case FieldType::geopoint:
    case FieldType::note:
    case FieldType::deviceid:
    // A calculation may join sensitive answers (a name and a place): shown only when declared.
    case FieldType::calculate: return Disclosure::dropped;
    case FieldType::date:
    case FieldType::datetime:
    case FieldType::start:
    case FieldType::end:
    case FieldType::today: return Disclosure::period;
    default: return Disclosure::as_collected;
  }
}

Result<std::vector<Area>> parse_areas(const json& list, const std::string& where) {
  if (!list.is_array() || list.empty() || list.size() > kMaxAreas) {
    return invalid_argument(where + ": 'areas' must be a list of 1 to " + std::to_string(kMaxAreas) + " places");
  }
  std::vector<Area> areas;
  for (const json& entry : list) {
    Area area;
    if (entry.is_string()) {
      area.name = entry.get<std::string>();
    } else if (entry.is_object()) {
      AMANA_RETURN_IF_ERROR(check_keys(entry, {"name", "spellings"}, where + ": areas"));
      AMANA_ASSIGN_OR_RETURN(area.name, get_string(entry, "name", where + ": areas"));
      if (entry.contains("spellings")) {
        if (!entry["spellings"].is_array() || entry["spellings"].size() > 20) {
          return invalid_argument(where + ": area '" + area.name + "': 'spellings' must be a list of at most 20 names");
        }
        for (const json& spelling : entry["spellings"]) {
          if (!spelling.is_string() || spelling.get<std::string>().empty()) {
            return invalid_argument(where + ": area '" + area.name + "': each spelling must be a non-empty string");
          }
          area.spellings.push_back(spelling.get<std::string>());
        }
      }
    } else {
      return invalid_argument(where + ": each area must be a name or {\"name\": ..., \"spellings\": [...]}");
    }
    if (area.name.empty() || area.name.size() > 100) {
      return invalid_argument(where + ": an area's name must be 1 to 100 bytes");
    }
    areas.push_back(std::move(area));
  }
  return areas;
}

// "disclosure" and "areas": what the field may show in a de-identified dataset.
Status parse_disclosure(const json& object, Field& field, const std::string& where) {
  field.disclosure = field.sensitive ? Disclosure::dropped : default_disclosure(field);
  if (object.contains("disclosure")) {
    AMANA_ASSIGN_OR_RETURN(std::string name, get_string(object, "disclosure", where));
    const auto* found = std::find_if(std::begin(kDisclosureNames), std::end(kDisclosureNames),
                                     [&](const auto& entry) { return entry.second == name; });
    if (found == std::end(kDisclosureNames)) {
      return invalid_argument(where + ": unknown disclosure '" + name +
                              "' (known: as_collected, drop, age_band, period, area)");
    }
    const Disclosure declared = found->first;
    if (field.sensitive && declared != Disclosure::dropped) {
      return invalid_argument(where + ": a sensitive field is always dropped from de-identified datasets, "
                              "so its disclosure can only be 'drop'");
    }
    if (field.type == FieldType::note) return invalid_argument(where + ": a note has no value to disclose");
    if (declared == Disclosure::age_band && field.type != FieldType::integer && field.type != FieldType::calculate) {
      return invalid_argument(where + ": 'age_band' is for integer fields (ages in years)");
    }
    if (declared == Disclosure::period && field.type != FieldType::date && field.type != FieldType::datetime &&
        field.type != FieldType::calculate && default_disclosure(field) != Disclosure::period) {
      return invalid_argument(where + ": 'period' is for date and datetime fields");
    }
    if (declared == Disclosure::area && field.type != FieldType::text) {
      return invalid_argument(where + ": 'area' is for text fields naming a place");
    }
    field.disclosure = declared;
  }
  if (field.disclosure == Disclosure::area) {
    if (!object.contains("areas")) return invalid_argument(where + ": disclosure 'area' needs the list of 'areas'");
    AMANA_ASSIGN_OR_RETURN(field.areas, parse_areas(object["areas"], where));
  } else if (object.contains("areas")) {
    return invalid_argument(where + ": 'areas' is only for a field whose disclosure is 'area'");
  }
  return Status();
}

bool is_metadata(FieldType type) {
  return type == FieldType::start || type == FieldType::end || type == FieldType::today ||
         type == FieldType::deviceid;
}

Result<Field> parse_field(const json& object, std::size_t index) {
  std::string where = "field " + std::to_string(index + 1);
  if (!object.is_object()) return invalid_argument(where + ": must be an object");
  Field field;
  AMANA_ASSIGN_OR_RETURN(field.name, get_string(object, "name", where));
  if (!is_identifier(field.name)) {
    return invalid_argument(where + ": name '" + field.name +
                            "' must be a letter or '_' followed by letters, digits or '_'");
  }
  where = "field '" + field.name + "'";
  AMANA_RETURN_IF_ERROR(check_keys(object,
                                   {"name", "type", "label", "hint", "required", "relevant",
                                    "constraint", "constraint_message", "choices", "default",
                                    "sensitive", "disclosure", "areas", "appearance", "choice_list",
                                    "calculation", "read_only", "required_message", "default_expression",
                                    "choice_filter"},
                                   where));

  AMANA_ASSIGN_OR_RETURN(std::string type_name, get_string(object, "type", where));
  auto type = parse_field_type(type_name);
  if (!type.ok()) return type.status().with_context(where);
  field.type = *type;

  const bool hidden = field.type == FieldType::calculate || is_metadata(field.type);
  if (object.contains("label")) {
    AMANA_ASSIGN_OR_RETURN(field.label, get_text(object["label"], where + ": label"));
  } else if (hidden) {
    field.label.en = field.name;  // never shown to a collector; messages and exports name it
  } else {
    return invalid_argument(where + ": 'label' is missing");
  }
  if (object.contains("hint")) {
      AMANA_ASSIGN_OR_RETURN(field.hint, get_text(object["hint"], where + ": hint"));
    }

  if (object.contains("required")) {
    const json& required = object["required"];
    if (required.is_boolean()) {
      field.required = required.get<bool>();
    } else if (required.is_string()) {
      AMANA_ASSIGN_OR_RETURN(field.required_if, get_expression(object, "required", where));
    } else {
      return invalid_argument(where + ": 'required' must be true, false or an expression");
    }
  }
  if (object.contains("relevant")) {
    AMANA_ASSIGN_OR_RETURN(field.relevant, get_expression(object, "relevant", where));
  }
  if (object.contains("constraint")) {
    AMANA_ASSIGN_OR_RETURN(field.constraint, get_expression(object, "constraint", where));
  }
  if (object.contains("constraint_message")) {
    if (!field.constraint) return invalid_argument(where + ": 'constraint_message' without a 'constraint'");
    AMANA_ASSIGN_OR_RETURN(field.constraint_message,
                           get_text(object["constraint_message"], where + ": constraint_message"));
  }
  if (object.contains("required_message")) {
    AMANA_ASSIGN_OR_RETURN(field.required_message, get_text(object["required_message"], where + ": required_message"));
  }
  if (object.contains("calculation")) {
    if (field.type == FieldType::note || is_metadata(field.type)) {
      return invalid_argument(where + ": a " + std::string(field_type_name(field.type)) + " has no calculation");
    }
    AMANA_ASSIGN_OR_RETURN(field.calculation, get_expression(object, "calculation", where));
  } else if (field.type == FieldType::calculate) {
    return invalid_argument(where + ": a calculate field needs its 'calculation'");
  }
  if (object.contains("default_expression")) {
    if (object.contains("default") || field.calculation) {
      return invalid_argument(where + ": 'default_expression' cannot go with 'default' or 'calculation'");
    }
    AMANA_ASSIGN_OR_RETURN(field.default_expression, get_expression(object, "default_expression", where));
  }
  if (object.contains("read_only")) {
    if (!object["read_only"].is_boolean()) return invalid_argument(where + ": 'read_only' must be true or false");
    field.read_only = object["read_only"].get<bool>();
  }
  if (hidden && (field.required || field.required_if || object.contains("constraint") || field.read_only ||
                 object.contains("default") || field.default_expression)) {
    return invalid_argument(where + ": a " + std::string(field_type_name(field.type)) +
                            " is never asked, so it cannot be required, constrained, read-only or have a default");
  }
  if (object.contains("sensitive")) {
    if (!object["sensitive"].is_boolean()) return invalid_argument(where + ": 'sensitive' must be true or false");
    field.sensitive = object["sensitive"].get<bool>();
  }

  if (object.contains("appearance")) {
    if (field.type != FieldType::text || object["appearance"] != "numbers") {
      return invalid_argument(where + ": the only appearance is \"numbers\", on a text field (a phone number)");
    }
    field.numeric_text = true;
  }

  if (object.contains("choice_list")) {
    if (!is_select(field.type) || object.contains("choices")) {
      return invalid_argument(where + ": 'choice_list' is for a select field without 'choices'");
    }
    AMANA_ASSIGN_OR_RETURN(field.choice_list, get_string(object, "choice_list", where));
    AMANA_ASSIGN_OR_RETURN(field.choices, shared_choices(field.choice_list, where));
  }
  if (object.contains("choices")) {
    if (!is_select(field.type)) return invalid_argument(where + ": only select fields have 'choices'");
    const json& choices = object["choices"];
    if (!choices.is_array()) return invalid_argument(where + ": 'choices' must be an array");
    if (choices.size() > kMaxChoices) {
      return invalid_argument(where + ": more than " + std::to_string(kMaxChoices) + " choices");
    }
    std::set<std::string, std::less<>> seen;
    for (const json& entry : choices) {
      if (!entry.is_object()) return invalid_argument(where + ": each choice must be an object");
      std::string choice_where = where + ": choice " + std::to_string(field.choices.size() + 1);
      AMANA_RETURN_IF_ERROR(check_keys(entry, {"name", "label", "columns"}, choice_where));
      Choice choice;
      AMANA_ASSIGN_OR_RETURN(choice.name, get_string(entry, "name", choice_where));
      if (!is_choice_name(choice.name)) {
        return invalid_argument(choice_where + ": name '" + choice.name +
                                "' must be letters, digits, '_', '-' or '.', without spaces");
      }
      if (entry.contains("columns")) {
        const json& columns = entry["columns"];
        if (!columns.is_object() || columns.size() > 20) {
          return invalid_argument(choice_where + ": 'columns' must be an object of at most 20 texts");
        }
        for (const auto& [column, value] : columns.items()) {
          if (!is_identifier(column) || !value.is_string() || column == "name" || column == "label") {
            return invalid_argument(choice_where + ": column '" + column +
                                    "' must be an identifier other than name and label, with a text value");
          }
          choice.columns.emplace(column, value.get<std::string>());
        }
      }
      if (!seen.insert(choice.name).second) {
        return invalid_argument(where + ": choice '" + choice.name + "' appears twice");
      }
      if (!entry.contains("label")) return invalid_argument(choice_where + ": 'label' is missing");
      AMANA_ASSIGN_OR_RETURN(choice.label, get_text(entry["label"], choice_where + ": label"));
      field.choices.push_back(std::move(choice));
    }
  }
  if (is_select(field.type) && field.choices.empty()) {
    return invalid_argument(where + ": a " + std::string(field_type_name(field.type)) +
                            " field needs 'choices'");
  }
  if (object.contains("choice_filter")) {
    if (!is_select(field.type)) return invalid_argument(where + ": only select fields have a 'choice_filter'");
    AMANA_ASSIGN_OR_RETURN(field.choice_filter,
                           get_expression(object, "choice_filter", where, expr::Syntax::choice_filter));
    for (const std::string& column : field.choice_filter->columns()) {
      const bool known = column == "name" || column == "label" ||
                         std::any_of(field.choices.begin(), field.choices.end(),
                                     [&](const Choice& c) { return c.columns.count(column) != 0; });
      if (!known) {
        return invalid_argument(where + ": choice_filter: '" + column +
                                "' is not a column of its choices (write ${" + column + "} for a field)");
      }
    }
  }

  if (field.type == FieldType::note &&
      (field.required || field.required_if || field.constraint || object.contains("default") ||
       field.default_expression || field.read_only)) {
    return invalid_argument(where + ": a note takes no answer, so it cannot be required, "
                            "constrained or have a default");
  }
  AMANA_RETURN_IF_ERROR(parse_disclosure(object, field, where));
  if (object.contains("default")) {
    AMANA_ASSIGN_OR_RETURN(std::string value, get_string(object, "default", where));
    if (field.type == FieldType::date && value == "today") {
      field.default_value = value;
    } else {
      auto canonical = canonicalize(field, value);
      if (!canonical.ok()) return canonical.status().with_context(where + ": default");
      field.default_value = *canonical;
    }
  }
  return field;
}

// The ${name}s written inside a label or hint ("How old is ${child_name}?").
std::vector<std::string> text_references(const LocalizedText& text) {
  std::vector<std::string> names;
  auto scan = [&](const std::string& s) {
    for (std::size_t at = s.find("${"); at != std::string::npos; at = s.find("${", at + 2)) {
      const std::size_t close = s.find('}', at + 2);
      if (close == std::string::npos) break;
      names.push_back(s.substr(at + 2, close - at - 2));
    }
  };
  scan(text.en);
  scan(text.ar);
  for (const auto& [language, translation] : text.more) scan(translation);
  return names;
}

// Relevance, requiredness, defaults and choice filters are decided as the collector walks
// the form, from the answers given so far, so they may only look back. Constraints see
// the whole submission, labels show any answer, and calculations may use any field
// (cycles are refused by evaluation_order()).
Status check_references(const FormDefinition& form) {
  auto position = [&](const std::string& name) -> std::optional<std::size_t> {
    for (std::size_t k = 0; k < form.fields.size(); ++k) {
      if (form.fields[k].name == name) return k;
    }
    return std::nullopt;
  };
  auto check_names = [&](const std::vector<std::string>& names, const std::string& where,
                         std::optional<std::size_t> before, const std::string& owner) -> Status {
    for (const std::string& name : names) {
      const auto at = position(name);
      if (!at) {
        const bool group = std::any_of(form.groups.begin(), form.groups.end(),
                                       [&](const Group& g) { return g.name == name; });
        return invalid_argument(where + "${" + name + "} is " +
                                (group ? "a group, which has no value" : "not a field of this form"));
      }
      if (form.fields[*at].type == FieldType::note) {
        return invalid_argument(where + "${" + name + "} is a note and has no value");
      }
      if (before && *at >= *before) {
        return invalid_argument(where + "${" + name + "} must come before '" + owner + "'");
      }
    }
    return Status();
  };
  for (std::size_t i = 0; i < form.fields.size(); ++i) {
    const Field& field = form.fields[i];
    auto check = [&](const std::optional<expr::Expression>& expression, std::string_view what,
                     bool earlier_only) -> Status {
      if (!expression) return Status();
      return check_names(expression->references(), "field '" + field.name + "': " + std::string(what) + ": ",
                         earlier_only ? std::optional<std::size_t>(i) : std::nullopt, field.name);
    };
    AMANA_RETURN_IF_ERROR(check(field.relevant, "relevant", true));
    AMANA_RETURN_IF_ERROR(check(field.required_if, "required", true));
    AMANA_RETURN_IF_ERROR(check(field.default_expression, "default_expression", true));
    AMANA_RETURN_IF_ERROR(check(field.choice_filter, "choice_filter", true));
    AMANA_RETURN_IF_ERROR(check(field.constraint, "constraint", false));
    AMANA_RETURN_IF_ERROR(check(field.calculation, "calculation", false));
    AMANA_RETURN_IF_ERROR(check_names(text_references(field.label), "field '" + field.name + "': label: ",
                                      std::nullopt, field.name));
    AMANA_RETURN_IF_ERROR(check_names(text_references(field.hint), "field '" + field.name + "': hint: ",
                                      std::nullopt, field.name));
  }
  // A group's relevance is decided before its first question is asked.
  for (std::size_t g = 0; g < form.groups.size(); ++g) {
    const Group& group = form.groups[g];
    std::optional<std::size_t> first;
    for (std::size_t k = 0; k < form.fields.size() && !first; ++k) {
      for (const Group* holder : form.groups_of(form.fields[k])) {
        if (holder == &group) first = k;
      }
    }
    if (group.relevant && first) {
      AMANA_RETURN_IF_ERROR(check_names(group.relevant->references(), "group '" + group.name + "': relevant: ",
                                        first, "the group's first question"));
    }
    AMANA_RETURN_IF_ERROR(check_names(text_references(group.label), "group '" + group.name + "': label: ",
                                      std::nullopt, group.name));
  }
  return Status();
}

// The fields each field's value depends on: what its calculation uses, and what decides
// whether it is relevant (its own relevance and its groups'), required, defaulted and
// which choices it offers.
std::vector<std::vector<std::size_t>> dependencies(const FormDefinition& form) {
  std::map<std::string_view, std::size_t> index;
  for (std::size_t k = 0; k < form.fields.size(); ++k) index.emplace(form.fields[k].name, k);
  std::vector<std::vector<std::size_t>> edges(form.fields.size());
  for (std::size_t k = 0; k < form.fields.size(); ++k) {
    const Field& field = form.fields[k];
    auto add = [&](const std::optional<expr::Expression>& expression) {
      if (!expression) return;
      for (const std::string& name : expression->references()) {
        if (auto it = index.find(name); it != index.end()) edges[k].push_back(it->second);
      }
    };
    add(field.calculation);
    add(field.relevant);
    add(field.required_if);
    add(field.default_expression);
    add(field.choice_filter);
    for (const Group* group : form.groups_of(field)) add(group->relevant);
  }
  return edges;
}

// Dependencies first, in form order where nothing looks ahead; a cycle is refused naming
// every field on it, in the order each depends on the next.
Result<std::vector<std::size_t>> evaluation_order(const FormDefinition& form) {
  const auto edges = dependencies(form);
  enum class Mark : std::uint8_t { unseen, open, done };
  std::vector<Mark> marks(form.fields.size(), Mark::unseen);
  std::vector<std::size_t> order;
  order.reserve(form.fields.size());
  std::vector<std::size_t> path;
  // Iterative, so that a long chain of calculations cannot exhaust the stack.
  for (std::size_t root = 0; root < form.fields.size(); ++root) {
    if (marks[root] != Mark::unseen) continue;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{root, 0}};
    marks[root] = Mark::open;
    path.assign(1, root);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < edges[node].size()) {
        const std::size_t to = edges[node][next++];
        if (marks[to] == Mark::open) {
          std::string cycle;
          const auto from = std::find(path.begin(), path.end(), to);
          for (auto it = from; it != path.end(); ++it) cycle += form.fields[*it].name + " -> ";
          cycle += form.fields[to].name;
          return invalid_argument("calculation cycle: " + cycle +
                                  " (each is computed from the next): break the cycle");
        }
        if (marks[to] == Mark::unseen) {
          marks[to] = Mark::open;
          path.push_back(to);
          stack.emplace_back(to, 0);
        }
        continue;
      }
      marks[node] = Mark::done;
      order.push_back(node);
      path.pop_back();
      stack.pop_back();
    }
  }
  return order;
}

constexpr std::size_t kMaxGroups = 200;
constexpr int kMaxGroupDepth = 8;

Result<Group> parse_group(const json& object, std::optional<std::size_t> parent, const std::string& at) {
  Group group;
  group.parent = parent;
  AMANA_ASSIGN_OR_RETURN(group.name, get_string(object, "name", at));
  if (!is_identifier(group.name)) {
    return invalid_argument(at + ": name '" + group.name + "' must be a letter or '_' followed by letters, digits or '_'");
  }
  const std::string where = "group '" + group.name + "'";
  AMANA_RETURN_IF_ERROR(check_keys(object, {"name", "type", "label", "relevant", "appearance", "fields"}, where));
  if (object.contains("label")) {
    AMANA_ASSIGN_OR_RETURN(group.label, get_text(object["label"], where + ": label"));
  }
  if (object.contains("relevant")) {
    AMANA_ASSIGN_OR_RETURN(group.relevant, get_expression(object, "relevant", where));
  }
  if (object.contains("appearance")) {
    if (object["appearance"] != "field-list") {
      return invalid_argument(where + ": the only appearance of a group is \"field-list\" (its questions on one page)");
    }
    group.field_list = true;
  }
  return group;
}

// Fields and groups of one level, appended in order: the fields flat, each knowing its
// innermost group.
Status parse_items(const json& items, std::optional<std::size_t> parent, int depth, FormDefinition& form,
                   std::set<std::string, std::less<>>& names, const std::string& where) {
  // At the top level `where` is empty: the caller puts the form's name in front.
  const std::string at_level = where.empty() ? "" : where + ": ";
  if (!items.is_array() || items.empty()) return invalid_argument(at_level + "'fields' must be a non-empty array");
  for (const json& item : items) {
    if (form.fields.size() >= kMaxFields) {
      return invalid_argument(at_level + "more than " + std::to_string(kMaxFields) + " fields");
    }
    if (item.is_object() && item.contains("type") && item["type"] == "group") {
      const std::string at = "group " + std::to_string(form.groups.size() + 1);
      if (depth >= kMaxGroupDepth) return invalid_argument(at + ": groups nested deeper than " + std::to_string(kMaxGroupDepth));
      if (form.groups.size() >= kMaxGroups) return invalid_argument(at + ": more than " + std::to_string(kMaxGroups) + " groups");
      AMANA_ASSIGN_OR_RETURN(Group group, parse_group(item, parent, at));
      if (!names.insert(group.name).second) return invalid_argument("'" + group.name + "' appears twice");
      if (!item.contains("fields")) return invalid_argument("group '" + group.name + "': 'fields' is missing");
      const std::size_t index = form.groups.size();
      form.groups.push_back(std::move(group));
      AMANA_RETURN_IF_ERROR(parse_items(item["fields"], index, depth + 1, form, names, "group '" + form.groups[index].name + "'"));
      continue;
    }
    if (item.is_object() && item.contains("type") && (item["type"] == "repeat" || item["type"] == "begin repeat")) {
      return invalid_argument(at_level + "a repeat is not supported yet");
    }
    auto field = parse_field(item, form.fields.size());
    if (!field.ok()) return field.status();
    if (!names.insert(field->name).second) return invalid_argument("field '" + field->name + "' appears twice");
    field->group = parent;
    form.fields.push_back(std::move(field).value());
  }
  return Status();
}

// The further languages the form is written in, in the order first met.
std::vector<std::string> languages_of(const FormDefinition& form) {
  std::vector<std::string> languages;
  auto note = [&](const LocalizedText& text) {
    for (const auto& [code, translation] : text.more) {
      if (std::find(languages.begin(), languages.end(), code) == languages.end()) languages.push_back(code);
    }
  };
  note(form.title);
  for (const Group& group : form.groups) note(group.label);
  for (const Field& field : form.fields) {
    note(field.label);
    note(field.hint);
    for (const Choice& choice : field.choices) note(choice.label);
  }
  return languages;
}

}  // namespace

Result<Language> parse_language(std::string_view code) {
  if (code == "en") return Language::en;
  if (code == "ar") return Language::ar;
  return invalid_argument(Message("form.unknown_language", {{"language", std::string(code)}}));
}

namespace {
constexpr std::pair<FieldType, std::string_view> kTypeNames[] = {
    {FieldType::text, "text"},
    {FieldType::integer, "integer"},
    {FieldType::decimal, "decimal"},
    {FieldType::date, "date"},
    {FieldType::datetime, "datetime"},
    {FieldType::select_one, "select_one"},
    {FieldType::select_multiple, "select_multiple"},
    {FieldType::boolean, "boolean"},
    {FieldType::geopoint, "geopoint"},
    {FieldType::note, "note"},
    {FieldType::calculate, "calculate"},
    {FieldType::start, "start"},
    {FieldType::end, "end"},
    {FieldType::today, "today"},
    {FieldType::deviceid, "deviceid"},
};
}  // namespace

std::string_view field_type_name(FieldType type) {
  for (const auto& [candidate, name] : kTypeNames) {
    if (candidate == type) return name;
  }
  return "unknown";
}

Result<FieldType> parse_field_type(std::string_view name) {
  for (const auto& [type, candidate] : kTypeNames) {
    if (candidate == name) return type;
  }
  std::string names;
  for (const auto& [type, candidate] : kTypeNames) names += (names.empty() ? "" : ", ") + std::string(candidate);
  return invalid_argument("unknown field type '" + std::string(name) + "' (known: " + names + ")");
}

std::string_view disclosure_name(Disclosure disclosure) {
  for (const auto& [candidate, name] : kDisclosureNames) {
    if (candidate == disclosure) return name;
  }
  return "drop";
}

const Choice* Field::find_choice(std::string_view choice_name) const {
  for (const Choice& choice : choices) {
    if (choice.name == choice_name) return &choice;
  }
  for (const Choice& choice : choices) {
    if (!choice.former_name.empty() && choice.former_name == choice_name) return &choice;
  }
  return nullptr;
}

std::span<const Choice> Field::offered_choices() const {
  std::size_t offered = 0;
  while (offered < choices.size() && !choices[offered].retired) ++offered;
  return {choices.data(), offered};
}

bool Field::computed() const {
  return calculation.has_value() || type == FieldType::calculate || is_metadata(type);
}

bool Field::asked() const { return type != FieldType::note && !computed() && !read_only; }

std::vector<const Group*> FormDefinition::groups_of(const Field& field) const {
  std::vector<const Group*> chain;
  for (std::optional<std::size_t> at = field.group; at && *at < groups.size(); at = groups[*at].parent) {
    chain.insert(chain.begin(), &groups[*at]);
  }
  return chain;
}

const Field* FormDefinition::find_field(std::string_view name) const {
  for (const Field& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

Result<FormDefinition> parse_form_definition(std::string_view text) {
  if (text.size() > kMaxDefinitionBytes) {
    return invalid_argument("form definition is larger than " + std::to_string(kMaxDefinitionBytes) + " bytes");
  }
  json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return invalid_argument("form definition is not valid JSON");
  if (!document.is_object()) return invalid_argument("form definition must be a JSON object");
  AMANA_RETURN_IF_ERROR(check_keys(document, {"id", "version", "title", "fields", "dated_by"}, "form"));

  FormDefinition form;
  AMANA_ASSIGN_OR_RETURN(form.id, get_string(document, "id", "form"));
  if (!is_form_id(form.id)) {
    return invalid_argument("form id '" + form.id + "' must be lower-case letters, digits and '-'");
  }
  std::string where = "form '" + form.id + "'";
  if (!document.contains("version") || !document["version"].is_number_unsigned() ||
      document["version"].get<std::uint64_t>() == 0 ||
      document["version"].get<std::uint64_t>() > UINT32_MAX) {
    return invalid_argument(where + ": 'version' must be a positive whole number");
  }
  form.version = document["version"].get<std::uint32_t>();
  if (!document.contains("title")) return invalid_argument(where + ": 'title' is missing");
  AMANA_ASSIGN_OR_RETURN(form.title, get_text(document["title"], where + ": title"));

  if (!document.contains("fields")) return invalid_argument(where + ": 'fields' must be a non-empty array");
  std::set<std::string, std::less<>> names;
  auto items = parse_items(document["fields"], std::nullopt, 0, form, names, "");
  if (!items.ok()) return items.with_context(where);
  auto references = check_references(form);
  if (!references.ok()) return references.with_context(where);
  auto order = evaluation_order(form);
  if (!order.ok()) return order.status().with_context(where);
  form.evaluation_order = std::move(order).value();
  form.languages = languages_of(form);
  if (document.contains("dated_by")) {
    AMANA_ASSIGN_OR_RETURN(form.dated_by, get_string(document, "dated_by", where));
    const Field* dated = form.find_field(form.dated_by);
    if (dated == nullptr || dated->type != FieldType::date) {
      return invalid_argument(where + ": 'dated_by' must name a date field of the form, not '" + form.dated_by + "'");
    }
  }
  return form;
}

}  // namespace amana::forms
