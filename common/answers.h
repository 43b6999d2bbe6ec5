// Answers and their validation against a form definition.
//
// Every answer is kept in one canonical text form (what ODK stores), so that records,
// history, sync and exports agree byte for byte:
//   text      the text as given (surrounding white space trimmed); with the "numbers"
//             appearance (a phone number) its digits are stored as ASCII
//   integer   decimal digits with an optional '-', no leading zeros ("42")
//   decimal   shortest round-tripping decimal ("3.5")
//   date      YYYY-MM-DD, a real calendar date; input may also be day first with a
//             four-digit year: 20/11/2026, 20-11-2026, 20.11.2026 (leading zeros optional)
//   datetime  YYYY-MM-DDTHH:MM:SS with 'Z' or a ±HH:MM offset (seconds optional on input)
//   select_one       the choice name; input may also be the 1-based choice number or the
//                    choice's label in any of the form's languages (case, hamza, tatweel
//                    and diacritics do not matter)
//   select_multiple  choice names separated by one space, in the form's choice order, no
//                    duplicates; input: names, numbers or labels separated by commas
//                    (',' or '،'), or names and numbers separated by spaces
//   boolean   "true" / "false"; input also accepts yes/no, y/n, 1/0 (and نعم / لا)
//   geopoint  "lat lon" or "lat lon alt acc" with lat in [-90,90] and lon in [-180,180]
//   note      never has an answer
// Wherever an answer is not free text, Arabic-Indic (٠-٩) and Eastern Arabic-Indic
// (۰-۹) digits are read as 0-9 and the Arabic decimal separator (٫) as '.'.
//
// Errors are translatable Statuses (common/message.h): each line names the field and the
// rule that failed, e.g. "age (Age): must be a whole number" or the form's own
// constraint message, and comes out in the collector's language with message_in(); in a
// repeat, the line starts with the instance ("members #2: age (Age): is required").
//
// Repeats: the instances of a repeat live in the flat answers under common/repeat_keys.h's
// keys (`members/<id>` the marker, holding the position; `members/<id>/age` a field). Every
// function below that evaluates an expression takes the Scope it is evaluated in, the
// instance (and the enclosing instance, when nested) of the field concerned; {} is the top
// level. Inside an instance, with the XPath context rules ODK follows:
//   - ${x} naming a field of the same instance (or of an enclosing one) is that instance's;
//   - ${x} naming a top-level field is the top level's;
//   - ${x} naming a field of a repeat the scope is not in stands for every instance's
//     value: count(), sum(), max(), min() are over them, and anything else reads the first;
//   - count(${repeat}) counts its live instances, position(..) is the instance's position
//     (1-based), indexed-repeat(${x}, ${repeat}, n) reads the n-th instance's x.
// Relevance, requiredness, defaults, constraints and calculations are decided per instance.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/form.h"
#include "common/repeat_keys.h"
#include "common/status.h"

