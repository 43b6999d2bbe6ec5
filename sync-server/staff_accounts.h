// Staff accounts of the office console: every user signs in with their own password, so
// that what they do in the console is audited under their name, not the operator's.
//
//   invite          an administrator (or the operator at the shell) issues a one-time code
//                   for a user: 80 random bits, stored as a hash, expiring (72 h), single use
//   accept          the user sets their password with the code (10 to 256 bytes); the code is
//                   spent, every earlier session of theirs ends, a lockout is lifted
//   sign_in         the password is checked against its Argon2id hash (crypto::derive_key,
//                   16-byte salt, the parameters stored beside it). A new random session
//                   token is issued at every sign-in, never one the browser offered (session
//                   fixation), and the session the browser held is ended
//   session         a token is valid until sign-out, the idle timeout (30 min without a
//                   request) or its lifetime (12 h), whichever comes first; the store keeps
//                   only its hash, so a copy of central.db signs nobody in
//   sign_out        ends the session on the server: the cookie is worthless after it
//
// Limits on guessing: every attempt on an account is counted in the store before the
// password is derived, so parallel guesses queue for the count; `max_failures` (10) wrong
// passwords in a row lock the account until an administrator unlocks it (a correct
// password does not). Per address, at most `max_failures_per_address` (30) failures in a
// window (15 min), kept in memory (a restart forgets them; the per-account count is what
// lasts). An unknown user costs the same derivation as a known one.
//
// CSRF: each session has a token derived from its secret (BLAKE2b of a domain and the
// session token), sent by the page in a header on every write and compared in constant
// time; it needs no storage and cannot be computed from what the store keeps.
//
// Every change (invitation, password set, sign-in, failure, lockout, unlock, sign-out) is
// audited under the user it concerns, or the administrator who made it.
//
// Thread safety: the address counts are guarded; the rest goes through the store.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "common/hlc.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

struct StaffPolicy {
  crypto::KdfParams kdf = crypto::kDefaultKdf;  // tests pass weaker ones to stay fast
  std::int64_t max_failures = 10;
  std::size_t max_failures_per_address = 30;
  std::chrono::milliseconds address_window{15 * 60 * 1000};
  std::chrono::milliseconds idle_timeout{30 * 60 * 1000};
  std::chrono::milliseconds session_lifetime{12 * 60 * 60 * 1000};
  std::chrono::milliseconds invitation_lifetime{72 * 60 * 60 * 1000};
  std::size_t min_password_bytes = 10;
  std::size_t max_password_bytes = 256;
  std::size_t max_tracked_addresses = 10000;
};

struct StaffInvitation {
  std::string code;  // 16 characters in groups of four: what the user types
  std::int64_t expires_at_ms = 0;
};

// A signed-in session as the console uses it.
struct StaffSignIn {
  User user;
  std::string token;  // the cookie's value: 64 hex digits
  std::string csrf;   // what the page sends back in X-CSRF-Token
};

struct StaffAccountState {
  bool has_password = false;
  bool locked = false;
  std::int64_t failures = 0;
};

class StaffAccounts {
 public:
  explicit StaffAccounts(CentralStore& store, StaffPolicy policy = {}, WallClock clock = system_wall_clock());

  // A code for `user`, issued by `by` (an admin's name, or kOperator). not_found for an
  // unknown user, invalid_argument for a deactivated one.
  Result<StaffInvitation> invite(const std::string& user, const std::string& by);

  // Sets the password of the code's user. permission_denied for a code unknown, expired or
  // used; invalid_argument for a password too short or too long (nothing is spent).
  Result<std::string> accept_invitation(std::string_view code, std::string_view password);

  // A new session. permission_denied ("wrong user name or password") for a wrong password,
  // an unknown or deactivated user or one without a password; locked_out for an account
  // locked or an address over its limit. `previous_token` (the cookie the browser sent, if
  // any) is ended whatever the outcome. A user with a second factor (staff_totp.h) gives
  // its `code` too; a wrong or used one is refused and counted like a wrong password.
  Result<StaffSignIn> sign_in(std::string_view user, std::string_view password, std::string_view address,
                              std::string_view previous_token = {}, std::string_view code = {});

  // The session's user (as the store has them now) and its CSRF token; the session's idle
  // clock restarts. permission_denied when the token is unknown, ended, idle or too old, or
  // its user was deactivated.
  Result<StaffSignIn> session(std::string_view token);

  // Constant time. False for an empty token.
  static bool csrf_matches(const StaffSignIn& session, std::string_view presented);

  // Ends the session on the server (idempotent).
  Status sign_out(std::string_view token);

  // Lifts a lockout: the failure count goes back to 0. not_found when the user has no
  // password yet.
  Status unlock(const std::string& user, const std::string& by);

  // Ends every session of `user` (after a deactivation or a role change), audited.
  Status end_sessions(const std::string& user, const std::string& by);

  Result<StaffAccountState> state(const std::string& user);

  const StaffPolicy& policy() const { return policy_; }

 private:
  // The address without its port; IPv6 by its /64, as the HTTP front counts it.
  static std::string address_key(std::string_view remote);
  bool address_over_limit(const std::string& key, std::int64_t now_ms);
  void count_address_failure(const std::string& key, std::int64_t now_ms);

  CentralStore& store_;
  StaffPolicy policy_;
  WallClock clock_;
  std::mutex address_mutex_;
  std::map<std::string, std::vector<std::int64_t>> address_failures_;
};

// BLAKE2b-256 of a session token, as the store keeps it.
std::array<std::uint8_t, 32> staff_token_hash(std::string_view token);

}  // namespace amana::server
