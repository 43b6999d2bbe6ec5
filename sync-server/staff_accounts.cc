#include "sync-server/staff_accounts.h"

#include <algorithm>
#include <cctype>

#include "common/message_catalogue.h"
#include "sync-server/admin.h"
#include "sync-server/staff_totp.h"

namespace amana::server {
namespace {

constexpr std::size_t kInvitationBytes = 10;  // 80 bits, as enrollment codes
constexpr std::size_t kTokenBytes = 32;
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32

std::string encode_code(const std::array<std::uint8_t, kInvitationBytes>& token) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : token) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  std::string grouped;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i > 0 && i % 4 == 0) grouped += '-';
    grouped += out[i];
  }
  return grouped;
}

// What a person typed back: case, dashes and spaces do not matter, and the letters the
// alphabet leaves out read as the digits they look like.
std::optional<std::array<std::uint8_t, kInvitationBytes>> decode_code(std::string_view typed) {
  if (typed.size() > 64) return std::nullopt;
  std::array<std::uint8_t, kInvitationBytes> token{};
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t n = 0;
  for (char raw : typed) {
    if (raw == '-' || raw == ' ') continue;
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    const std::size_t value = kAlphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      if (n == token.size()) return std::nullopt;
      token[n++] = static_cast<std::uint8_t>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if (n != token.size() || bits != 0) return std::nullopt;
  return token;
}

std::string csrf_of(std::string_view token) {
  std::string input = "amana/console/csrf/v1|";
  input += token;
  return crypto::to_hex(crypto::hash(crypto::as_bytes(input)));
}

Status refused_sign_in() { return Status(ErrorCode::permission_denied, Message("console.sign_in_refused")); }
Status ended_session() { return Status(ErrorCode::permission_denied, Message("console.session_ended")); }

}  // namespace

std::array<std::uint8_t, 32> staff_token_hash(std::string_view token) {
  std::string input = "amana/console/session/v1|";
  input += token;
  return crypto::hash(crypto::as_bytes(input));
}

StaffAccounts::StaffAccounts(CentralStore& store, StaffPolicy policy, WallClock clock)
    : store_(store), policy_(policy), clock_(std::move(clock)) {}

Result<StaffInvitation> StaffAccounts::invite(const std::string& user_name, const std::string& by) {
  AMANA_ASSIGN_OR_RETURN(User user, store_.user(user_name));
  if (!user.active) return invalid_argument(Message("console.user_inactive", {{"user", user_name}}));
  std::array<std::uint8_t, kInvitationBytes> token{};
  crypto::fill_random(token);
  const std::int64_t now = clock_();
  StaffInvitation invitation{encode_code(token), now + policy_.invitation_lifetime.count()};
  if (const Status committed = store_.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store_.add_staff_invitation(crypto::hash(token), user_name, invitation.expires_at_ms));
    return store_.append_audit(
        {now, by, "console-invitation", user_name, "valid " + format_duration(policy_.invitation_lifetime)});
  }); !committed.ok()) return committed;
  return invitation;
}

Result<std::string> StaffAccounts::accept_invitation(std::string_view code, std::string_view password) {
  if (password.size() < policy_.min_password_bytes || password.size() > policy_.max_password_bytes) {
    return invalid_argument(Message("console.password_length",
                                    {{"minimum", static_cast<std::int64_t>(policy_.min_password_bytes)},
                                     {"maximum", static_cast<std::int64_t>(policy_.max_password_bytes)}}));
  }
  const auto token = decode_code(code);
  if (!token) return Status(ErrorCode::permission_denied, Message("console.invitation_refused"));
  StaffCredential credential;
  credential.salt = crypto::random_bytes(crypto::kSaltBytes);
  // Derived before the code is spent: a derivation that fails leaves the code usable.
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes derived, crypto::derive_key(password, credential.salt, policy_.kdf));
  credential.password_hash.assign(derived.view().begin(), derived.view().end());
  credential.kdf_ops = policy_.kdf.ops_limit;
  credential.kdf_mem = policy_.kdf.mem_limit;
  const std::int64_t now = clock_();
  credential.set_at_ms = now;
  std::string user;
  if (const Status committed = store_.in_one_transaction([&]() -> Status {
    auto used = store_.use_staff_invitation(crypto::hash(*token), now);
    if (!used.ok()) {
      return used.status().code() == ErrorCode::permission_denied
                 ? Status(ErrorCode::permission_denied, Message("console.invitation_refused"))
                 : used.status();
    }
    user = *used;
    credential.user = user;
    AMANA_RETURN_IF_ERROR(store_.put_staff_credential(credential));
    AMANA_ASSIGN_OR_RETURN(std::int64_t ended, store_.end_staff_sessions_of(user));
    return store_.append_audit({now, user, "console-password-set", user,
                                "with an invitation; " + std::to_string(ended) + " earlier sessions ended"});
  }); !committed.ok()) return committed;
  return user;
}

