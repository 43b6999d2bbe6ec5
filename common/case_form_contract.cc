#include "common/case_form_contract.h"

#include <algorithm>
#include <iterator>
#include <vector>

#include "common/case_fields.h"
#include "common/message_catalogue.h"

namespace amana::cases {
namespace {

using U = FieldUse;

// common/case_sources.h (owned fields, opening sources, step dates), field-client/cases.cc
// (referral and follow-up tracking) and sync-server/report.cc (what the report counts).
constexpr DeclaredField kDeclared[] = {
    {kIdentificationForm, "identification_date", U::report},
    {kIdentificationForm, "site", U::case_values},
    {kIdentificationForm, "identified_by", U::report},
    {kIdentificationForm, "full_name", U::case_values},
    {kIdentificationForm, "sex", U::case_values},
    {kIdentificationForm, "age", U::case_values},
    {kIdentificationForm, "displacement_status", U::case_values},
    {kIdentificationForm, "household_size", U::case_values},
    {kIdentificationForm, "phone", U::case_values},
    {kIdentificationForm, "specific_needs", U::case_values},
    {kIdentificationForm, "urgency", U::case_values},
    {kRegistrationForm, "registration_date", U::step_date},
    {kRegistrationForm, "full_name", U::case_values},
    {kRegistrationForm, "sex", U::case_values},
    {kRegistrationForm, "age", U::case_values},
    {kRegistrationForm, "location", U::case_values},
    {kRegistrationForm, "phone", U::case_values},
    {kRegistrationForm, "displacement_status", U::case_values},
    {kRegistrationForm, "consent_services", U::case_values},
    {kRegistrationForm, "consent_referral", U::case_values},
    {kRegistrationForm, "consent_information_sharing", U::case_values},
    {kAssessmentForm, "assessment_date", U::step_date},
    {kAssessmentForm, "specific_needs", U::case_values},
    {kAssessmentForm, "risk_level", U::case_values},
    {kPlanForm, "plan_date", U::step_date},
    {kPlanForm, "next_follow_up", U::follow_up_tracking},
    {kReferralForm, "referral_date", U::step_date},
    {kReferralForm, "service_type", U::referral_tracking},
    {kReferralForm, "provider_id", U::referral_tracking},
    {kReferralForm, "share_identifying_data", U::referral_tracking},
    {kReferralForm, "expected_response_days", U::referral_tracking},
    {kFollowUpForm, "due_date", U::follow_up_tracking},
    {kFollowUpForm, "done_date", U::step_date},
    {kFollowUpForm, "risk_level_now", U::case_values},
    {kFollowUpForm, "next_due", U::follow_up_tracking},
    {kClosureForm, "closure_date", U::step_date},
    {kClosureForm, "reason", U::case_values},
    {"pdm-survey", "consent", U::report},
    {"pdm-survey", "received_date", U::report},
    {"pdm-survey", "safety_problem", U::report},
    {"pdm-survey", "satisfaction", U::report},
    {"rapid-protection-assessment", "assessment_date", U::report},
    {"rapid-protection-assessment", "location", U::report},
    {"rapid-protection-assessment", "main_risks", U::report},
};

Message use_of(FieldUse use) {
  switch (use) {
    case U::case_values: return Message("forms.use_case_values");
    case U::step_date: return Message("forms.use_step_date");
    case U::referral_tracking: return Message("forms.use_referral_tracking");
    case U::follow_up_tracking: return Message("forms.use_follow_up_tracking");
    case U::report: return Message("forms.use_report");
  }
  return Message("forms.use_report");
}

}  // namespace

std::span<const DeclaredField> declared_fields() { return kDeclared; }

bool has_declared_fields(std::string_view form_id) {
  return std::any_of(std::begin(kDeclared), std::end(kDeclared),
                     [&](const DeclaredField& d) { return d.form == form_id; });
}

Status check_declared_fields(const forms::FormDefinition& reference, const forms::FormDefinition& candidate) {
  std::vector<Message> problems;
  for (const DeclaredField& declared : kDeclared) {
    if (declared.form != reference.id) continue;
    const forms::Field* expected = reference.find_field(declared.field);
    if (expected == nullptr) continue;  // the test of the built-in pack keeps this from happening
    const std::string type(forms::field_type_name(expected->type));
    const forms::Field* given = candidate.find_field(declared.field);
    if (given == nullptr) {
      problems.push_back(Message("forms.declared_field_dropped", {{"form", candidate.id},
                                                                  {"field", std::string(declared.field)},
                                                                  {"type", type},
                                                                  {"use", use_of(declared.use)}}));
    } else if (given->type != expected->type) {
      problems.push_back(Message("forms.declared_field_retyped",
                                 {{"form", candidate.id},
                                  {"field", std::string(declared.field)},
                                  {"type", type},
                                  {"given", std::string(forms::field_type_name(given->type))},
                                  {"use", use_of(declared.use)}}));
    }
  }
  if (problems.empty()) return Status();
  return Status(ErrorCode::invalid_argument, std::move(problems));
}

}  // namespace amana::cases
