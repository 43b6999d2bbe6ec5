#include "sync-server/staff_totp.h"

#include "sync-server/qr.h"
#include "sync-server/totp.h"

namespace amana::server {

namespace {

constexpr const char* kRequiredKey = "console_totp_required";
constexpr const char* kIssuer = "Amana office";

}  // namespace

bool may_have_totp(Role role) { return role == Role::officer || role == Role::admin; }

Result<TotpEnrolment> begin_totp(CentralStore& store, const User& user, std::int64_t now_ms) {
  if (!may_have_totp(user.role)) {
    return Status(ErrorCode::permission_denied, "only officers and administrators add a second factor");
  }
  AMANA_ASSIGN_OR_RETURN(auto existing, store.staff_totp(user.name));
  if (existing && existing->confirmed_at_ms) {
    return Status(ErrorCode::already_exists, "a second factor is set up already: the operator removes it with "
                                             "`sync-server users totp-remove " + user.name + "` when a phone is lost");
  }
  StaffTotp totp{user.name, crypto::SecretBytes::random(kTotpSecretBytes), std::nullopt, 0};
  TotpEnrolment enrolment{base32(totp.secret.view()), otpauth_uri(kIssuer, user.name, totp.secret.view()), {}};
  AMANA_ASSIGN_OR_RETURN(enrolment.qr, qr_modules(enrolment.uri));
  const Status stored = store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store.put_staff_totp(totp));
    return store.append_audit({now_ms, user.name, "console-totp-begin", user.name, "awaiting the first code"});
  });
  if (!stored.ok()) return stored;
  return enrolment;
}

Status confirm_totp(CentralStore& store, const std::string& user, std::string_view code, std::int64_t now_ms) {
  AMANA_ASSIGN_OR_RETURN(auto totp, store.staff_totp(user));
  if (!totp || totp->confirmed_at_ms) return not_found("no second factor is being set up: start again");
  const auto step = totp_match(totp->secret.view(), code, now_ms, 0);
  if (!step) return invalid_argument("the code does not match: check the phone's clock and type the newest code");
  totp->confirmed_at_ms = now_ms;
  totp->last_step = *step;
  return store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store.put_staff_totp(*totp));
    return store.append_audit({now_ms, user, "console-totp-enrolled", user, ""});
  });
}

Result<bool> check_totp(CentralStore& store, const std::string& user, std::string_view code, std::int64_t now_ms) {
  AMANA_ASSIGN_OR_RETURN(auto totp, store.staff_totp(user));
  if (!totp || !totp->confirmed_at_ms) return true;
  const auto step = totp_match(totp->secret.view(), code, now_ms, totp->last_step);
  if (!step) return false;
  return store.use_staff_totp_step(user, *step);
}

Result<bool> has_totp(CentralStore& store, const std::string& user) {
  AMANA_ASSIGN_OR_RETURN(auto totp, store.staff_totp(user));
  return totp && totp->confirmed_at_ms;
}

Status remove_totp(CentralStore& store, const std::string& user, const std::string& by, std::int64_t now_ms) {
  AMANA_RETURN_IF_ERROR(store.user(user).status());
  return store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store.remove_staff_totp(user));
    return store.append_audit({now_ms, by, "console-totp-removed", user, ""});
  });
}

Result<bool> totp_required(CentralStore& store) {
  AMANA_ASSIGN_OR_RETURN(auto value, store.meta(kRequiredKey));
  return value && value->size() == 1 && (*value)[0] == '1';
}

Status set_totp_required(CentralStore& store, bool required, const std::string& by, std::int64_t now_ms) {
  return store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store.put_meta(kRequiredKey, crypto::as_bytes(required ? "1" : "0")));
    return store.append_audit({now_ms, by, "console-totp-policy", "officers and administrators",
                               required ? "required" : "optional"});
  });
}

Result<bool> totp_setup_needed(CentralStore& store, const User& user) {
  if (!may_have_totp(user.role)) return false;
  AMANA_ASSIGN_OR_RETURN(bool required, totp_required(store));
  if (!required) return false;
  AMANA_ASSIGN_OR_RETURN(bool has, has_totp(store, user.name));
  return !has;
}

}  // namespace amana::server
