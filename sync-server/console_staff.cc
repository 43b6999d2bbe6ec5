// The console's staff pages: users (invitations, roles, deactivation, unlocks), devices
// (enrollment codes with their QR code, revocation) and the audit log with its verification.
#include "common/hlc.h"
#include "sync-server/admin.h"
#include "sync-server/console_internal.h"
#include "sync-server/qr.h"

namespace amana::server {

using namespace console_detail;

namespace {

constexpr std::size_t kMaxAuditShown = 500;

}  // namespace

HttpResponse Console::Impl::users() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto list, list_users(store()));
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto devices, store().devices());
  json rows = json::array();
  for (const User& u : list) {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(StaffAccountState state, c.accounts_.state(u.name));
    std::size_t active_devices = 0;
    for (const Device& d : devices) active_devices += d.user == u.name && !d.revoked_at_ms;
    json row = user_json(u);
    row["has_password"] = state.has_password;
    row["locked"] = state.locked;
    row["devices"] = active_devices;
    rows.push_back(row);
  }
  return json_response(200, {{"users", rows}});
}

HttpResponse Console::Impl::user_action(std::string_view what) {
  const std::string name = text_field(body, "user");
  const std::string& by = session->user.name;
  if (what == "add") {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(Role role, parse_role(text_field(body, "role")));
    return done(register_user(store(), {name, role, text_field(body, "team")}, now(), by));
  }
  if (what == "invite") {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(StaffInvitation invitation, c.accounts_.invite(name, by));
    return json_response(200, {{"code", invitation.code}, {"expires_at_ms", invitation.expires_at_ms}});
  }
  if (what == "change") {
    UserChange change;
    if (body.contains("role")) {
      AMANA_ASSIGN_OR_RETURN_RESPONSE(Role role, parse_role(text_field(body, "role")));
      change.role = role;
    }
    if (body.contains("team")) change.team = text_field(body, "team");
    AMANA_RETURN_RESPONSE_IF_ERROR(change_user(store(), name, change, now(), by));
    // Their pages follow the new role at their next sign-in.
    return done(c.accounts_.end_sessions(name, by));
  }
  if (what == "deactivate") {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto revoked, deactivate_user(store(), name, now(), by));
    return json_response(200, {{"devices_revoked", revoked.size()}});
  }
  if (what == "unlock") return done(c.accounts_.unlock(name, by));
  return error_response(not_found("no such action"));
}

HttpResponse Console::Impl::devices() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto list, store().devices());
  json rows = json::array();
  for (const Device& d : list) {
    rows.push_back({{"id", d.id.to_string()},
                    {"user", d.user},
                    {"enrolled_at_ms", d.enrolled_at_ms},
                    {"enrolled_shown", shown_moment(d.enrolled_at_ms, language())},
                    {"last_sync_ms", d.last_sync_ms},
                    {"last_sync_shown", shown_moment(d.last_sync_ms, language())},
                    {"revoked", d.revoked_at_ms.has_value()}});
  }
  return json_response(200, {{"devices", rows}});
}

HttpResponse Console::Impl::enroll() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(
      IssuedCode issued,
      issue_enrollment_code(store(), text_field(body, "user"), c.options_.enrollment_lifetime, now(), session->user.name));
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto modules, qr_modules(issued.code));
  json rows = json::array();
  for (const std::string& row : modules) rows.push_back(row);
  return json_response(200, {{"code", issued.code}, {"expires_at_ms", issued.expires_at_ms}, {"qr", rows}});
}

HttpResponse Console::Impl::revoke() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(DeviceId id, find_device(store(), text_field(body, "id")));
  return done(revoke_device(store(), id, now(), session->user.name));
}

HttpResponse Console::Impl::audit_log() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto entries, store().audit_log());
  AMANA_ASSIGN_OR_RETURN_RESPONSE(AuditHead head, store().audit_head());
  const AuditVerdict verdict = verify_audit_chain(entries, head);
  json rows = json::array();
  const std::size_t from = entries.size() > kMaxAuditShown ? entries.size() - kMaxAuditShown : 0;
  for (std::size_t i = entries.size(); i > from; --i) {
    const AuditEntry& e = entries[i - 1];
    rows.push_back({{"seq", e.seq},
                    {"at", format_time_utc(e.event.at_ms)},
                    {"at_shown", shown_moment(e.event.at_ms, language())},
                    {"actor", e.event.actor},
                    {"action", e.event.action},
                    {"subject", e.event.subject},
                    {"detail", e.event.detail}});
  }
  return json_response(200, {{"intact", verdict.intact},
                             {"problem", verdict.problem},
                             {"head_seq", verdict.head.seq},
                             {"head_hash", crypto::to_hex(verdict.head.hash)},
                             {"entries", rows},
                             {"total", entries.size()}});
}

}  // namespace amana::server
