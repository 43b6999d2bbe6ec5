// Console staff's second factors (migration 17): each TOTP secret sealed under the org's
// data key with its user as associated data, so a copy of central.db yields no secret and
// a sealed secret moved to another user's row does not open.
#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {

namespace {

Bytes totp_ad(std::string_view user) {
  const std::string label = "amana/staff-totp/v1:" + std::string(user);
  return Bytes(label.begin(), label.end());
}

}  // namespace

Result<std::optional<StaffTotp>> SqliteCentralStore::staff_totp(std::string_view user) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  require_data_key();
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT sealed_secret, confirmed_at_ms, last_step FROM staff_totp "
                                                  "WHERE user = ?"));
  q.bind(1, user);
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<StaffTotp>();
  StaffTotp totp;
  totp.user = std::string(user);
  AMANA_ASSIGN_OR_RETURN(totp.secret, crypto::open(data_key_, q.column_blob(0), totp_ad(user), crypto::Memory::wiped));
  if (!q.column_is_null(1)) totp.confirmed_at_ms = q.column_int64(1);
  totp.last_step = static_cast<std::uint64_t>(q.column_int64(2));
  return std::optional<StaffTotp>(std::move(totp));
}

Status SqliteCentralStore::put_staff_totp(const StaffTotp& totp) {
  std::lock_guard lock(mutex_);
  require_data_key();
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_RETURN_IF_ERROR(find_user(totp.user).status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT OR REPLACE INTO staff_totp (user, sealed_secret, "
                                                  "confirmed_at_ms, last_step) VALUES (?, ?, ?, ?)"));
  q.bind(1, totp.user).bind(2, crypto::seal(data_key_, totp.secret.view(), totp_ad(totp.user)));
  if (totp.confirmed_at_ms) {
    q.bind(3, *totp.confirmed_at_ms);
  } else {
    q.bind_null(3);
  }
  AMANA_RETURN_IF_ERROR(q.bind(4, as_int(totp.last_step)).run());
  return txn.commit();
}

Result<bool> SqliteCentralStore::use_staff_totp_step(std::string_view user, std::uint64_t step) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("UPDATE staff_totp SET last_step = ? WHERE user = ? AND last_step < ?"));
  AMANA_RETURN_IF_ERROR(q.bind(1, as_int(step)).bind(2, user).bind(3, as_int(step)).run());
  return db_->changes() == 1;
}

Status SqliteCentralStore::remove_staff_totp(std::string_view user) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("DELETE FROM staff_totp WHERE user = ?"));
  AMANA_RETURN_IF_ERROR(q.bind(1, user).run());
  if (db_->changes() == 0) return not_found("user '" + std::string(user) + "' has no second factor");
  return Status();
}

}  // namespace amana::server::sqlite_store
