// Which step of a case owns each of the case's values, and the case's values as its steps
// establish them: one rule that the device (field-client/cases.cc: `case show`, `cases`,
// the review) and the office (sync-server/case_admin.cc, case_file.cc: `cases`, `cases
// show`, the review, duplicates) both apply, so that a follow-up's "risk level now" or a
// registration's phone shows the same everywhere.
//
// The rule, per field (the table is owned_fields(), written out in docs/cases.md):
//  - a field a step owns takes the answer of the latest step of the case holding one:
//    latest by the step's own date (registration_date, assessment_date, done_date, ...),
//    then by its id, which orders records by when they were made. A step whose question
//    was not relevant (a follow-up that did not reach the client) holds no answer, and an
//    earlier step's stands;
//  - without such a step, the case keeps its own stored value: what the identification
//    gave when the case was opened (its "opening" source), or `case open --name`;
//  - fields no step owns (status, assignment, decisions, the source identification) are
//    the case record's own, as the cycle and the office write them.
//
// Deriving at read time rather than trusting what a device copied into the case record
// makes the answer independent of the order steps arrive in: an older assessment typed
// in on another device, synced after a newer follow-up, does not put the older risk back.
// The device still writes the derived values into the case record when it records a
// step, so that readers of the record alone (datasets) see them too.
//
// Thread safety: immutable tables and pure functions.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/answers.h"
#include "common/ids.h"

namespace amana::cases {

struct FieldSource {
  std::string_view form;        // empty: none
  std::string_view form_field;
  bool empty() const { return form.empty(); }
};

struct OwnedField {
  std::string_view field;                   // a case field (common/case_fields.h)
  FieldSource steps[2];                     // the step forms that set it, latest wins
  FieldSource opening;                      // copied from the identification at opening
};

// Every case field a step or the opening identification sets, in the order a case shows them.
std::span<const OwnedField> owned_fields();
const OwnedField* find_owned_field(std::string_view field);  // nullptr: no step sets it

// Whether a step of `form_id` sets any case value (a plan or a referral sets none).
bool sets_case_values(std::string_view form_id);

// A step form's own date field ("registration_date"), by which steps are ranked; empty
// for a form that is not a step.
std::string_view step_date_field(std::string_view form_id);

// One record of the case's steps, as the rule reads it. `values` must outlive the call.
struct StepRecord {
  RecordId id;
  std::string_view form_id;
  const forms::Answers* values = nullptr;
};

struct CaseValues {
  forms::Answers values;                              // the case as its steps establish it
  std::map<std::string, RecordId, std::less<>> set_by;  // the step each owned value came from
};

// `stored` (the case record's own values) with every field a step owns set by the latest
// of `steps` holding an answer for it. Steps of other forms, and steps of no case form,
// are ignored, so a caller may pass every step of the case.
CaseValues case_values(const forms::Answers& stored, std::span<const StepRecord> steps);

// The values the identification gives a new case (its opening sources), by case field.
forms::Answers values_from_identification(const forms::Answers& identification);

}  // namespace amana::cases
