#include "sync-server/admin.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/enrollment_code.h"
#include "common/hlc.h"
#include "common/id_parts.h"
#include "common/message_catalogue.h"
#include "sync-server/access.h"
#include "sync-server/org_keys.h"
#include "sync-server/published_forms.h"

namespace amana::server {
namespace {

constexpr const char* kStoreFile = "central.db";
constexpr const char* kLeaseKey = "offline_lease_ms";

}  // namespace

std::filesystem::path resolve_data_dir(const std::optional<std::string>& flag) {
  if (flag && !flag->empty()) return *flag;
  if (const char* env = std::getenv("AMANA_SERVER_DATA"); env && *env) return env;
  return "amana-server-data";
}

Status init_server(const std::filesystem::path& dir, std::string_view passphrase, crypto::KdfParams kdf) {
  if (std::filesystem::exists(dir / kStoreFile)) {
    return Status(ErrorCode::already_exists, "a server store already exists in " + dir.string());
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("cannot create " + dir.string() + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  AMANA_ASSIGN_OR_RETURN(auto store, open_sqlite_store(dir / kStoreFile, true));
  OrgKeys keys;
  Status created = create_org_keys(*store, passphrase, kdf, &keys);
  // The built-in pack is the first published set: devices receive it signed like any form.
  if (created.ok()) created = publish_builtin_pack(*store, keys, "init", system_wall_clock()());
  if (!created.ok()) {
    store.reset();
    std::filesystem::remove(dir / kStoreFile, ec);  // a store without keys is of no use
    return created;
  }
  return Status();
}

Result<std::unique_ptr<CentralStore>> open_server_store(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir / kStoreFile)) {
    return not_found("no server store in " + dir.string() + ": run `sync-server --data " + dir.string() + " init`");
  }
  return open_sqlite_store(dir / kStoreFile, false);
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text, std::chrono::hours longest) {
  const Status bad = invalid_argument("'" + std::string(text) + "' is not a duration like 24h, 90m, 7d or 3600s");
  if (text.size() < 2 || text.size() > 8) return bad;
  const char unit = text.back();
  const std::string_view digits = text.substr(0, text.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return bad;
  const long long amount = std::stoll(std::string(digits));
  long long seconds = 0;
  switch (unit) {
    case 's': seconds = amount; break;
    case 'm': seconds = amount * 60; break;
    case 'h': seconds = amount * 3600; break;
    case 'd': seconds = amount * 86400; break;
    default: return bad;
  }
  if (seconds <= 0 || seconds > std::chrono::duration_cast<std::chrono::seconds>(longest).count()) {
    return invalid_argument("'" + std::string(text) + "' is out of range: give between one second and " +
                            std::to_string(longest.count() / 24) + " days");
  }
  return std::chrono::milliseconds(seconds * 1000);
}

std::string format_duration(std::chrono::milliseconds duration) {
  const long long seconds = duration.count() / 1000;
  auto count = [](long long n, const char* unit) { return std::to_string(n) + " " + unit + (n == 1 ? "" : "s"); };
  if (seconds % 86400 == 0) return count(seconds / 86400, "day");
  if (seconds % 3600 == 0) return count(seconds / 3600, "hour");
  if (seconds % 60 == 0) return count(seconds / 60, "minute");
  return count(seconds, "second");
}

Result<IssuedCode> issue_enrollment_code(CentralStore& store, const std::string& user,
                                         std::chrono::milliseconds lifetime, std::int64_t now_ms,
                                         const std::string& by) {
  AMANA_ASSIGN_OR_RETURN(OrgPublicKeys keys, org_public_keys(store));
  EnrollmentCode code;
  crypto::fill_random(code.token);
  code.fingerprint = enrollment_fingerprint(code.token, keys.sign, keys.box);
  const std::int64_t expires = now_ms + lifetime.count();
  const Status issued = store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store.add_enrollment(crypto::hash(code.token), user, expires));
    return store.append_audit({now_ms, by, "enrollment-code", user, "valid " + format_duration(lifetime)});
  });
  if (!issued.ok()) return issued;
  return IssuedCode{code.to_string(), expires};
}

namespace {

// Names and teams appear in listings and in the audit log's clear text: a newline or a
// control character there could forge a line of either.
Status check_name(std::string_view what, std::string_view name, bool may_be_empty) {
  if (name.empty() && may_be_empty) return Status();
  const bool valid = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
  if (valid) return Status();
  return invalid_argument(std::string(what) + " '" + std::string(name) +
                          "': use 1 to 64 letters, digits, '.', '_' or '-'");
}

std::string describe(const User& user) {
  return "role " + std::string(role_name(user.role)) + (user.team.empty() ? "" : ", team " + user.team);
}

}  // namespace

