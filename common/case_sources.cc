#include "common/case_sources.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "common/case_fields.h"

namespace amana::cases {
namespace {

namespace F = field;

constexpr FieldSource kNone{};
constexpr FieldSource reg(std::string_view f) { return {kRegistrationForm, f}; }
constexpr FieldSource ident(std::string_view f) { return {kIdentificationForm, f}; }

// docs/cases.md, "Which step owns which case value", is this table written out.
constexpr OwnedField kOwned[] = {
    {F::kName, {reg("full_name"), kNone}, ident("full_name")},
    {F::kSex, {reg("sex"), kNone}, ident("sex")},
    {F::kAge, {reg("age"), kNone}, ident("age")},
    {F::kLocation, {reg("location"), kNone}, ident("site")},
    {F::kPhone, {reg("phone"), kNone}, ident("phone")},
    {F::kDisplacementStatus, {reg("displacement_status"), kNone}, ident("displacement_status")},
    {F::kHouseholdSize, {kNone, kNone}, ident("household_size")},
    {F::kSpecificNeeds, {{kAssessmentForm, "specific_needs"}, kNone}, ident("specific_needs")},
    {F::kUrgency, {kNone, kNone}, ident("urgency")},
    {F::kConsentServices, {reg("consent_services"), kNone}, kNone},
    {F::kConsentReferral, {reg("consent_referral"), kNone}, kNone},
    {F::kConsentInformationSharing, {reg("consent_information_sharing"), kNone}, kNone},
    {F::kRiskLevel, {{kAssessmentForm, "risk_level"}, {kFollowUpForm, "risk_level_now"}}, kNone},
    {F::kClosureReason, {{kClosureForm, "reason"}, kNone}, kNone},
};

struct DateField {
  std::string_view form;
  std::string_view field;
};
constexpr DateField kStepDates[] = {
    {kRegistrationForm, "registration_date"}, {kAssessmentForm, "assessment_date"}, {kPlanForm, "plan_date"},
    {kReferralForm, "referral_date"},         {kFollowUpForm, "done_date"},         {kClosureForm, "closure_date"},
};

std::string_view answer_of(const forms::Answers& values, std::string_view field) {
  auto found = values.find(field);
  return found == values.end() ? std::string_view() : std::string_view(found->second);
}

}  // namespace

std::span<const OwnedField> owned_fields() { return kOwned; }

const OwnedField* find_owned_field(std::string_view field) {
  const auto* found =
      std::find_if(std::begin(kOwned), std::end(kOwned), [&](const OwnedField& f) { return f.field == field; });
  return found == std::end(kOwned) ? nullptr : found;
}

bool sets_case_values(std::string_view form_id) {
  return std::any_of(std::begin(kOwned), std::end(kOwned), [&](const OwnedField& f) {
    return std::any_of(std::begin(f.steps), std::end(f.steps), [&](const FieldSource& s) { return s.form == form_id; });
  });
}

std::string_view step_date_field(std::string_view form_id) {
  for (const DateField& d : kStepDates) {
    if (d.form == form_id) return d.field;
  }
  return {};
}

CaseValues case_values(const forms::Answers& stored, std::span<const StepRecord> steps) {
  CaseValues out{stored, {}};
  for (const OwnedField& owned : kOwned) {
    const StepRecord* latest = nullptr;
    std::string_view latest_date, latest_value;
    for (const StepRecord& step : steps) {
      for (const FieldSource& source : owned.steps) {
        if (source.empty() || source.form != step.form_id || step.values == nullptr) continue;
        const std::string_view value = answer_of(*step.values, source.form_field);
        if (value.empty()) continue;
        // Dates are canonical YYYY-MM-DD, so they compare as text; a missing one sorts first.
        const std::string_view date = answer_of(*step.values, step_date_field(step.form_id));
        if (latest == nullptr || std::tie(date, step.id) > std::tie(latest_date, latest->id)) {
          latest = &step;
          latest_date = date;
          latest_value = value;
        }
      }
    }
    if (latest == nullptr) continue;
    out.values[std::string(owned.field)] = std::string(latest_value);
    out.set_by[std::string(owned.field)] = latest->id;
  }
  return out;
}

forms::Answers values_from_identification(const forms::Answers& identification) {
  forms::Answers out;
  for (const OwnedField& owned : kOwned) {
    if (owned.opening.empty()) continue;
    if (auto value = answer_of(identification, owned.opening.form_field); !value.empty()) {
      out[std::string(owned.field)] = std::string(value);
    }
  }
  return out;
}

}  // namespace amana::cases
