// The questions the code reads by name: the contract between the case lifecycle and
// reports on one side and the forms the office publishes on the other.
//
// The case cycle takes the person, consents and risk from its steps (common/case_sources.h),
// ranks steps by their dates, follows referrals and follow-ups by their dates and due
// days, and the monthly report and datasets count records by their answers
// (sync-server/report.cc). A new version of one of these forms that dropped such a
// question, or changed its type (a date become text, a choice become free text), would
// silently empty a case's values or a report's counts. So publishing one is refused, with
// the question and what relies on it (sync-server/published_forms.h).
//
// Declared here by name; the type a question must keep is the built-in form's (the
// first published version of each, common/form_pack.h), so that the type is written in
// one place, the form. A test checks that every declared question is in the built-in form.
//
// Thread safety: immutable tables and pure functions.
#pragma once

#include <span>
#include <string_view>

#include "common/form.h"
#include "common/status.h"

namespace amana::cases {

// What relies on a declared question: a message key of the catalogue ("forms.use_...").
enum class FieldUse { case_values, step_date, referral_tracking, follow_up_tracking, report };

struct DeclaredField {
  std::string_view form;
  std::string_view field;
  FieldUse use;
};

// Every declared question, by form.
std::span<const DeclaredField> declared_fields();
// Whether a form has declared questions (its versions are checked when published).
bool has_declared_fields(std::string_view form_id);

// Checks a new version of `reference.id` against `reference` (the built-in version):
// every declared question must still be there with the same type. invalid_argument with
// one line per question dropped or retyped, saying what relies on it.
Status check_declared_fields(const forms::FormDefinition& reference, const forms::FormDefinition& candidate);

}  // namespace amana::cases
