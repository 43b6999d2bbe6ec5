// The SQLite central store: meta, users, enrollment, devices, nonces, the provider
// directory and the audit log. See sqlite_central_store_internal.h for how it is split.
#include <algorithm>

#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {

std::string join_services(const std::vector<std::string>& services) {
  std::string out;
  for (const std::string& s : services) out += (out.empty() ? "" : ";") + s;
  return out;
}

std::vector<std::string> split_services(const std::string& joined) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= joined.size() && !joined.empty()) {
    const auto end = joined.find(';', start);
    out.push_back(joined.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

crypto::PublicKey to_key(const Bytes& bytes) {
  crypto::PublicKey key{};
  if (bytes.size() == key.size()) std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

namespace {

// The reader this thread has bound, and for which store's connections.
struct Bound {
  const Connections* connections = nullptr;
  sql::Database* reader = nullptr;
};
thread_local Bound bound;

}  // namespace

sql::Database* Connections::operator->() const {
  return bound.connections == this ? bound.reader : writer_.get();
}

Result<std::unique_ptr<sql::Database>> Connections::lease() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      auto reader = std::move(idle_.back());
      idle_.pop_back();
      return reader;
    }
  }
  return sql::Database::open(writer_->path(), sql::OpenMode::existing);
}

void Connections::give_back(std::unique_ptr<sql::Database> reader) {
  std::lock_guard lock(pool_mutex_);
  idle_.push_back(std::move(reader));
}

ReadScope::ReadScope(SqliteCentralStore& store) : store_(store) {
  if (store.transaction_thread_.load() == std::this_thread::get_id()) {
    lock_ = std::unique_lock(store.mutex_);  // see the transaction's own writes
    return;
  }
  if (bound.connections == &store.db_) {
    nested_ = true;
    return;
  }
  auto reader = store.db_.lease();
  if (!reader.ok()) {
    status_ = reader.status();
    return;
  }
  reader_ = std::move(reader).value();
  bound = {&store.db_, reader_.get()};
}

ReadScope::~ReadScope() {
  if (!reader_) return;
  bound = {};
  store_.db_.give_back(std::move(reader_));
}

Status SqliteCentralStore::in_one_transaction(const std::function<Status()>& work) {
  std::lock_guard lock(mutex_);
  const std::thread::id outer = transaction_thread_.exchange(std::this_thread::get_id());
  struct Restore {
    std::atomic<std::thread::id>& thread;
    std::thread::id outer;
    ~Restore() { thread.store(outer); }
  } restore{transaction_thread_, outer};
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_RETURN_IF_ERROR(work());
  return txn.commit();  // durable: synchronous=FULL
}

Status SqliteCentralStore::put_meta(const std::string& key, ByteView value) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
  return q.bind(1, key).bind(2, value).run();
}

Result<std::optional<Bytes>> SqliteCentralStore::meta(const std::string& key) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT value FROM meta WHERE key = ?"));
  q.bind(1, key);
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<Bytes>();
  return std::optional<Bytes>(q.column_blob(0));
}

Status SqliteCentralStore::set_data_key(crypto::SecretBytes key) {
  std::lock_guard lock(mutex_);
  data_key_ = std::move(key);
  AMANA_RETURN_IF_ERROR(reseal_legacy_values());
  AMANA_RETURN_IF_ERROR(build_case_scope_if_pending());
  AMANA_RETURN_IF_ERROR(build_case_listing_if_pending());
  return build_report_counts_if_pending();
}

Status SqliteCentralStore::add_user(const User& user) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Query exists, db_->query("SELECT 1 FROM users WHERE name = ?"));
  exists.bind(1, user.name);
  AMANA_ASSIGN_OR_RETURN(bool row, exists.step());
  if (row) return Status(ErrorCode::already_exists, "user '" + user.name + "' already exists");
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT INTO users (name, role, team, active) VALUES (?, ?, ?, ?)"));
  return q.bind(1, user.name).bind(2, role_name(user.role)).bind(3, user.team).bind(4, std::int64_t{user.active}).run();
}

Result<User> SqliteCentralStore::user(std::string_view name) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  return find_user(name);
}

Result<std::vector<User>> SqliteCentralStore::users() {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query(std::string(kUserColumns) + " ORDER BY name"));
  std::vector<User> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(User user, read_user(q));
    out.push_back(std::move(user));
  }
  return out;
}

