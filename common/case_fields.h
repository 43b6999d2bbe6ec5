// The case form's contract between the code and the data: its form id, the forms of its
// steps, the fields of a case record and who writes each. Declared once here; the device
// (field-client/cases.cc), the office (sync-server/case_admin.cc) and the server's write
// authority (sync-server/write_authority.h) all name fields through it, so that a field
// the office owns cannot be written by a device under a spelling nobody checks.
//
// A case is a record of the internal form "case"; each step of the cycle is a record of
// its own form naming the case (common/case_lifecycle.h, docs/cases.md).
//
// Who writes what:
//  - device: what a case worker records on the device in a step (field-client/cases.cc):
//    the person, consents, risk level, the request for closure, and `status` as the
//    cycle moves through the open statuses;
//  - office: what only the office decides, written with its own stamp by
//    CentralStore::write_as_org (sync-server/case_admin.cc): assignment, the closure
//    decision, transfer and reopening, and the statuses only those decisions set.
#pragma once

#include <optional>
#include <string_view>

#include "common/case_lifecycle.h"

namespace amana::cases {

inline constexpr std::string_view kCaseForm = "case";
// The outreach identification a case may be opened from (not a step: it names no case).
inline constexpr std::string_view kIdentificationForm = "outreach-identification";

// The forms a step of a case is recorded with, each naming its case.
inline constexpr std::string_view kRegistrationForm = "case-registration";
inline constexpr std::string_view kAssessmentForm = "case-assessment";
inline constexpr std::string_view kPlanForm = "case-plan";
inline constexpr std::string_view kReferralForm = "referral";
inline constexpr std::string_view kFollowUpForm = "follow-up";
inline constexpr std::string_view kClosureForm = "case-closure";
inline constexpr std::string_view kStepForms[] = {kRegistrationForm, kAssessmentForm, kPlanForm,
                                                  kReferralForm,     kFollowUpForm,   kClosureForm};
bool is_step_form(std::string_view form_id);

namespace field {
// Written by devices.
inline constexpr std::string_view kStatus = "status";  // device: open statuses only (below)
inline constexpr std::string_view kName = "name";
inline constexpr std::string_view kSex = "sex";
inline constexpr std::string_view kAge = "age";
inline constexpr std::string_view kLocation = "location";
inline constexpr std::string_view kSourceRecord = "source_record";  // the identification it was opened from
inline constexpr std::string_view kDisplacementStatus = "displacement_status";
inline constexpr std::string_view kHouseholdSize = "household_size";
inline constexpr std::string_view kPhone = "phone";
inline constexpr std::string_view kSpecificNeeds = "specific_needs";
inline constexpr std::string_view kUrgency = "urgency";
inline constexpr std::string_view kConsentServices = "consent_services";
inline constexpr std::string_view kConsentReferral = "consent_referral";
inline constexpr std::string_view kConsentInformationSharing = "consent_information_sharing";
inline constexpr std::string_view kRiskLevel = "risk_level";
inline constexpr std::string_view kBeforeClosure = "before_closure";  // the status closure was requested from
inline constexpr std::string_view kClosureReason = "closure_reason";
// Written by the office only.
inline constexpr std::string_view kAssignedTo = "assigned_to";  // the case worker holding it (else its author)
inline constexpr std::string_view kAssignedBy = "assigned_by";
inline constexpr std::string_view kClosureDecision = "closure_decision";  // kClosureApproved or kClosureRejected
inline constexpr std::string_view kClosureDecidedBy = "closure_decided_by";
inline constexpr std::string_view kTransferredTo = "transferred_to";
inline constexpr std::string_view kReopenedBy = "reopened_by";
}  // namespace field

inline constexpr std::string_view kClosureApproved = "approved";
inline constexpr std::string_view kClosureRejected = "rejected";

enum class FieldOwner { device, office };

struct CaseField {
  std::string_view name;
  FieldOwner owner;
};

inline constexpr CaseField kCaseFields[] = {
    {field::kStatus, FieldOwner::device},
    {field::kName, FieldOwner::device},
    {field::kSex, FieldOwner::device},
    {field::kAge, FieldOwner::device},
    {field::kLocation, FieldOwner::device},
    {field::kSourceRecord, FieldOwner::device},
    {field::kDisplacementStatus, FieldOwner::device},
    {field::kHouseholdSize, FieldOwner::device},
    {field::kPhone, FieldOwner::device},
    {field::kSpecificNeeds, FieldOwner::device},
    {field::kUrgency, FieldOwner::device},
    {field::kConsentServices, FieldOwner::device},
    {field::kConsentReferral, FieldOwner::device},
    {field::kConsentInformationSharing, FieldOwner::device},
    {field::kRiskLevel, FieldOwner::device},
    {field::kBeforeClosure, FieldOwner::device},
    {field::kClosureReason, FieldOwner::device},
    {field::kAssignedTo, FieldOwner::office},
    {field::kAssignedBy, FieldOwner::office},
    {field::kClosureDecision, FieldOwner::office},
    {field::kClosureDecidedBy, FieldOwner::office},
    {field::kTransferredTo, FieldOwner::office},
    {field::kReopenedBy, FieldOwner::office},
};

// Who writes `name` on a case record; nullopt for a name that is no field of the case form.
std::optional<FieldOwner> case_field_owner(std::string_view name);

// The statuses only an office decision sets: closed (approve closure) and transferred.
// Reopening sets an open status, but from closed or transferred: on such a case the office
// alone moves `status`.
bool office_sets_status(CaseStatus status);

}  // namespace amana::cases
