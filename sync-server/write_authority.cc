// The write-authority rules for one operation (write_authority.h), as pure functions.
#include "sync-server/write_authority.h"

#include <algorithm>

#include "common/case_fields.h"
#include "common/hlc.h"
#include "sync-server/access.h"

namespace amana::server {
namespace {

enum class RecordKind { case_record, case_step, field_form, unknown };

// The forms that are no case data, and the roles that may create each (the table in
// write_authority.h). When forms are published at run time, the publication will carry this.
struct FieldFormGrant {
  std::string_view form;
  bool for_roles_without_cases;  // meal and admin too: it names nobody
};
constexpr FieldFormGrant kFieldForms[] = {
    {"outreach-identification", false},
    {"rapid-protection-assessment", true},
    {"pdm-survey", true},
};

RecordKind kind_of(std::string_view form_id) {
  if (form_id == cases::kCaseForm) return RecordKind::case_record;
  if (cases::is_step_form(form_id)) return RecordKind::case_step;
  for (const FieldFormGrant& grant : kFieldForms) {
    if (grant.form == form_id) return RecordKind::field_form;
  }
  return RecordKind::unknown;
}

bool holds_cases(Role role) { return allowed(role, Operation::receive_cases); }

bool may_create(Role role, std::string_view form_id, RecordKind kind) {
  if (kind != RecordKind::field_form) return holds_cases(role);
  for (const FieldFormGrant& grant : kFieldForms) {
    if (grant.form == form_id) return holds_cases(role) || grant.for_roles_without_cases;
  }
  return false;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  std::size_t listed = 0;
  for (const std::string& name : names) {
    if (listed++ == kMaxNamedFields) return out + " and " + std::to_string(names.size() - kMaxNamedFields) + " more";
    out += (out.empty() ? "" : ", ") + quoted_name(name);
  }
  return out;
}

Refusal refuse(WriteRule rule, std::string reason) { return {rule, std::move(reason)}; }

std::optional<Refusal> judge_time(const pb::Operation& operation, std::int64_t now_ms) {
  bool future = beyond_clock_bound(HlcTime{operation.hlc()}, now_ms) ||
                operation.created_at_ms() > now_ms + kMaxClockAheadMs;
  for (const pb::FieldWrite& write : operation.writes()) {
    future = future || beyond_clock_bound(HlcTime{write.hlc()}, now_ms) ||
             beyond_clock_bound(HlcTime{write.base_hlc()}, now_ms);
  }
  if (!future) return std::nullopt;
  return refuse(WriteRule::future_stamp,
                "it was stamped more than " + std::to_string(kMaxClockAheadMs / 3'600'000) +
                    " hours ahead of the office's clock: check this device's date, time and time zone");
}

// The fields of a case record: only the case form's own, never the office's, and a status
// that moves the case through the open part of the cycle.
std::optional<Refusal> judge_case_fields(const pb::Operation& operation, const WriteInputs& inputs) {
  std::vector<std::string> office;
  std::vector<std::string> unknown;
  std::optional<std::string> bad_status;
  bool writes_status = false;
  for (const pb::FieldWrite& write : operation.writes()) {
    const auto owner = cases::case_field_owner(write.field());
    if (!owner) {
      unknown.push_back(write.field());
      continue;
    }
    if (*owner == cases::FieldOwner::office) {
      office.push_back(write.field());
      continue;
    }
    if (write.field() != cases::field::kStatus) continue;
    writes_status = true;
    auto status = cases::parse_status(write.value());
    if (write.cleared() || !status.ok()) {
      bad_status = write.cleared() ? "(cleared)" : quoted_name(write.value());
    } else if (cases::office_sets_status(*status)) {
      office.push_back(write.field() + "=" + write.value());
    } else if (inputs.record && inputs.kase && inputs.kase->status && !cases::is_open(*inputs.kase->status)) {
      office.push_back(write.field() + " of a " + std::string(cases::status_name(*inputs.kase->status)) + " case");
    }
  }
  if (!office.empty()) {
    return refuse(WriteRule::office_owned_field,
                  "only the office may change " + quoted_list(office) + " (an officer decides on assignment, "
                  "closure, transfer and reopening)");
  }
  if (!unknown.empty()) {
    return refuse(WriteRule::invalid_case_field, "a case has no field " + quoted_list(unknown));
  }
  if (bad_status) return refuse(WriteRule::invalid_case_field, "'" + *bad_status + "' is no case status");
  if (!inputs.record && !writes_status) {
    return refuse(WriteRule::invalid_case_field, "a new case must say its status");
  }
  return std::nullopt;
}

}  // namespace

std::string quoted_name(std::string_view name) {
  constexpr std::size_t kMax = 64;
  if (name.size() <= kMax) return std::string(name);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  return std::string(name.substr(0, cut)) + "...";
}

std::string_view write_rule_name(WriteRule rule) {
  switch (rule) {
    case WriteRule::future_stamp: return "future_stamp";
    case WriteRule::claimed_author: return "claimed_author";
    case WriteRule::unknown_form: return "unknown_form";
    case WriteRule::role_not_allowed: return "role_not_allowed";
    case WriteRule::case_link: return "case_link";
    case WriteRule::record_identity: return "record_identity";
    case WriteRule::not_own_record: return "not_own_record";
    case WriteRule::case_not_held: return "case_not_held";
    case WriteRule::case_transferred: return "case_transferred";
    case WriteRule::office_owned_field: return "office_owned_field";
    case WriteRule::invalid_case_field: return "invalid_case_field";
  }
  return "?";
}

std::optional<RecordId> deciding_case(const pb::Operation& operation, const std::optional<RecordOrigin>& record) {
  if (record) {
    if (record->form_id == cases::kCaseForm) return RecordId::from_bytes(crypto::as_bytes(operation.record_id())).value();
    return record->case_id;
  }
  if (operation.form_id() == cases::kCaseForm || operation.case_id().size() != 16) return std::nullopt;
  return RecordId::from_bytes(crypto::as_bytes(operation.case_id())).value();
}

std::optional<Refusal> judge(const Writer& writer, const pb::Operation& operation, const WriteInputs& inputs,
                             std::int64_t now_ms) {
  if (auto refused = judge_time(operation, now_ms)) return refused;
  if (operation.author() != writer.user) {
    return refuse(WriteRule::claimed_author, "it names '" + quoted_name(operation.author()) + "' as its author, but this device is "
                                             "enrolled for '" + writer.user + "'");
  }
  if (writer.device == kOrgWriter) {
    return refuse(WriteRule::claimed_author, "it carries the office's own writer id");
  }

  if (inputs.record) {
    const std::string held_case = inputs.record->case_id
                                      ? std::string(inputs.record->case_id->bytes.begin(), inputs.record->case_id->bytes.end())
                                      : std::string();
    if (operation.form_id() != inputs.record->form_id || operation.case_id() != held_case) {
      return refuse(WriteRule::record_identity, "it changes the form or the case of a record the office already holds");
    }
  }
  RecordKind kind = kind_of(operation.form_id());
  const bool published = kind == RecordKind::unknown && inputs.published_form;
  if (published) kind = RecordKind::field_form;
  if (kind == RecordKind::unknown) {
    return refuse(WriteRule::unknown_form, "the organisation has no form '" + quoted_name(operation.form_id()) + "'");
  }
  // The case record itself has no form definition: its fields are the lifecycle's.
  if (!inputs.known_version && kind != RecordKind::case_record) {
    return refuse(WriteRule::unknown_form, "the organisation has not published version " +
                                               std::to_string(operation.form_version()) + " of '" +
                                               quoted_name(operation.form_id()) + "'");
  }
  const bool names_case = !operation.case_id().empty();
  if (kind == RecordKind::case_step && operation.case_id().size() != 16) {
    return refuse(WriteRule::case_link, "a step of a case must name its case");
  }
  if (kind != RecordKind::case_step && names_case) {
    return refuse(WriteRule::case_link, "only a step of a case names a case");
  }
  const std::string role(role_name(writer.role));
  const bool may = published ? holds_cases(writer.role) : may_create(writer.role, operation.form_id(), kind);
  if (!inputs.record && !may) {
    return refuse(WriteRule::role_not_allowed, "devices of " + role + " users may not create " + quoted_name(operation.form_id()) +
                                                   " records");
  }
  if (kind != RecordKind::field_form && !holds_cases(writer.role)) {
    return refuse(WriteRule::role_not_allowed, "devices of " + role + " users hold no cases and may not write them");
  }

  if (kind == RecordKind::field_form) {
    if (inputs.record && inputs.record->device != writer.device) {
      return refuse(WriteRule::not_own_record, "the record was made on another device");
    }
    return std::nullopt;
  }
  const bool new_case = kind == RecordKind::case_record && !inputs.record;
  if (!new_case) {
    if (!inputs.kase) return refuse(WriteRule::case_not_held, "the office holds no such case");
    if (inputs.kase->status == cases::CaseStatus::transferred) {
      return refuse(WriteRule::case_transferred, "the case was transferred to another organisation");
    }
    const bool own = inputs.kase->holder == writer.user;
    const bool team = writer.role == Role::officer && !writer.team.empty() && inputs.kase->holder_team == writer.team;
    if (!own && !team) {
      return refuse(WriteRule::case_not_held, "the case is not assigned to " + writer.user +
                                                  (writer.role == Role::officer ? " or their team" : ""));
    }
  }
  if (kind == RecordKind::case_record) return judge_case_fields(operation, inputs);
  return std::nullopt;
}

}  // namespace amana::server