namespace amana::forms {

// field name (or repeat_keys.h key) -> canonical value. Unanswered fields are absent.
using Answers = std::map<std::string, std::string, std::less<>>;

// The instances holding a value, outermost first (repeat_keys.h); {} is the top level.
using Scope = std::vector<repeat_keys::Step>;

// The key of `field`'s answer in `scope`: "age", "members/<id>/age".
std::string answer_key(const Field& field, const Scope& scope);

// The live instances of `repeat` within `parent` (an instance of the repeat enclosing it,
// or {} for a top-level repeat), in order (repeat_keys::position_before): each is `parent`
// and its own step. An instance is live while its marker holds a position.
std::vector<Scope> instances(const FormDefinition& form, const Group& repeat, const Answers& answers,
                             const Scope& parent = {});

// Whether `scope` names repeats of the form, each inside the one before (a key's path
// read from outside: a draft's or a submission's instance keys).
bool is_repeat_path(const FormDefinition& form, const Scope& scope);

// Whether `text` is an instance's stored position: digits only, at most 18 of them.
bool is_instance_position(std::string_view text);

// Every scope `field` is answered in: {{}} for a top-level field; every live instance (of
// every live instance of the outer repeat, when nested) for a field of a repeat.
std::vector<Scope> scopes_of(const FormDefinition& form, const Field& field, const Answers& answers);

struct ValidationOptions {
  Language language = Language::en;  // the collector's: for prompts; errors carry every language
  std::string today;  // YYYY-MM-DD, for today() in expressions
  // YYYY-MM-DDTHH:MM:SS+HH:MM, for now() and the start and end metadata; empty: today at
  // midnight UTC in now(), and no start or end is recorded.
  std::string now = {};
  std::string device_id = {};  // the deviceid metadata; empty: none is recorded
  // The language of the form's own texts when it is one the catalogue lacks ("fr"); empty:
  // `language`. A text missing in it falls back to English.
  std::string form_language = {};
};

// The code of the language the form's texts are shown in: form_language, else language's.
std::string text_language(const ValidationOptions& options);

// The expression context for `answers` (typed as expr.h describes), with '.' = current.
expr::Context make_context(const FormDefinition& form, const Answers& answers,
                           const std::string& current, const std::string& today, const Scope& scope = {});
expr::Context make_context(const FormDefinition& form, const Answers& answers, const std::string& current,
                           const ValidationOptions& options, const Scope& scope = {});

// Whether `field` is to be asked given the answers so far: its relevance and that of
// every group holding it are true (or absent).
// A group's (and a repeat's) relevance is decided in the instances enclosing it.
bool is_relevant(const FormDefinition& form, const Field& field, const Answers& answers,
                 const std::string& today, const Scope& scope = {});
bool is_group_relevant(const FormDefinition& form, const Group& group, const Answers& answers,
                       const std::string& today, const Scope& scope = {});
bool is_required(const FormDefinition& form, const Field& field, const Answers& answers,
                 const std::string& today, const Scope& scope = {});

// The field's default as a canonical answer, with "today" on a date field resolved to
// `today`; nullopt when the field has no default.
std::optional<std::string> default_answer(const Field& field, const std::string& today);
// The same, with a default expression evaluated against the answers so far (a value that
// is not an answer to the field gives no default).
std::optional<std::string> default_answer(const FormDefinition& form, const Field& field, const Answers& answers,
                                          const ValidationOptions& options, const Scope& scope = {});

// The choices to offer now: the offered ones its choice_filter keeps (all without one).
std::vector<const Choice*> available_choices(const FormDefinition& form, const Field& field,
                                             const Answers& answers, const std::string& today,
                                             const Scope& scope = {});

// A label or hint in the language `code`, each ${name} replaced by that answer as a person
// reads it (a choice's label; "" when unanswered).
std::string render_text(const FormDefinition& form, const LocalizedText& text, const Answers& answers,
                        std::string_view code, const Scope& scope = {});

// The computed values brought up to date for `answers`: calculations recomputed (in
// evaluation order, so one may use another), metadata filled (start and today kept once
// set, end set to options.now), and every answer whose field is no longer relevant dropped;
// in every live instance of each repeat.
// Called after each answer while collecting, so later questions see current values.
void recompute(const FormDefinition& form, Answers& answers, const ValidationOptions& options);

// The canonical form of `raw` for the field's type, ignoring its constraint; or
// invalid_argument naming the field and the type rule (and, for a choice, the choices).
Result<std::string> canonicalize(const Field& field, std::string_view raw);

// Checks one raw answer for `field` (type, then constraint with the other answers in
// `answers`) and returns its canonical form, or invalid_argument naming the field and
// the rule. An empty raw answer is not checked here:
// the caller decides whether the field may be skipped (is_required).
Result<std::string> check_answer(const FormDefinition& form, const Field& field,
                                 std::string_view raw, const Answers& answers,
                                 const ValidationOptions& options, const Scope& scope = {});

// Validates a complete submission. `given` holds raw answers; fields named in
// `explicitly_set` (all of `given` when collecting; the --set fields when editing) must be
// relevant and asked (a computed field may be given only the value it computes),
// otherwise answering them is an error. Fields in `given` that are not
// explicitly set and have become non-relevant are dropped, as ODK clears them. Defaults
// fill relevant unanswered fields; calculations and metadata are computed (as recompute)
// and returned with the answers, to be stored with the record. A select answer must be
// one its choice_filter offers. Unknown field names, notes with answers, missing
// required answers, type and constraint failures are all reported, one line (one Message)
// each, in form order, in a single invalid_argument Status.
// Repeats: `given` holds each instance's marker and fields (repeat_keys.h); each field is
// decided in every live instance as above, a repeat's number of live instances must equal
// its repeat_count where it has one (and is relevant), and more than kMaxInstances
// instances of one repeat are refused before anything is evaluated. Markers of live
// instances are returned as given; an instance's fields without a live marker are dropped
// (refused when explicitly set), and a malformed key is an unknown field.
Result<Answers> validate_submission(const FormDefinition& form, const Answers& given,
                                    const std::set<std::string, std::less<>>& explicitly_set,
                                    const ValidationOptions& options);

// Parses an answers file: a JSON object of field -> string | number | boolean | array of
// strings (select_multiple) | null (unanswered), and repeat -> array of objects, one per
// instance in order, each of that repeat's fields (and nested repeats) as above. Each
// instance gets a new id (repeat_keys::new_instance_id) and positions 1, 2, ... in the
// array's order, and comes out as flat keys. Flat keys of an instance (a record's answers
// written back) are read as they are. Returns raw answers for validate_submission.
// Unknown fields, objects where a value belongs, more than kMaxInstances instances and
// non-object documents are invalid_argument errors naming the field.
Result<Answers> parse_answers_json(const FormDefinition& form, std::string_view json);

}  // namespace amana::forms
