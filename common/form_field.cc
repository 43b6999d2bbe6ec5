#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/answers.h"
#include "common/form.h"
#include "common/form_internal.h"
#include "common/service_types.h"

namespace amana::forms {
namespace detail {


bool is_identifier(std::string_view name) {
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto rest = [&](char c) { return start(c) || (c >= '0' && c <= '9'); };
  // 128: real forms write long names (pyxform sets no bound); a repeat's is 64 (form.cc).
  return !name.empty() && name.size() <= 128 && start(name[0]) &&
         std::all_of(name.begin() + 1, name.end(), rest);
}

// A choice's stored value, as the form writes it: ODK stores a choice name exactly, so a
// name with an accent, an apostrophe or Arabic letters ("Ain_el_tiné", "al_sena'a") is
// kept; a select_multiple's answer separates names by spaces, so no whitespace (ASCII or
// Unicode) and no control character. Valid UTF-8, at most 128 bytes.
bool is_choice_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (std::size_t i = 0; i < name.size();) {
    const auto byte = static_cast<unsigned char>(name[i]);
    std::size_t length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3 : (byte >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > name.size()) return false;
    char32_t code = length == 1 ? byte : byte & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(name[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    const bool control = code <= 0x20 || (code >= 0x7F && code <= 0x9F);
    const bool space = code == 0xA0 || code == 0x1680 || (code >= 0x2000 && code <= 0x200B) || code == 0x2028 ||
                       code == 0x2029 || code == 0x202F || code == 0x205F || code == 0x3000 || code == 0xFEFF;
    if (control || space) return false;
    i += length;
  }
  return true;
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
                                        std::string_view where, expr::Syntax syntax) {
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
    {Disclosure::top_coded, "top_coded"},
};
constexpr std::uint32_t kMaxTopCode = 1000;
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
                              "' (known: as_collected, drop, age_band, period, area, top_coded)");
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
    if (declared == Disclosure::top_coded && field.type != FieldType::integer && field.type != FieldType::calculate) {
      return invalid_argument(where + ": 'top_coded' is for integer fields and calculations (counts)");
    }
    field.disclosure = declared;
  }
  if (object.contains("top_code")) {
    if (field.disclosure != Disclosure::top_coded) {
      return invalid_argument(where + ": 'top_code' is only for a field whose disclosure is 'top_coded'");
    }
    const json& code = object["top_code"];
    if (!code.is_number_unsigned() || code.get<std::uint64_t>() < 1 || code.get<std::uint64_t>() > kMaxTopCode) {
      return invalid_argument(where + ": 'top_code' must be a whole number from 1 to " + std::to_string(kMaxTopCode) +
                              " (3: counts from 3 up are shown as \"3+\")");
    }
    field.top_code = code.get<std::uint32_t>();
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
                                    "sensitive", "disclosure", "areas", "top_code", "appearance", "choice_list",
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
    if (choices.size() > kMaxChoicesPerField) {
      return invalid_argument(where + ": more than " + std::to_string(kMaxChoicesPerField) + " choices");
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
                                "' must be at most 128 bytes of UTF-8 without spaces or control characters");
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


}  // namespace detail

std::string_view disclosure_name(Disclosure disclosure) {
  for (const auto& [candidate, name] : detail::kDisclosureNames) {
    if (candidate == disclosure) return name;
  }
  return "drop";
}

std::string_view repeat_disclosure_name(RepeatDisclosure disclosure) {
  return disclosure == RepeatDisclosure::dropped ? "drop" : "unlinked";
}

}  // namespace amana::forms
