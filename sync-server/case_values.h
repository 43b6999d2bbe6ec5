// What a value of a case or of one of its steps may be, as the office reads and writes
// it: one place that says which answers are valid, so that an officer's decision is
// checked like a device's answer and a stored value nothing accepts is shown, flagged,
// instead of stopping the command that reads it.
//
// A step record is checked against its form in the pack (common/form.h), plus the few
// fields the case code adds to a step outside its form (a referral's tracking). The case
// record has no form of its own: each of its fields is declared here with the step form
// field it is copied from (its type, labels, valid answers and de-identification come
// from there), or as the lifecycle's or the office's own.
//
// Thread safety: immutable tables and pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/case_fields.h"
#include "common/form.h"
#include "common/form_pack.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

inline constexpr std::string_view kCaseFormId = cases::kCaseForm;

enum class CaseFieldKind {
  from_step,  // copied from a step's answer: checked as that answer
  lifecycle,  // status, before_closure: a status of common/case_lifecycle.h
  office,     // assignment and decisions: written only by the office's own commands
  reference,  // the identification the case was opened from
};

struct CaseField {
  std::string_view name;
  CaseFieldKind kind;
  std::string_view form;        // from_step: the step form ...
  std::string_view form_field;  // ... and its field
  std::string_view label_en;    // for the kinds without a form field
  std::string_view label_ar;
};

// Every field a case record may hold, in the order a case file shows them.
std::span<const CaseField> case_fields();
const CaseField* find_case_field(std::string_view name);  // nullptr: not a case field

// The definition of the step field `field` is copied from; nullptr when it is not from_step
// or the pack lacks it.
const forms::Field* source_field(const forms::FormPack& pack, const CaseField& field);

// The label of a field of `record` (a case or a step) in `language`; the name itself for
// a field nothing declares.
std::string field_label(const forms::FormPack& pack, const CentralRecord& record, std::string_view field,
                        forms::Language language);

// `value` as `field` of `record` would store it (canonical, common/answers.h), or
// invalid_argument saying why it is not a valid value: an unknown field, an answer its
// form refuses, an unknown status. Office fields are refused here: they change only
// through their own commands (assign, approve-closure, transfer, reopen).
Result<std::string> check_office_value(const forms::FormPack& pack, const CentralRecord& record,
                                       std::string_view field, std::string_view value, const std::string& today);

// Whether a stored value is one the forms accept, exactly as stored. Office and
// reference fields are always accepted (who an assignee is, is the review's to judge).
bool is_known_value(const forms::FormPack& pack, const CentralRecord& record, std::string_view field,
                    std::string_view value, const std::string& today);

}  // namespace amana::server
