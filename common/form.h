// Form definitions: forms are data (JSON in forms/), never code.
//
// A definition is parsed and checked once, up front: every expression must parse, every
// ${name} it references must be a field of the form, choices must be unique, names must
// be identifiers. A definition that loads is safe to collect with. The JSON format is
// documented in docs/forms.md.
//
// Thread safety: a FormDefinition is immutable after parsing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expr.h"
#include "common/status.h"

namespace amana::forms {

enum class Language { en, ar };

// "en" / "ar"; anything else is invalid_argument naming the accepted values.
Result<Language> parse_language(std::string_view code);

struct LocalizedText {
  std::string en;
  std::string ar;
  // The text in `language`, falling back to English where no translation exists.
  const std::string& in(Language language) const;
  bool empty() const { return en.empty() && ar.empty(); }
};

enum class FieldType {
  text, integer, decimal, date, datetime, select_one, select_multiple, boolean, geopoint, note,
};
std::string_view field_type_name(FieldType type);
// The JSON spelling ("select_one"); anything else is invalid_argument listing the types.
Result<FieldType> parse_field_type(std::string_view name);

// How a field appears in a de-identified dataset (docs/forms.md, docs/meal.md). Absent
// from the definition, it follows from the type: text and geopoint are dropped (free text
// and exact places identify people), dates become periods (a month, or an ISO week), the
// rest is kept as collected. A sensitive field is always dropped.
enum class Disclosure { as_collected, dropped, age_band, period, area };
std::string_view disclosure_name(Disclosure disclosure);  // the JSON spelling: "drop", "area", ...

// A place a free-text location is generalised to: a value that names it (or one of its
// other spellings), after folding case, punctuation and Arabic letter variants, is shown
// as `name`; a value naming none of the form's areas is shown as "other".
struct Area {
  std::string name;
  std::vector<std::string> spellings;
};

struct Choice {
  std::string name;  // the stored value; an identifier, no spaces
  LocalizedText label;
};

struct Field {
  std::string name;  // [A-Za-z_][A-Za-z0-9_]*, unique in the form
  FieldType type = FieldType::text;
  LocalizedText label;
  LocalizedText hint;
  // Required when `required` is true, or when `required_if` evaluates true.
  bool required = false;
  std::optional<expr::Expression> required_if;
  std::optional<expr::Expression> relevant;    // absent: always relevant
  std::optional<expr::Expression> constraint;  // '.' is this field's value
  LocalizedText constraint_message;
  std::vector<Choice> choices;                 // select_one / select_multiple only
  std::optional<std::string> default_value;    // canonical form, checked at load
  bool sensitive = false;                      // personal data: dropped from de-identified exports
  Disclosure disclosure = Disclosure::as_collected;  // as declared, else the type's default
  std::vector<Area> areas;                     // Disclosure::area only, in the order matched

  const Choice* find_choice(std::string_view choice_name) const;
};

struct FormDefinition {
  std::string id;        // e.g. "outreach-identification": [a-z0-9-]+
  std::uint32_t version = 1;
  LocalizedText title;
  std::vector<Field> fields;

  const Field* find_field(std::string_view name) const;
};

// Parses and checks a definition. Errors are invalid_argument and say where:
// "field 'age': constraint: unexpected ')' at position 4 in \". >= )\"".
Result<FormDefinition> parse_form_definition(std::string_view json);

}  // namespace amana::forms