Status SqliteCentralStore::update_user(const User& user) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("UPDATE users SET role = ?, team = ?, active = ? WHERE name = ?"));
  AMANA_RETURN_IF_ERROR(
      q.bind(1, role_name(user.role)).bind(2, user.team).bind(3, std::int64_t{user.active}).bind(4, user.name).run());
  if (db_->changes() == 0) return not_found("no user '" + user.name + "' (see `sync-server users list`)");
  return Status();
}

Status SqliteCentralStore::add_enrollment(const std::array<std::uint8_t, 32>& token_hash, const std::string& user_name,
                                          std::int64_t expires_at_ms) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(User user, find_user(user_name));
  if (!user.active) {
    return Status(ErrorCode::permission_denied, "user '" + user_name + "' is deactivated: no device can be enrolled for them");
  }
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("INSERT INTO enrollments (token_hash, user, expires_at_ms) VALUES (?, ?, ?)"));
  return q.bind(1, ByteView(token_hash)).bind(2, user_name).bind(3, expires_at_ms).run();
}

Result<User> SqliteCentralStore::enroll(const std::array<std::uint8_t, 32>& token_hash, const Device& device,
                                        std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("SELECT user, expires_at_ms, used_at_ms FROM enrollments WHERE token_hash = ?"));
  q.bind(1, ByteView(token_hash));
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  const Status refused(ErrorCode::permission_denied,
                       "enrollment code refused: unknown, expired or already used; ask the office for a new one");
  if (!row || !q.column_is_null(2) || q.column_int64(1) < now_ms) return refused;
  const std::string user_name = q.column_text(0);
  AMANA_ASSIGN_OR_RETURN(User user, find_user(user_name));
  if (!user.active) return refused;
  AMANA_ASSIGN_OR_RETURN(sql::Query taken, db_->query("SELECT 1 FROM devices WHERE id = ?"));
  taken.bind(1, device.id.view());
  AMANA_ASSIGN_OR_RETURN(bool exists, taken.step());
  if (exists) return Status(ErrorCode::already_exists, "device " + device.id.to_string() + " is already enrolled");
  AMANA_ASSIGN_OR_RETURN(sql::Query use,
                         db_->query("UPDATE enrollments SET used_at_ms = ?, device_id = ? WHERE token_hash = ?"));
  AMANA_RETURN_IF_ERROR(use.bind(1, now_ms).bind(2, device.id.view()).bind(3, ByteView(token_hash)).run());
  AMANA_ASSIGN_OR_RETURN(sql::Query insert,
                         db_->query("INSERT INTO devices (id, user, sign_pk, box_pk, enrolled_at_ms) "
                                    "VALUES (?, ?, ?, ?, ?)"));
  AMANA_RETURN_IF_ERROR(insert.bind(1, device.id.view())
                            .bind(2, user_name)
                            .bind(3, ByteView(device.sign_public_key))
                            .bind(4, ByteView(device.box_public_key))
                            .bind(5, now_ms)
                            .run());
  AMANA_RETURN_IF_ERROR(txn.commit());
  return user;
}

Result<Device> SqliteCentralStore::device(const DeviceId& id) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(auto list, load_devices(&id));
  if (list.empty()) return not_found("no device " + id.to_string());
  return list.front();
}

Result<std::vector<Device>> SqliteCentralStore::devices() {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  return load_devices(nullptr);
}

Status SqliteCentralStore::revoke(const DeviceId& id, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("UPDATE devices SET revoked_at_ms = coalesce(revoked_at_ms, ?) "
                                                  "WHERE id = ?"));
  AMANA_RETURN_IF_ERROR(q.bind(1, now_ms).bind(2, id.view()).run());
  if (db_->changes() == 0) return not_found("no device " + id.to_string() + " (see `sync-server devices`)");
  return Status();
}

Result<std::uint64_t> SqliteCentralStore::next_update_number(const DeviceId& id) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Query bump, db_->query("UPDATE devices SET updates_issued = updates_issued + 1 WHERE id = ?"));
  AMANA_RETURN_IF_ERROR(bump.bind(1, id.view()).run());
  if (db_->changes() == 0) return not_found("no device " + id.to_string() + " (see `sync-server devices`)");
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT updates_issued FROM devices WHERE id = ?"));
  q.bind(1, id.view());
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return not_found("no device " + id.to_string());
  return static_cast<std::uint64_t>(q.column_int64(0));
}

