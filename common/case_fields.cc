#include "common/case_fields.h"

#include <algorithm>

namespace amana::cases {

bool is_step_form(std::string_view form_id) {
  return std::find(std::begin(kStepForms), std::end(kStepForms), form_id) != std::end(kStepForms);
}

std::optional<FieldOwner> case_field_owner(std::string_view name) {
  for (const CaseField& f : kCaseFields) {
    if (f.name == name) return f.owner;
  }
  return std::nullopt;
}

bool office_sets_status(CaseStatus status) {
  return status == CaseStatus::closed || status == CaseStatus::transferred;
}

}  // namespace amana::cases
