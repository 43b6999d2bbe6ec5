// Form definitions: forms are data (JSON in forms/), never code.
//
// A definition is parsed and checked once, up front: every expression must parse, every
// ${name} it references must be a field of the form, choices must be unique, names must
// be identifiers, calculations must not go round in a cycle. A definition that loads is
// safe to collect with. The JSON format is documented in docs/forms.md.
//
// The questions are `fields`, flat, in the order they are asked, whatever groups hold
// them: code that walks answers never needs to know about groups. A field says which
// group it is in; `groups` describes the groups (nested, each with its own relevance).
// A repeat (a household roster) is a group whose fields are asked once per instance; its
// instances live in the record's flat answers under common/repeat_keys.h's keys, and
// common/answers.h evaluates and validates each instance with the XPath context rules.
//
// Thread safety: a FormDefinition is immutable after parsing.
#pragma once

#include <cstdint>
#include <map>
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
  // Never asked: a value computed from `calculation` whenever the answers change, stored
  // with the record like an answer.
  calculate,
  // Never asked, filled by the device (as ODK's metadata): when the record was begun
  // (kept on later edits), when it was last saved, the day it was begun, the device's id.
  start, end, today, deviceid,
};
std::string_view field_type_name(FieldType type);
// The JSON spelling ("select_one"); anything else is invalid_argument listing the types.
Result<FieldType> parse_field_type(std::string_view name);

// How a field appears in a de-identified dataset (docs/forms.md, docs/meal.md). Absent
// from the definition, it follows from the type: text and geopoint are dropped (free text
// and exact places identify people), dates become periods (a month, or an ISO week), the
// rest is kept as collected. A sensitive field is always dropped. `top_coded` shows a count
// below the field's top_code as it is and the rest as "N+" (a household total: "3+").
enum class Disclosure { as_collected, dropped, age_band, period, area, top_coded };
std::string_view disclosure_name(Disclosure disclosure);  // the JSON spelling: "drop", "area", ...

// How a repeat's table appears in a de-identified dataset (docs/meal.md "Repeats"). Its rows
// are people of one household (a roster): keyed to their record, counting them gives the
// household's size. `unlinked` (the default) keeps each row's disclosed answers but no column
// tying it to its record or instance, in an order that does not follow the records; `dropped`
// leaves the table (and the repeats inside it) out. An identified export links every row.
enum class RepeatDisclosure { unlinked, dropped };
std::string_view repeat_disclosure_name(RepeatDisclosure disclosure);  // "unlinked", "drop"

// The top code a `top_coded` field has when it declares none.
inline constexpr std::uint32_t kDefaultTopCode = 3;

// A place a free-text location is generalised to: a value that names it (or one of its
// other spellings), after folding case, punctuation and Arabic letter variants, is shown
// as `name`; a value naming none of the form's areas is shown as "other".
struct Area {
  std::string name;
  std::vector<std::string> spellings;
};

struct Choice {
  std::string name;  // the stored value, as the form writes it: any UTF-8 without whitespace or control characters
  LocalizedText label;
  // A name this choice had before (a shared list's former code): an old answer holding it
  // reads as this choice, and is stored as `name` when next written.
  std::string former_name;
  // Kept only so that old answers still read and show with their label: never offered,
  // never numbered, never matched by label. Retired choices come after the offered ones.
  bool retired = false;
  // Further columns of the choice, for a choice_filter: {"state": "central_darfur"}.
  std::map<std::string, std::string, std::less<>> columns = {};
};

// Choices one select may offer: location lists (districts, cadastres, sites) run to
// thousands; the definition's byte bound (kMaxPublishedFormBytes) still caps what a
// device receives.
constexpr std::size_t kMaxChoicesPerField = 5000;

// Instances a repeat may have within one enclosing instance (or the record): a
// household roster needs tens; this bounds what one submission may cost to validate.
constexpr std::size_t kMaxInstances = 1000;

// A section of the form, or a repeat. Its relevance applies to every field and group inside
// it, and is decided where the group is (a repeat's: once for all its instances).
struct Group {
  std::string name;  // unique among fields and groups
  LocalizedText label;  // may be empty
  std::optional<expr::Expression> relevant;
  // "appearance": "field-list": a screen should show the group's questions on one page.
  bool field_list = false;
  std::optional<std::size_t> parent;  // index into FormDefinition::groups
  // A repeat: its fields and groups are asked once per instance, nested at most
  // repeat_keys::kMaxDepth deep.
  bool repeat = false;
  // A repeat's number of instances, a whole number or an expression of fields before it
  // and outside it; absent: open-ended, as many as the collector adds (up to kMaxInstances).
  std::optional<expr::Expression> repeat_count;
  // A repeat's "disclosure": how its table appears in a de-identified dataset.
  RepeatDisclosure disclosure = RepeatDisclosure::unlinked;
};