Status SqliteCentralStore::spend_nonce(ByteView nonce_id, std::int64_t expires_at_ms, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  // The table holds only nonces spent within their lifetime: a few per device per sync.
  AMANA_ASSIGN_OR_RETURN(sql::Query prune, db_->query("DELETE FROM spent_nonces WHERE expires_at_ms <= ?"));
  AMANA_RETURN_IF_ERROR(prune.bind(1, now_ms).run());
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("INSERT OR IGNORE INTO spent_nonces (nonce_id, expires_at_ms) VALUES (?, ?)"));
  AMANA_RETURN_IF_ERROR(q.bind(1, nonce_id).bind(2, expires_at_ms).run());
  if (db_->changes() == 0) return Status(ErrorCode::replayed, "request refused: its nonce was already used");
  return Status();
}

Status SqliteCentralStore::append_audit(const AuditEvent& event) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(AuditHead head, read_audit_head());
  const AuditEntry entry{head.seq + 1, event, audit_hash(head.hash, head.seq + 1, event)};
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT INTO audit_log (seq, at_ms, actor, action, subject, detail, "
                                                  "hash) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  AMANA_RETURN_IF_ERROR(q.bind(1, as_int(entry.seq))
                            .bind(2, event.at_ms)
                            .bind(3, event.actor)
                            .bind(4, event.action)
                            .bind(5, event.subject)
                            .bind(6, event.detail)
                            .bind(7, ByteView(entry.hash))
                            .run());
  std::string encoded_head(8, '\0');
  for (int i = 0; i < 8; ++i) encoded_head[static_cast<std::size_t>(i)] = static_cast<char>((entry.seq >> (8 * i)) & 0xff);
  encoded_head.append(reinterpret_cast<const char*>(entry.hash.data()), entry.hash.size());
  AMANA_ASSIGN_OR_RETURN(sql::Query put, db_->query("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)"));
  AMANA_RETURN_IF_ERROR(put.bind(1, view(encoded_head)).run());
  return txn.commit();
}

Result<std::vector<AuditEntry>> SqliteCentralStore::audit_log() {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT seq, at_ms, actor, action, subject, detail, hash "
                                                  "FROM audit_log ORDER BY seq"));
  std::vector<AuditEntry> entries;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AuditEntry entry;
    entry.seq = static_cast<std::uint64_t>(q.column_int64(0));
    entry.event = {q.column_int64(1), q.column_text(2), q.column_text(3), q.column_text(4), q.column_text(5)};
    const Bytes hash = q.column_blob(6);
    if (hash.size() == entry.hash.size()) std::copy(hash.begin(), hash.end(), entry.hash.begin());
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<AuditHead> SqliteCentralStore::audit_head() {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  return read_audit_head();
}

Result<StoreCounts> SqliteCentralStore::counts() {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  StoreCounts counts;
  const std::pair<const char*, std::int64_t*> queries[] = {
      {"SELECT count(*) FROM users", &counts.users},
      {"SELECT count(*) FROM devices", &counts.devices},
      {"SELECT count(*) FROM devices WHERE revoked_at_ms IS NOT NULL", &counts.revoked_devices},
      {"SELECT count(*) FROM records", &counts.records},
      {"SELECT count(*) FROM field_versions", &counts.field_versions},
      {"SELECT count(*) FROM conflicts", &counts.conflicts},
      {"SELECT count(*) FROM forks", &counts.forks},
      {"SELECT count(*) FROM providers", &counts.providers},
      {"SELECT count(*) FROM refused_writes", &counts.refused_writes},
  };
  for (const auto& [sql_text, target] : queries) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query(sql_text));
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    *target = row ? q.column_int64(0) : 0;
  }
  return counts;
}

Status SqliteCentralStore::add_provider(const Provider& provider) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(auto existing, find_provider(provider.id));
  if (existing) return Status(ErrorCode::already_exists, "provider '" + provider.id + "' already exists");
  return write_provider(provider);
}

Status SqliteCentralStore::update_provider(const Provider& provider) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(auto existing, find_provider(provider.id));
  if (!existing) return not_found("no provider '" + provider.id + "' (see `sync-server providers list --all`)");
  return write_provider(provider);
}

Result<std::optional<Provider>> SqliteCentralStore::provider(std::string_view id) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  return find_provider(id);
}

Result<std::vector<Provider>> SqliteCentralStore::providers(bool include_inactive) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query(std::string(kProviderColumns) +
                                                  " WHERE ?1 OR active = 1 ORDER BY id"));
  q.bind(1, std::int64_t{include_inactive ? 1 : 0});
  std::vector<Provider> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    out.push_back(read_provider(q));
  }
  return out;
}

