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
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/expr.h"
#include "common/status.h"

namespace amana::forms {

// The languages of labels and messages (common/message.h).
using Language = ::amana::Language;
using LocalizedText = ::amana::LocalizedText;

// "en" / "ar"; anything else is invalid_argument naming the accepted values.
Result<Language> parse_language(std::string_view code);

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
  // A name this choice had before (a shared list's former code): an old answer holding it
  // reads as this choice, and is stored as `name` when next written.
  std::string former_name;
  // Kept only so that old answers still read and show with their label: never offered,
  // never numbered, never matched by label. Retired choices come after the offered ones.
  bool retired = false;
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
  std::string choice_list;                     // "service_types": choices from a shared list
  std::optional<std::string> default_value;    // canonical form, checked at load
  bool sensitive = false;                      // personal data: dropped from de-identified exports
  Disclosure disclosure = Disclosure::as_collected;  // as declared, else the type's default
  std::vector<Area> areas;                     // Disclosure::area only, in the order matched
  // A text field written in digits (a phone number): "appearance": "numbers", as in ODK.
  // Its Arabic-Indic digits are stored as ASCII, so that its constraint and a search see 0-9.
  bool numeric_text = false;

  // By name or former name.
  const Choice* find_choice(std::string_view choice_name) const;
  // The choices a collector is offered (not retired), numbered 1.. in this order.
  std::span<const Choice> offered_choices() const;
};

struct FormDefinition {
  std::string id;        // e.g. "outreach-identification": [a-z0-9-]+
  std::uint32_t version = 1;
  LocalizedText title;
  std::vector<Field> fields;
  // "dated_by": the date field saying when what the form records happened (an
  // identification's date, a distribution's). Reports and exports count a record by it, not
  // by when a device saved it, which can be days later. Empty: the form records no such date.
  std::string dated_by;

  const Field* find_field(std::string_view name) const;
};

// Parses and checks a definition. Errors are invalid_argument and say where:
// "field 'age': constraint: unexpected ')' at position 4 in \". >= )\"".
Result<FormDefinition> parse_form_definition(std::string_view json);

}  // namespace amana::forms