Status register_user(CentralStore& store, const User& user, std::int64_t now_ms, const std::string& by) {
  AMANA_RETURN_IF_ERROR(check_name("user name", user.name, false));
  AMANA_RETURN_IF_ERROR(check_name("team", user.team, true));
  return store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store.add_user(user));
    return store.append_audit({now_ms, by, "add-user", user.name, describe(user)});
  });
}

Result<std::vector<User>> list_users(CentralStore& store) { return store.users(); }

Status change_user(CentralStore& store, const std::string& name, const UserChange& change, std::int64_t now_ms,
                   const std::string& by) {
  if (!change.role && !change.team) return invalid_argument("say what changes: --role R, --team T, or both");
  if (change.team) AMANA_RETURN_IF_ERROR(check_name("team", *change.team, true));
  return store.in_one_transaction([&]() -> Status {
    AMANA_ASSIGN_OR_RETURN(User user, store.user(name));
    if (!user.active) return invalid_argument("user '" + name + "' is deactivated: add a new user instead");
    User changed = user;
    if (change.role) changed.role = *change.role;
    if (change.team) changed.team = *change.team;
    if (changed.role == user.role && changed.team == user.team) {
      return invalid_argument("user '" + name + "' already has " + describe(user) + ": nothing to change");
    }
    AMANA_RETURN_IF_ERROR(store.update_user(changed));
    return store.append_audit({now_ms, by, "change-user", name, "was " + describe(user) + ", now " + describe(changed)});
  });
}

Result<std::vector<DeviceId>> deactivate_user(CentralStore& store, const std::string& name, std::int64_t now_ms,
                                              const std::string& by) {
  std::vector<DeviceId> revoked;
  const Status done = store.in_one_transaction([&]() -> Status {
    AMANA_ASSIGN_OR_RETURN(User user, store.user(name));
    if (!user.active) return invalid_argument("user '" + name + "' is already deactivated");
    user.active = false;
    AMANA_RETURN_IF_ERROR(store.update_user(user));
    AMANA_ASSIGN_OR_RETURN(auto devices, store.devices());
    for (const Device& device : devices) {
      if (device.user != name || device.revoked_at_ms) continue;
      AMANA_RETURN_IF_ERROR(store.revoke(device.id, now_ms));
      AMANA_RETURN_IF_ERROR(store.append_audit({now_ms, by, "revoke", device.id.to_string(), "its user was deactivated"}));
      revoked.push_back(device.id);
    }
    AMANA_ASSIGN_OR_RETURN(std::int64_t sessions, store.end_staff_sessions_of(name));
    return store.append_audit({now_ms, by, "deactivate-user", name,
                               std::to_string(revoked.size()) + " devices revoked, " + std::to_string(sessions) +
                                   " console sessions ended"});
  });
  if (!done.ok()) return done;
  return revoked;
}

Status revoke_device(CentralStore& store, const DeviceId& device, std::int64_t now_ms, const std::string& by) {
  return store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store.revoke(device, now_ms));
    return store.append_audit({now_ms, by, "revoke", device.to_string(), ""});
  });
}

Result<DeviceId> find_device(CentralStore& store, std::string_view id_or_part) {
  AMANA_ASSIGN_OR_RETURN(auto devices, store.devices());
  std::vector<DeviceId> ids;
  for (const Device& d : devices) ids.push_back(d.id);
  return resolve_id<DeviceId>(id_or_part, ids, {Message("ids.noun.device"), "sync-server devices"});
}

Status audit_view(CentralStore& store, const OfficeView& view, std::int64_t now_ms) {
  if (!view.by.empty()) AMANA_RETURN_IF_ERROR(authorize(store, view.by, Operation::export_identified).status());
  return store.append_audit({now_ms, view.by.empty() ? kOperator : view.by, "view " + view.what, view.subject,
                             std::to_string(view.rows) + (view.rows == 1 ? " row, " : " rows, ") +
                                 (view.identified ? "IDENTIFIED" : "references only")});
}

Status set_offline_lease(CentralStore& store, std::optional<std::chrono::milliseconds> lease, std::int64_t now_ms) {
  std::string encoded = lease ? std::to_string(lease->count()) : "";
  AMANA_RETURN_IF_ERROR(store.put_meta(kLeaseKey, crypto::as_bytes(encoded)));
  return store.append_audit({now_ms, kOperator, "offline-lease", "all devices",
                             lease ? format_duration(*lease) : "none"});
}

Result<std::optional<std::chrono::milliseconds>> offline_lease(CentralStore& store) {
  AMANA_ASSIGN_OR_RETURN(auto stored, store.meta(kLeaseKey));
  if (!stored || stored->empty()) return std::optional<std::chrono::milliseconds>();
  const std::string text(stored->begin(), stored->end());
  if (text.find_first_not_of("0123456789") != std::string::npos || text.size() > 15) {
    return corrupt("the stored offline lease is damaged: set it again with `sync-server lease`");
  }
  return std::optional<std::chrono::milliseconds>(std::stoll(text));
}

}  // namespace amana::server