Result<std::int64_t> SqliteCentralStore::providers_revision() {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT coalesce(max(revision), 0) FROM providers"));
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  return row ? q.column_int64(0) : 0;
}

Result<std::size_t> SqliteCentralStore::import_providers(const std::vector<Provider>& list) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  std::size_t added = 0;
  for (const Provider& provider : list) {
    AMANA_ASSIGN_OR_RETURN(auto existing, find_provider(provider.id));
    if (!existing) ++added;
    AMANA_RETURN_IF_ERROR(write_provider(provider));
  }
  AMANA_RETURN_IF_ERROR(txn.commit());
  return added;
}

Provider SqliteCentralStore::read_provider(const sql::Query& q) {
  Provider provider;
  provider.id = q.column_text(0);
  provider.name = q.column_text(1);
  provider.services = split_services(q.column_text(2));
  provider.location = q.column_text(3);
  provider.contact = q.column_text(4);
  provider.hours = q.column_text(5);
  provider.criteria = q.column_text(6);
  provider.active = q.column_int64(7) != 0;
  provider.updated_at_ms = q.column_int64(8);
  return provider;
}

Result<std::optional<Provider>> SqliteCentralStore::find_provider(std::string_view id) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query(std::string(kProviderColumns) + " WHERE id = ?"));
  q.bind(1, id);
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<Provider>();
  return std::optional<Provider>(read_provider(q));
}

Status SqliteCentralStore::write_provider(const Provider& p) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("INSERT OR REPLACE INTO providers (id, name, services, location, contact, hours, "
                                    "criteria, active, updated_at_ms, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                    "(SELECT coalesce(max(revision), 0) + 1 FROM providers))"));
  return q.bind(1, p.id)
      .bind(2, p.name)
      .bind(3, join_services(p.services))
      .bind(4, p.location)
      .bind(5, p.contact)
      .bind(6, p.hours)
      .bind(7, p.criteria)
      .bind(8, std::int64_t{p.active ? 1 : 0})
      .bind(9, p.updated_at_ms)
      .run();
}

// REQUIRES: mutex_ held.
Result<AuditHead> SqliteCentralStore::read_audit_head() {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT value FROM meta WHERE key = 'audit_head'"));
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  AuditHead head;
  if (!row) return head;
  const Bytes value = q.column_blob(0);
  if (value.size() != 8 + head.hash.size()) return corrupt("the audit log's head is damaged: run `sync-server audit verify`");
  for (int i = 0; i < 8; ++i) head.seq |= static_cast<std::uint64_t>(value[static_cast<std::size_t>(i)]) << (8 * i);
  std::copy(value.begin() + 8, value.end(), head.hash.begin());
  return head;
}

Result<User> SqliteCentralStore::find_user(std::string_view name) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query(std::string(kUserColumns) + " WHERE name = ?"));
  q.bind(1, name);
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return not_found("no user '" + std::string(name) + "' (add one with `sync-server users add`)");
  return read_user(q);
}

Result<User> SqliteCentralStore::read_user(const sql::Query& q) {
  User user;
  user.name = q.column_text(0);
  AMANA_ASSIGN_OR_RETURN(user.role, parse_role(q.column_text(1)));
  user.team = q.column_text(2);
  user.active = q.column_int64(3) != 0;
  return user;
}

Result<std::vector<Device>> SqliteCentralStore::load_devices(const DeviceId* only) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("SELECT id, user, sign_pk, box_pk, enrolled_at_ms, revoked_at_ms, high_water, "
                                    "last_sync_ms FROM devices " + std::string(only ? "WHERE id = ?1 " : "") +
                                    "ORDER BY enrolled_at_ms"));  // `?1 IS NULL OR` would defeat the key
  if (only) q.bind(1, only->view());
  std::vector<Device> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    Device device;
    AMANA_ASSIGN_OR_RETURN(device.id, DeviceId::from_bytes(q.column_blob(0)));
    device.user = q.column_text(1);
    device.sign_public_key = to_key(q.column_blob(2));
    device.box_public_key = to_key(q.column_blob(3));
    device.enrolled_at_ms = q.column_int64(4);
    if (!q.column_is_null(5)) device.revoked_at_ms = q.column_int64(5);
    device.high_water = static_cast<std::uint64_t>(q.column_int64(6));
    device.last_sync_ms = q.column_int64(7);
    out.push_back(std::move(device));
  }
  return out;
}

}  // namespace amana::server::sqlite_store