std::string StaffAccounts::address_key(std::string_view remote) {
  std::string address(remote);
  if (!address.empty() && address.front() == '[') {
    address = address.substr(1, address.find(']') - 1);
  } else if (std::count(address.begin(), address.end(), ':') == 1) {
    address = address.substr(0, address.find(':'));
  }
  if (address.find(':') != std::string::npos) {
    // IPv6: its first four groups (the /64), as the HTTP front counts connections.
    std::size_t at = 0;
    for (int groups = 0; groups < 4 && at != std::string::npos; ++groups) at = address.find(':', at + 1);
    if (at != std::string::npos) address = address.substr(0, at) + "::/64";
  }
  return address;
}

bool StaffAccounts::address_over_limit(const std::string& key, std::int64_t now_ms) {
  std::lock_guard lock(address_mutex_);
  auto found = address_failures_.find(key);
  if (found == address_failures_.end()) return false;
  auto& times = found->second;
  std::erase_if(times, [&](std::int64_t at) { return at <= now_ms - policy_.address_window.count(); });
  return times.size() >= policy_.max_failures_per_address;
}

void StaffAccounts::count_address_failure(const std::string& key, std::int64_t now_ms) {
  std::lock_guard lock(address_mutex_);
  if (address_failures_.size() >= policy_.max_tracked_addresses && !address_failures_.contains(key)) {
    // Forget the addresses whose window has passed before tracking a new one; the map stays
    // bounded whatever a flood of addresses does.
    std::erase_if(address_failures_, [&](const auto& entry) {
      return entry.second.empty() || entry.second.back() <= now_ms - policy_.address_window.count();
    });
    if (address_failures_.size() >= policy_.max_tracked_addresses) address_failures_.erase(address_failures_.begin());
  }
  auto& times = address_failures_[key];
  times.push_back(now_ms);
  if (times.size() > policy_.max_failures_per_address) times.erase(times.begin());
}

Result<StaffSignIn> StaffAccounts::sign_in(std::string_view user_name, std::string_view password,
                                           std::string_view address, std::string_view previous_token,
                                           std::string_view code) {
  if (!previous_token.empty()) AMANA_RETURN_IF_ERROR(store_.end_staff_session(staff_token_hash(previous_token)));
  const std::int64_t now = clock_();
  const std::string from = address_key(address);
  if (address_over_limit(from, now)) {
    return Status(ErrorCode::locked_out,
                  Message("console.address_limited",
                          {{"minutes", static_cast<std::int64_t>(policy_.address_window.count() / 60000)}}));
  }
  const std::string name(user_name.substr(0, 64));
  auto user = store_.user(name);
  std::optional<StaffCredential> credential;
  if (user.ok() && user->active) {
    AMANA_ASSIGN_OR_RETURN(credential, store_.staff_credential(name));
  }
  if (!credential) {
    // The same derivation as for a real account, so that the answer's time does not say
    // which user names exist.
    const crypto::Bytes salt(crypto::kSaltBytes, 0);
    AMANA_RETURN_IF_ERROR(crypto::derive_key(password.substr(0, policy_.max_password_bytes), salt, policy_.kdf).status());
    count_address_failure(from, now);
    return refused_sign_in();
  }
  // Counted, and committed, before the derivation: guesses made in parallel queue here.
  bool locked = false;
  if (const Status committed = store_.in_one_transaction([&]() -> Status {
    AMANA_ASSIGN_OR_RETURN(auto current, store_.staff_credential(name));
    if (!current) return refused_sign_in();
    if (current->failures >= policy_.max_failures) {
      locked = true;
      return store_.append_audit({now, name, "console-sign-in-refused", name, "account locked; from " + from});
    }
    current->failures += 1;
    *credential = *current;
    return store_.put_staff_credential(*current);
  }); !committed.ok()) return committed;
  if (locked) {
    count_address_failure(from, now);
    return Status(ErrorCode::locked_out, Message("console.account_locked", {{"count", policy_.max_failures}}));
  }
  const crypto::KdfParams stored{credential->kdf_ops, credential->kdf_mem};
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes derived,
                         crypto::derive_key(password.substr(0, policy_.max_password_bytes), credential->salt, stored));
  const bool password_right = crypto::constant_time_equal(derived.view(), credential->password_hash);
  // The second factor is asked only after the right password, so a guess at the code costs
  // a derivation too, and counts like a wrong password.
  bool code_right = true;
  if (password_right) {
    AMANA_ASSIGN_OR_RETURN(code_right, check_totp(store_, name, code, now));
  }
  if (!password_right || !code_right) {
    count_address_failure(from, now);
    const bool now_locked = credential->failures >= policy_.max_failures;
    if (const Status committed = store_.in_one_transaction([&]() -> Status {
      if (now_locked) {
        AMANA_ASSIGN_OR_RETURN(auto current, store_.staff_credential(name));
        if (current && !current->locked_at_ms) {
          current->locked_at_ms = now;
          AMANA_RETURN_IF_ERROR(store_.put_staff_credential(*current));
        }
      }
      return store_.append_audit({now, name, "console-sign-in-failed", name,
                                  std::string(password_right ? "wrong or used second-factor code " : "wrong password ") +
                                      std::to_string(credential->failures) + " of " +
                                      std::to_string(policy_.max_failures) + (now_locked ? ", account locked" : "") +
                                      "; from " + from});
    }); !committed.ok()) return committed;
    if (now_locked) {
      return Status(ErrorCode::locked_out, Message("console.account_locked", {{"count", policy_.max_failures}}));
    }
    return refused_sign_in();
  }
  StaffSignIn signed_in;
  signed_in.user = *user;
  const crypto::Bytes token = crypto::random_bytes(kTokenBytes);
  signed_in.token = crypto::to_hex(token);
  signed_in.csrf = csrf_of(signed_in.token);
  if (const Status committed = store_.in_one_transaction([&]() -> Status {
    AMANA_ASSIGN_OR_RETURN(auto current, store_.staff_credential(name));
    if (!current) return refused_sign_in();
    if (current->locked_at_ms) {
      // Locked by other guesses while this one derived: the lock holds for it too.
      return Status(ErrorCode::locked_out, Message("console.account_locked", {{"count", policy_.max_failures}}));
    }
    current->failures = 0;
    AMANA_RETURN_IF_ERROR(store_.put_staff_credential(*current));
    AMANA_RETURN_IF_ERROR(store_.add_staff_session({staff_token_hash(signed_in.token), name, now, now}));
    return store_.append_audit({now, name, "console-sign-in", name, "from " + from});
  }); !committed.ok()) return committed;
  return signed_in;
}