struct Field {
  std::string name;  // [A-Za-z_][A-Za-z0-9_]*, unique in the form
  FieldType type = FieldType::text;
  // Label and hint may hold ${name}: render_text (answers.h) puts the answer in.
  LocalizedText label;
  LocalizedText hint;
  std::optional<std::size_t> group;  // the innermost group holding it (FormDefinition::groups)
  // Required when `required` is true, or when `required_if` evaluates true.
  bool required = false;
  std::optional<expr::Expression> required_if;
  std::optional<expr::Expression> relevant;    // absent: always relevant
  std::optional<expr::Expression> constraint;  // '.' is this field's value
  LocalizedText constraint_message;
  std::vector<Choice> choices;                 // select_one / select_multiple only
  std::string choice_list;                     // "service_types": choices from a shared list
  LocalizedText required_message;              // said instead of "is required"
  std::optional<std::string> default_value;    // canonical form, checked at load
  // Evaluated when the field is reached unanswered (a dynamic default, ODK's `default`
  // with an expression); it may only look at earlier fields (relevant, required: any).
  std::optional<expr::Expression> default_expression;
  // The value is computed, never asked: required for a calculate, allowed on a question
  // (shown read-only). Recomputed whenever the answers change; '' or NaN leaves it unanswered.
  std::optional<expr::Expression> calculation;
  // Shown with its value but never asked: the value is its default or calculation.
  bool read_only = false;
  // Offers only the choices for which it is true; bare names are the choice's columns
  // (`state = ${state}`). Select fields only; may only look at earlier fields.
  std::optional<expr::Expression> choice_filter;
  bool sensitive = false;                      // personal data: dropped from de-identified exports
  Disclosure disclosure = Disclosure::as_collected;  // as declared, else the type's default
  std::vector<Area> areas;                     // Disclosure::area only, in the order matched
  std::uint32_t top_code = kDefaultTopCode;    // Disclosure::top_coded only: from it up, "N+"
  // A text field written in digits (a phone number): "appearance": "numbers", as in ODK.
  // Its Arabic-Indic digits are stored as ASCII, so that its constraint and a search see 0-9.
  bool numeric_text = false;

  // By name or former name.
  const Choice* find_choice(std::string_view choice_name) const;
  // The choices a collector is offered (not retired), numbered 1.. in this order.
  std::span<const Choice> offered_choices() const;
  // Whether the collector answers it: not a note, a calculation, metadata or read-only.
  bool asked() const;
  // Whether its value is computed by the engine (calculate, metadata, a calculation).
  bool computed() const;
};

struct FormDefinition {
  std::string id;        // e.g. "outreach-identification": [a-z0-9-]+
  std::uint32_t version = 1;
  LocalizedText title;
  std::vector<Field> fields;
  std::vector<Group> groups = {};  // parents before their children
  // Every field index once, each after the fields its calculation, relevance (and its
  // groups'), requiredness, default and choice filter look at: the order a submission is
  // decided in. Form order where nothing looks ahead.
  std::vector<std::size_t> evaluation_order = {};
  // The languages the form's texts are written in beyond English and Arabic, by code.
  std::vector<std::string> languages = {};
  // "dated_by": the date field saying when what the form records happened (an
  // identification's date, a distribution's). Reports and exports count a record by it, not
  // by when a device saved it, which can be days later. Empty: the form records no such date.
  std::string dated_by;

  const Field* find_field(std::string_view name) const;
  // The groups holding `field`, outermost first.
  std::vector<const Group*> groups_of(const Field& field) const;
  // The repeats holding `field` (or enclosing `group`, not counting itself), outermost
  // first: the steps of the key its answer has in an instance (repeat_keys.h).
  std::vector<const Group*> repeats_of(const Field& field) const;
  std::vector<const Group*> repeats_of(const Group& group) const;
  const Group* find_group(std::string_view name) const;
};

// Parses and checks a definition. Errors are invalid_argument and say where:
// "field 'age': constraint: unexpected ')' at position 4 in \". >= )\"".
Result<FormDefinition> parse_form_definition(std::string_view json);

}  // namespace amana::forms
