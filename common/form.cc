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

// {"en": "...", "ar": "..."}, or a plain string for English only. English is required
// because it is the fallback for every other language.
Result<LocalizedText> get_text(const json& value, std::string_view where) {
  LocalizedText text;
  if (value.is_string()) {
    text.en = value.get<std::string>();
  } else if (value.is_object()) {
    AMANA_RETURN_IF_ERROR(check_keys(value, {"en", "ar"}, where));
    AMANA_ASSIGN_OR_RETURN(text.en, get_string(value, "en", where));
    if (value.contains("ar")) {
      AMANA_ASSIGN_OR_RETURN(text.ar, get_string(value, "ar", where));
    }
  } else {
    return invalid_argument(std::string(where) + ": must be {\"en\": ..., \"ar\": ...}");
  }
  if (text.en.empty()) return invalid_argument(std::string(where) + ": the English text is empty");
  return text;
}

Result<expr::Expression> get_expression(const json& field, const char* key,
                                        std::string_view where) {
  AMANA_ASSIGN_OR_RETURN(std::string source, get_string(field, key, where));
  auto parsed = expr::Expression::parse(source);
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
    case FieldType::note: return Disclosure::dropped;
    case FieldType::date:
    case FieldType::datetime: return Disclosure::period;
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
    if (declared == Disclosure::age_band && field.type != FieldType::integer) {
      return invalid_argument(where + ": 'age_band' is for integer fields (ages in years)");
    }
    if (declared == Disclosure::period && field.type != FieldType::date && field.type != FieldType::datetime) {
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
                                    "sensitive", "disclosure", "areas", "appearance", "choice_list"},
                                   where));

  AMANA_ASSIGN_OR_RETURN(std::string type_name, get_string(object, "type", where));
  auto type = parse_field_type(type_name);
  if (!type.ok()) return type.status().with_context(where);
  field.type = *type;

  if (!object.contains("label")) return invalid_argument(where + ": 'label' is missing");
  AMANA_ASSIGN_OR_RETURN(field.label, get_text(object["label"], where + ": label"));
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
      AMANA_RETURN_IF_ERROR(check_keys(entry, {"name", "label"}, choice_where));
      Choice choice;
      AMANA_ASSIGN_OR_RETURN(choice.name, get_string(entry, "name", choice_where));
      if (!is_identifier(choice.name)) {
        return invalid_argument(choice_where + ": name '" + choice.name + "' must be an identifier");
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

  if (field.type == FieldType::note &&
      (field.required || field.required_if || field.constraint || object.contains("default"))) {
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

// Relevance and requiredness are decided in form order, from the answers given so far
// (the way a collector walks the form), so they may only look back. Constraints see the
// whole submission and may reference any field.
Status check_references(const FormDefinition& form) {
  for (std::size_t i = 0; i < form.fields.size(); ++i) {
    const Field& field = form.fields[i];
    auto check = [&](const std::optional<expr::Expression>& expression, std::string_view what,
                     bool earlier_only) -> Status {
      if (!expression) return Status();
      for (const std::string& name : expression->references()) {
        auto it = std::find_if(form.fields.begin(), form.fields.end(),
                               [&](const Field& f) { return f.name == name; });
        std::string where = "field '" + field.name + "': " + std::string(what) + ": ";
        if (it == form.fields.end()) {
          return invalid_argument(where + "${" + name + "} is not a field of this form");
        }
        if (it->type == FieldType::note) {
          return invalid_argument(where + "${" + name + "} is a note and has no value");
        }
        if (earlier_only && static_cast<std::size_t>(it - form.fields.begin()) >= i) {
          return invalid_argument(where + "${" + name + "} must come before '" + field.name + "'");
        }
      }
      return Status();
    };
    AMANA_RETURN_IF_ERROR(check(field.relevant, "relevant", true));
    AMANA_RETURN_IF_ERROR(check(field.required_if, "required", true));
    AMANA_RETURN_IF_ERROR(check(field.constraint, "constraint", false));
  }
  return Status();
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

  if (!document.contains("fields") || !document["fields"].is_array() || document["fields"].empty()) {
    return invalid_argument(where + ": 'fields' must be a non-empty array");
  }
  if (document["fields"].size() > kMaxFields) {
    return invalid_argument(where + ": more than " + std::to_string(kMaxFields) + " fields");
  }
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < document["fields"].size(); ++i) {
    auto field = parse_field(document["fields"][i], i);
    if (!field.ok()) return field.status().with_context(where);
    if (!names.insert(field->name).second) {
      return invalid_argument(where + ": field '" + field->name + "' appears twice");
    }
    form.fields.push_back(std::move(field).value());
  }
  auto references = check_references(form);
  if (!references.ok()) return references.with_context(where);
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
