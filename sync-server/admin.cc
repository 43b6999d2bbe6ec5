#include "sync-server/admin.h"

#include <cstdlib>

#include "common/enrollment_code.h"
#include "sync-server/org_keys.h"

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
  const Status created = create_org_keys(*store, passphrase, kdf);
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
                                         std::chrono::milliseconds lifetime, std::int64_t now_ms) {
  AMANA_ASSIGN_OR_RETURN(OrgPublicKeys keys, org_public_keys(store));
  EnrollmentCode code;
  crypto::fill_random(code.token);
  code.fingerprint = org_fingerprint(keys.sign, keys.box);
  const std::int64_t expires = now_ms + lifetime.count();
  AMANA_RETURN_IF_ERROR(store.add_enrollment(crypto::hash(code.token), user, expires));
  AMANA_RETURN_IF_ERROR(store.append_audit({now_ms, kOperator, "enrollment-code", user,
                                            "valid " + format_duration(lifetime)}));
  return IssuedCode{code.to_string(), expires};
}

Status register_user(CentralStore& store, const User& user, std::int64_t now_ms) {
  AMANA_RETURN_IF_ERROR(store.add_user(user));
  return store.append_audit({now_ms, kOperator, "add-user", user.name,
                             "role " + std::string(role_name(user.role)) + (user.team.empty() ? "" : ", team " + user.team)});
}

Status revoke_device(CentralStore& store, const DeviceId& device, std::int64_t now_ms) {
  AMANA_RETURN_IF_ERROR(store.revoke(device, now_ms));
  return store.append_audit({now_ms, kOperator, "revoke", device.to_string(), ""});
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
