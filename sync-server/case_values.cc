#include "sync-server/case_values.h"

#include <algorithm>
#include <iterator>

#include "common/answers.h"
#include "common/case_lifecycle.h"
#include "common/repeat_keys.h"

namespace amana::server {
namespace {

using K = CaseFieldKind;
namespace F = cases::field;  // the names, declared once in common/case_fields.h

// How each of the case record's fields is checked and labelled: as the step answer it is
// declared with here, or as the lifecycle's or the office's own. Which steps set a field
// is common/case_sources.h; every answer it may take from them passes as the answer
// declared here (a test checks: the same type, no choice this one lacks).
constexpr CaseField kCaseFields[] = {
    {F::kStatus, K::lifecycle, "", "", "Status", "الوضع"},
    {F::kName, K::from_step, "case-registration", "full_name", "", ""},
    {F::kSex, K::from_step, "case-registration", "sex", "", ""},
    {F::kAge, K::from_step, "case-registration", "age", "", ""},
    {F::kLocation, K::from_step, "case-registration", "location", "", ""},
    {F::kPhone, K::from_step, "case-registration", "phone", "", ""},
    {F::kDisplacementStatus, K::from_step, "case-registration", "displacement_status", "", ""},
    {F::kHouseholdSize, K::from_step, "outreach-identification", "household_size", "", ""},
    {F::kSpecificNeeds, K::from_step, "outreach-identification", "specific_needs", "", ""},
    {F::kUrgency, K::from_step, "outreach-identification", "urgency", "", ""},
    {F::kConsentServices, K::from_step, "case-registration", "consent_services", "", ""},
    {F::kConsentReferral, K::from_step, "case-registration", "consent_referral", "", ""},
    {F::kConsentInformationSharing, K::from_step, "case-registration", "consent_information_sharing", "", ""},
    {F::kRiskLevel, K::from_step, "case-assessment", "risk_level", "", ""},
    {F::kClosureReason, K::from_step, "case-closure", "reason", "", ""},
    {F::kBeforeClosure, K::lifecycle, "", "", "Status before closure was requested", "الوضع قبل طلب الإغلاق"},
    {F::kAssignedTo, K::office, "", "", "Assigned to", "مسند إلى"},
    {F::kAssignedBy, K::office, "", "", "Assigned by", "أسنده"},
    {F::kClosureDecision, K::office, "", "", "Closure decision", "قرار الإغلاق"},
    {F::kClosureDecidedBy, K::office, "", "", "Closure decided by", "قرر الإغلاق"},
    {F::kTransferredTo, K::office, "", "", "Transferred to", "حُوّلت إلى"},
    {F::kReopenedBy, K::office, "", "", "Reopened by", "أعاد فتحها"},
    {F::kSourceRecord, K::reference, "", "", "Opened from identification", "فُتحت من التحديد"},
};

// What the case code adds to a step outside its form: a referral's tracking
// (field-client CaseBook::record_step and update_referral).
struct StepExtra {
  std::string_view form;
  std::string_view field;
  forms::FieldType type;
  std::string_view label_en;
  std::string_view label_ar;
};
constexpr StepExtra kStepExtras[] = {
    {"referral", "status", forms::FieldType::select_one, "Referral status", "حالة الإحالة"},
    {"referral", "status_date", forms::FieldType::date, "Status since", "تاريخ الحالة"},
    {"referral", "feedback", forms::FieldType::text, "Provider's feedback", "ملاحظات مقدّم الخدمة"},
};

const StepExtra* find_extra(std::string_view form, std::string_view field) {
  for (const StepExtra& extra : kStepExtras) {
    if (extra.form == form && extra.field == field) return &extra;
  }
  return nullptr;
}

std::string statuses() {
  std::string out;
  for (auto status : {cases::CaseStatus::identified, cases::CaseStatus::registered, cases::CaseStatus::assessed,
                      cases::CaseStatus::planned, cases::CaseStatus::in_progress, cases::CaseStatus::closure_requested,
                      cases::CaseStatus::closed, cases::CaseStatus::transferred}) {
    out += (out.empty() ? "" : ", ") + std::string(cases::status_name(status));
  }
  return out;
}

Result<std::string> check_status(std::string_view field, std::string_view value) {
  auto status = cases::parse_status(value);
  if (!status.ok()) {
    return invalid_argument(std::string(field) + ": '" + std::string(value) + "' is not a case status; the statuses are " +
                            statuses());
  }
  if (field == "before_closure" && (!cases::is_open(*status) || *status == cases::CaseStatus::closure_requested)) {
    return invalid_argument("before_closure: '" + std::string(value) + "' is not a status a closure can return to");
  }
  return std::string(value);
}

Result<std::string> check_answer_of(const forms::FormDefinition& form, const forms::Field& field,
                                    const CentralRecord& record, std::string_view value, const std::string& today) {
  if (field.type == forms::FieldType::note) return invalid_argument(field.name + " is a note and holds no value");
  return forms::check_answer(form, field, value, record.values, {forms::Language::en, today});
}

// The field a repeat instance's key names (common/repeat_keys.h: "plan_steps/<id>/status"),
// when it is a question of that repeat and the instance is live in the record; else null.
const forms::Field* instance_field(const forms::FormDefinition& form, const CentralRecord& record,
                                   std::string_view key_text) {
  auto key = forms::repeat_keys::parse(key_text);
  if (!key || key->path.empty() || key->field.empty()) return nullptr;
  const forms::Field* field = form.find_field(key->field);
  if (field == nullptr || field->type == forms::FieldType::note) return nullptr;
  // The engine's own answer scopes of the field: its repeats' live instances, nested.
  const std::vector<forms::Scope> live = forms::scopes_of(form, *field, record.values);
  return std::find(live.begin(), live.end(), key->path) == live.end() ? nullptr : field;
}

}  // namespace

std::span<const CaseField> case_fields() { return kCaseFields; }

const CaseField* find_case_field(std::string_view name) {
  const auto* found = std::find_if(std::begin(kCaseFields), std::end(kCaseFields),
                                   [&](const CaseField& f) { return f.name == name; });
  return found == std::end(kCaseFields) ? nullptr : found;
}

const forms::Field* source_field(const forms::FormPack& pack, const CaseField& field) {
  if (field.kind != CaseFieldKind::from_step) return nullptr;
  auto form = pack.find(field.form);
  return form.ok() ? (*form)->find_field(field.form_field) : nullptr;
}

std::string field_label(const forms::FormPack& pack, const CentralRecord& record, std::string_view field,
                        forms::Language language) {
  const bool ar = language == forms::Language::ar;
  if (record.form_id == kCaseFormId) {
    const CaseField* declared = find_case_field(field);
    if (declared == nullptr) return std::string(field);
    if (const forms::Field* source = source_field(pack, *declared)) return source->label.in(language);
    return std::string(ar ? declared->label_ar : declared->label_en);
  }
  if (auto form = pack.find(record.form_id, record.form_version); form.ok()) {
    if (const forms::Field* defined = (*form)->find_field(field)) return defined->label.in(language);
    if (const forms::Field* defined = instance_field(**form, record, field)) return defined->label.in(language);
  }
  if (const StepExtra* extra = find_extra(record.form_id, field)) return std::string(ar ? extra->label_ar : extra->label_en);
  return std::string(field);
}

Result<std::string> check_office_value(const forms::FormPack& pack, const CentralRecord& record,
                                       std::string_view field, std::string_view value, const std::string& today) {
  if (value.empty()) return invalid_argument(std::string(field) + ": give the value the field keeps");
  if (record.form_id == kCaseFormId) {
    const CaseField* declared = find_case_field(field);
    if (declared == nullptr) return invalid_argument("a case has no field '" + std::string(field) + "'");
    switch (declared->kind) {
      case CaseFieldKind::lifecycle: return check_status(field, value);
      case CaseFieldKind::office:
      case CaseFieldKind::reference:
        return invalid_argument(std::string(field) +
                                " is the office's own record of a decision: it changes only with its command "
                                "(cases assign, approve-closure, reject-closure, transfer, reopen)");
      case CaseFieldKind::from_step: break;
    }
    AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, pack.find(declared->form));
    const forms::Field* source = form->find_field(declared->form_field);
    if (source == nullptr) return invalid_argument("form '" + form->id + "' has no field '" + std::string(declared->form_field) + "'");
    // The case holds one answer of the step, not the whole step: other answers are not there.
    return forms::check_answer(*form, *source, value, {}, {forms::Language::en, today});
  }
  // The version the record was collected with (a published one too: the caller's pack).
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, pack.find(record.form_id, record.form_version));
  if (const forms::Field* defined = form->find_field(field)) return check_answer_of(*form, *defined, record, value, today);
  if (const forms::Field* defined = instance_field(*form, record, field)) {
    auto key = forms::repeat_keys::parse(field);
    return forms::check_answer(*form, *defined, value, record.values, {forms::Language::en, today}, key->path);
  }
  if (const StepExtra* extra = find_extra(record.form_id, field)) {
    if (extra->field == "status") {
      AMANA_RETURN_IF_ERROR(cases::parse_referral_status(value).status());
      return std::string(value);
    }
    forms::Field shape;
    shape.name = std::string(extra->field);
    shape.type = extra->type;
    return forms::canonicalize(shape, value);
  }
  return invalid_argument("form '" + record.form_id + "' has no field '" + std::string(field) + "'");
}

bool is_known_value(const forms::FormPack& pack, const CentralRecord& record, std::string_view field,
                    std::string_view value, const std::string& today) {
  if (record.form_id == kCaseFormId) {
    const CaseField* declared = find_case_field(field);
    if (declared != nullptr && (declared->kind == CaseFieldKind::office || declared->kind == CaseFieldKind::reference)) {
      return true;
    }
  }
  if (value.empty()) return true;  // cleared
  auto checked = check_office_value(pack, record, field, value, today);
  return checked.ok() && *checked == value;
}

}  // namespace amana::server
