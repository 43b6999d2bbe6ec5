// Console staff accounts (CentralStore's staff accounts, migration 16): credentials,
// one-time invitations and sessions. Every secret is stored as a hash; what is in clear is
// who, when and how many failures.
#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {

Result<std::optional<StaffCredential>> SqliteCentralStore::staff_credential(std::string_view user) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT salt, password_hash, kdf_ops, kdf_mem, set_at_ms, failures, "
                                                  "locked_at_ms FROM staff_credentials WHERE user = ?"));
  q.bind(1, user);
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<StaffCredential>();
  StaffCredential c;
  c.user = std::string(user);
  c.salt = q.column_blob(0);
  c.password_hash = q.column_blob(1);
  c.kdf_ops = static_cast<std::uint64_t>(q.column_int64(2));
  c.kdf_mem = static_cast<std::uint64_t>(q.column_int64(3));
  c.set_at_ms = q.column_int64(4);
  c.failures = q.column_int64(5);
  if (!q.column_is_null(6)) c.locked_at_ms = q.column_int64(6);
  return std::optional<StaffCredential>(std::move(c));
}

Status SqliteCentralStore::put_staff_credential(const StaffCredential& c) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_RETURN_IF_ERROR(find_user(c.user).status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("INSERT OR REPLACE INTO staff_credentials (user, salt, password_hash, kdf_ops, "
                                    "kdf_mem, set_at_ms, failures, locked_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  q.bind(1, c.user)
      .bind(2, c.salt)
      .bind(3, c.password_hash)
      .bind(4, as_int(c.kdf_ops))
      .bind(5, as_int(c.kdf_mem))
      .bind(6, c.set_at_ms)
      .bind(7, c.failures);
  if (c.locked_at_ms) {
    q.bind(8, *c.locked_at_ms);
  } else {
    q.bind_null(8);
  }
  AMANA_RETURN_IF_ERROR(q.run());
  return txn.commit();
}

Status SqliteCentralStore::add_staff_invitation(const std::array<std::uint8_t, 32>& token_hash,
                                                const std::string& user, std::int64_t expires_at_ms) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_RETURN_IF_ERROR(find_user(user).status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("INSERT INTO staff_invitations (token_hash, user, expires_at_ms) VALUES (?, ?, ?)"));
  AMANA_RETURN_IF_ERROR(q.bind(1, ByteView(token_hash)).bind(2, user).bind(3, expires_at_ms).run());
  return txn.commit();
}

Result<std::string> SqliteCentralStore::use_staff_invitation(const std::array<std::uint8_t, 32>& token_hash,
                                                             std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(
      sql::Query q, db_->query("SELECT user, expires_at_ms, used_at_ms FROM staff_invitations WHERE token_hash = ?"));
  q.bind(1, ByteView(token_hash));
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  const Status refused(ErrorCode::permission_denied,
                       "invitation code refused: unknown, expired or already used; ask an administrator for a new one");
  if (!row || !q.column_is_null(2) || q.column_int64(1) < now_ms) return refused;
  std::string user_name = q.column_text(0);
  AMANA_ASSIGN_OR_RETURN(User user, find_user(user_name));
  if (!user.active) return refused;
  AMANA_ASSIGN_OR_RETURN(sql::Query use, db_->query("UPDATE staff_invitations SET used_at_ms = ? WHERE token_hash = ?"));
  AMANA_RETURN_IF_ERROR(use.bind(1, now_ms).bind(2, ByteView(token_hash)).run());
  AMANA_RETURN_IF_ERROR(txn.commit());
  return user_name;
}

Status SqliteCentralStore::add_staff_session(const StaffSession& s) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT INTO staff_sessions (token_hash, user, created_at_ms, "
                                                  "last_seen_ms) VALUES (?, ?, ?, ?)"));
  AMANA_RETURN_IF_ERROR(
      q.bind(1, ByteView(s.token_hash)).bind(2, s.user).bind(3, s.created_at_ms).bind(4, s.last_seen_ms).run());
  return txn.commit();
}

Result<std::optional<StaffSession>> SqliteCentralStore::staff_session(const std::array<std::uint8_t, 32>& token_hash) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(
      sql::Query q, db_->query("SELECT user, created_at_ms, last_seen_ms FROM staff_sessions WHERE token_hash = ?"));
  q.bind(1, ByteView(token_hash));
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<StaffSession>();
  StaffSession s;
  s.token_hash = token_hash;
  s.user = q.column_text(0);
  s.created_at_ms = q.column_int64(1);
  s.last_seen_ms = q.column_int64(2);
  return std::optional<StaffSession>(std::move(s));
}

Status SqliteCentralStore::touch_staff_session(const std::array<std::uint8_t, 32>& token_hash, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("UPDATE staff_sessions SET last_seen_ms = max(last_seen_ms, ?) "
                                                  "WHERE token_hash = ?"));
  AMANA_RETURN_IF_ERROR(q.bind(1, now_ms).bind(2, ByteView(token_hash)).run());
  return txn.commit();
}

Status SqliteCentralStore::end_staff_session(const std::array<std::uint8_t, 32>& token_hash) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("DELETE FROM staff_sessions WHERE token_hash = ?"));
  AMANA_RETURN_IF_ERROR(q.bind(1, ByteView(token_hash)).run());
  return txn.commit();
}

Result<std::int64_t> SqliteCentralStore::end_staff_sessions_of(const std::string& user) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("DELETE FROM staff_sessions WHERE user = ?"));
  AMANA_RETURN_IF_ERROR(q.bind(1, user).run());
  const std::int64_t ended = db_->changes();
  AMANA_RETURN_IF_ERROR(txn.commit());
  return ended;
}

}  // namespace amana::server::sqlite_store
