// The console's second factor: officers and administrators may add a TOTP code (totp.h)
// to their password, and the organisation may require it of them (`sync-server users
// totp-policy required`). Assistants and MEAL staff see no identified case data in the
// console, so the second factor is theirs to skip.
//
//   begin     a new 160-bit secret, sealed in the store (CentralStore::put_staff_totp),
//             shown once as an otpauth:// URI and its QR code for an authenticator app
//   confirm   the first code from the app proves it holds the secret; only then is the
//             second factor asked at sign-in
//   check     at sign-in, after the password: the code must match (one step either side)
//             and be for a step after the last one accepted, recorded atomically so that a
//             code is used once even by two sign-ins at once
//   remove    the operator's (`sync-server users totp-remove NAME`) when a phone is lost
//
// While the organisation requires it, an officer or administrator without a confirmed
// second factor signs in to their own account page only, to set it up. Every change is
// audited.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

struct TotpEnrolment {
  std::string secret;            // base32, for typing into the app by hand
  std::string uri;               // otpauth://totp/...
  std::vector<std::string> qr;   // the URI's QR code, rows of '0'/'1' (qr.h)
};

// Whether `role` may have a second factor.
bool may_have_totp(Role role);

// A new secret for `user`, replacing one not yet confirmed. already_exists when one is
// confirmed (the operator removes it first), permission_denied for a role without one.
Result<TotpEnrolment> begin_totp(CentralStore& store, const User& user, std::int64_t now_ms);
// invalid_argument ("the code does not match") or not_found (nothing begun).
Status confirm_totp(CentralStore& store, const std::string& user, std::string_view code, std::int64_t now_ms);

// Whether the user's second factor is passed by `code`: true when they have none
// confirmed, or `code` matches an unused step (then recorded as used).
Result<bool> check_totp(CentralStore& store, const std::string& user, std::string_view code, std::int64_t now_ms);
Result<bool> has_totp(CentralStore& store, const std::string& user);  // confirmed

Status remove_totp(CentralStore& store, const std::string& user, const std::string& by, std::int64_t now_ms);

Result<bool> totp_required(CentralStore& store);
Status set_totp_required(CentralStore& store, bool required, const std::string& by, std::int64_t now_ms);
// Required of the user's role by the organisation, and not set up yet.
Result<bool> totp_setup_needed(CentralStore& store, const User& user);

}  // namespace amana::server
