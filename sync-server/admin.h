// What office staff do with a server's data directory, behind the sync-server CLI:
// create it, open it, issue enrollment codes.
//
// A data directory holds central.db (the SQLite central store, see central_store.h).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

// --data, else $AMANA_SERVER_DATA, else ./amana-server-data.
std::filesystem::path resolve_data_dir(const std::optional<std::string>& flag);

// Creates the directory, the central store and the organisation keys, and publishes the
// built-in forms as their first versions, signed (published_forms.h).
// already_exists when the directory already holds a store.
Status init_server(const std::filesystem::path& dir, std::string_view passphrase,
                   crypto::KdfParams kdf = crypto::kDefaultKdf);

// not_found (saying to run init) when there is no store.
Result<std::unique_ptr<CentralStore>> open_server_store(const std::filesystem::path& dir);

// "24h", "90m", "7d", "3600s". invalid_argument otherwise, or when zero or over `longest`.
Result<std::chrono::milliseconds> parse_duration(std::string_view text,
                                                 std::chrono::hours longest = std::chrono::hours(30 * 24));

// "30 days", "12 hours", "90 seconds": the largest unit that divides it.
std::string format_duration(std::chrono::milliseconds duration);

// The actor named in the audit log for a command run on the server itself: whoever holds
// the data directory (and, for most commands, the operator passphrase).
inline constexpr const char* kOperator = "operator";

struct IssuedCode {
  std::string code;            // what the device types: 24 characters in groups of four
  std::int64_t expires_at_ms;
};

// A one-time code for `user`, valid for `lifetime`. not_found for an unknown user,
// permission_denied for a deactivated one. Audited, like every function below.
// `by` is who is named in the audit log: the operator at the shell, or the administrator
// signed in to the console (as for every change below).
Result<IssuedCode> issue_enrollment_code(CentralStore& store, const std::string& user,
                                         std::chrono::milliseconds lifetime, std::int64_t now_ms,
                                         const std::string& by = kOperator);

// --- users: each change is audited, in the same transaction as the change ---

// already_exists for a name taken; invalid_argument for a name or team that is not 1-64
// letters, digits, '.', '_' or '-' (they are printed in listings and the audit log).
Status register_user(CentralStore& store, const User& user, std::int64_t now_ms, const std::string& by = kOperator);

// Every user, by name, deactivated ones included.
Result<std::vector<User>> list_users(CentralStore& store);

struct UserChange {
  std::optional<Role> role;
  std::optional<std::string> team;  // "" moves the user out of every team
};
// A new role or team, effective at each of their devices' next sync (need-to-know is
// decided at every pull from the user's current role and team). not_found; invalid_argument
// when the change changes nothing, or for a deactivated user.
Status change_user(CentralStore& store, const std::string& name, const UserChange& change, std::int64_t now_ms,
                   const std::string& by = kOperator);

// The user can no longer be issued a code, enroll or be assigned a case, and every device
// of theirs is revoked (it wipes itself at its next contact). Returns the devices revoked
// now. Their console sessions end too. not_found; invalid_argument when already deactivated.
Result<std::vector<DeviceId>> deactivate_user(CentralStore& store, const std::string& name, std::int64_t now_ms,
                                              const std::string& by = kOperator);

// The device can no longer sync; at its next contact it is told, in a message signed by
// the org, to wipe its store. not_found for an unknown device.
Status revoke_device(CentralStore& store, const DeviceId& device, std::int64_t now_ms,
                     const std::string& by = kOperator);

// An enrolled device by a full id or a part of one from its start or end (common/id_parts.h).
Result<DeviceId> find_device(CentralStore& store, std::string_view id_or_part);

// An office command that shows identified data (names, answers: records, cases --names,
// cases show, history, conflicts, duplicates) is audited before anything is printed: what
// was shown, about what, how many rows, whether names were in it; never a name or an
// answer. `by` is the officer the view is for, checked like a decision (officer or admin:
// access.h), or empty for the operator at the server.
struct OfficeView {
  std::string by;
  std::string what;     // "cases", "case", "history", "conflicts", "duplicates", "records", "review"
  std::string subject;  // a case id, a form id, or "all"
  std::size_t rows = 0;
  bool identified = true;
};
Status audit_view(CentralStore& store, const OfficeView& view, std::int64_t now_ms);

// The offline lease: a device that has not synced for this long locks its store until it
// syncs again (devices learn the lease at every sync). nullopt: no lease.
Status set_offline_lease(CentralStore& store, std::optional<std::chrono::milliseconds> lease, std::int64_t now_ms);
Result<std::optional<std::chrono::milliseconds>> offline_lease(CentralStore& store);

}  // namespace amana::server