Result<StaffSignIn> StaffAccounts::session(std::string_view token) {
  if (token.size() != 2 * kTokenBytes) return ended_session();
  const auto hashed = staff_token_hash(token);
  AMANA_ASSIGN_OR_RETURN(auto session, store_.staff_session(hashed));
  if (!session) return ended_session();
  const std::int64_t now = clock_();
  const bool idle = now - session->last_seen_ms > policy_.idle_timeout.count();
  const bool old = now - session->created_at_ms > policy_.session_lifetime.count();
  auto user = store_.user(session->user);
  if (idle || old || !user.ok() || !user->active) {
    AMANA_RETURN_IF_ERROR(store_.end_staff_session(hashed));
    return ended_session();
  }
  // The idle clock restarts, written at most once a minute: reads stay reads.
  if (now - session->last_seen_ms > 60'000) AMANA_RETURN_IF_ERROR(store_.touch_staff_session(hashed, now));
  return StaffSignIn{*user, std::string(token), csrf_of(token)};
}

bool StaffAccounts::csrf_matches(const StaffSignIn& session, std::string_view presented) {
  if (presented.empty() || session.csrf.empty()) return false;
  return crypto::constant_time_equal(crypto::as_bytes(session.csrf), crypto::as_bytes(presented));
}

Status StaffAccounts::sign_out(std::string_view token) {
  if (token.empty()) return Status();
  const auto hashed = staff_token_hash(token);
  AMANA_ASSIGN_OR_RETURN(auto session, store_.staff_session(hashed));
  if (!session) return Status();
  return store_.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store_.end_staff_session(hashed));
    return store_.append_audit({clock_(), session->user, "console-sign-out", session->user, ""});
  });
}

Status StaffAccounts::unlock(const std::string& user, const std::string& by) {
  return store_.in_one_transaction([&]() -> Status {
    AMANA_ASSIGN_OR_RETURN(auto credential, store_.staff_credential(user));
    if (!credential) return not_found("user '" + user + "' has no console password yet: invite them");
    const std::int64_t failures = credential->failures;
    credential->failures = 0;
    credential->locked_at_ms.reset();
    AMANA_RETURN_IF_ERROR(store_.put_staff_credential(*credential));
    return store_.append_audit({clock_(), by, "console-unlock", user, "after " + std::to_string(failures) + " failures"});
  });
}

Status StaffAccounts::end_sessions(const std::string& user, const std::string& by) {
  return store_.in_one_transaction([&]() -> Status {
    AMANA_ASSIGN_OR_RETURN(std::int64_t ended, store_.end_staff_sessions_of(user));
    if (ended == 0) return Status();
    return store_.append_audit({clock_(), by, "console-sessions-ended", user, std::to_string(ended) + " sessions"});
  });
}

Result<StaffAccountState> StaffAccounts::state(const std::string& user) {
  AMANA_ASSIGN_OR_RETURN(auto credential, store_.staff_credential(user));
  StaffAccountState state;
  if (!credential) return state;
  state.has_password = true;
  state.failures = credential->failures;
  state.locked = credential->failures >= policy_.max_failures;
  return state;
}

}  // namespace amana::server
