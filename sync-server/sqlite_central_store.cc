// The embedded central store on SQLite. One connection, serialised by a mutex: merges are
// short transactions, and SQLite allows one writer at a time anyway. A transaction begun
// inside in_one_transaction is a savepoint of it (common/sqlite.h).
#include <algorithm>
#include <functional>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "common/sqlite.h"
#include "proto/amana.pb.h"
#include "sync-server/audit_log.h"
#include "sync-server/central_store.h"

namespace amana::server {
namespace {

using crypto::Bytes;
using crypto::ByteView;

Status create_v1(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE users (
      name TEXT PRIMARY KEY, role TEXT NOT NULL, team TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE enrollments (
      token_hash    BLOB PRIMARY KEY,
      user          TEXT NOT NULL REFERENCES users(name),
      expires_at_ms INTEGER NOT NULL,
      used_at_ms    INTEGER,
      device_id     BLOB
    ) WITHOUT ROWID;
    CREATE TABLE devices (
      id             BLOB PRIMARY KEY CHECK (length(id) = 16),
      user           TEXT NOT NULL REFERENCES users(name),
      sign_pk        BLOB NOT NULL,
      box_pk         BLOB NOT NULL,
      enrolled_at_ms INTEGER NOT NULL,
      revoked_at_ms  INTEGER,
      high_water     INTEGER NOT NULL DEFAULT 0,
      last_hash      BLOB NOT NULL DEFAULT x'',
      last_sync_ms   INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE TABLE nonces (nonce BLOB PRIMARY KEY, expires_at_ms INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE changesets (
      device_id      BLOB NOT NULL,
      number         INTEGER NOT NULL,
      hash           BLOB NOT NULL,
      received_at_ms INTEGER NOT NULL,
      operations     INTEGER NOT NULL,
      PRIMARY KEY (device_id, number)
    ) WITHOUT ROWID;
    -- Refused changesets kept for review: a cloned device or a forged replay.
    CREATE TABLE forks (
      id             INTEGER PRIMARY KEY,
      device_id      BLOB NOT NULL,
      number         INTEGER NOT NULL,
      hash           BLOB NOT NULL,
      received_at_ms INTEGER NOT NULL,
      sealed_encoded BLOB NOT NULL
    );
    CREATE TABLE records (
      id            BLOB PRIMARY KEY CHECK (length(id) = 16),
      form_id       TEXT NOT NULL,
      form_version  INTEGER NOT NULL,
      device_id     BLOB NOT NULL,
      created_at_ms INTEGER NOT NULL,
      sealed_author BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX records_by_form ON records (form_id, id);
    -- Every version of every field ever received: nothing superseded is lost.
    CREATE TABLE field_versions (
      record_id    BLOB NOT NULL,
      field        TEXT NOT NULL,
      hlc          INTEGER NOT NULL,
      device_id    BLOB NOT NULL,
      base_hlc     INTEGER NOT NULL,
      cleared      INTEGER NOT NULL,
      sealed_value BLOB NOT NULL,
      PRIMARY KEY (record_id, field, hlc, device_id)
    ) WITHOUT ROWID;
    -- The winning version of each field (merge rule 1).
    CREATE TABLE current_values (
      record_id BLOB NOT NULL,
      field     TEXT NOT NULL,
      hlc       INTEGER NOT NULL,
      device_id BLOB NOT NULL,
      PRIMARY KEY (record_id, field)
    ) WITHOUT ROWID;
    CREATE TABLE conflicts (
      record_id      BLOB NOT NULL,
      field          TEXT NOT NULL,
      earlier_hlc    INTEGER NOT NULL,
      earlier_device BLOB NOT NULL,
      later_hlc      INTEGER NOT NULL,
      later_device   BLOB NOT NULL,
      detected_at_ms INTEGER NOT NULL,
      resolved_at_ms INTEGER,
      PRIMARY KEY (record_id, field, earlier_hlc, earlier_device, later_hlc, later_device)
    ) WITHOUT ROWID;
  )sql");
}

Status create_v2(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    CREATE TABLE providers (
      id            TEXT PRIMARY KEY,
      name          TEXT NOT NULL,
      services      TEXT NOT NULL,  -- service type codes joined by ';'
      location      TEXT NOT NULL,
      contact       TEXT NOT NULL,
      hours         TEXT NOT NULL,
      criteria      TEXT NOT NULL,
      active        INTEGER NOT NULL,
      updated_at_ms INTEGER NOT NULL,
      revision      INTEGER NOT NULL  -- the directory's change counter when last written
    ) WITHOUT ROWID;
  )sql");
}

Status create_v3(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    ALTER TABLE records ADD COLUMN case_id BLOB;
    CREATE INDEX records_by_case ON records (case_id) WHERE case_id IS NOT NULL;
  )sql");
}

Status create_v4(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    CREATE TABLE change_log (
      seq              INTEGER PRIMARY KEY AUTOINCREMENT,
      case_id          BLOB NOT NULL,  -- the case the changed record is, or is a step of
      writer           BLOB NOT NULL,
      sealed_operation BLOB NOT NULL
    );
    CREATE INDEX change_log_by_case ON change_log (case_id, seq);
  )sql");
}

Status create_v5(sql::Database& db, sql::Transaction&) {
  // The audit log (audit_log.h). Its head (the newest seq and hash) is kept in meta under
  // 'audit_head', written in the same transaction as each entry.
  return db.exec(R"sql(
    CREATE TABLE audit_log (
      seq     INTEGER PRIMARY KEY,
      at_ms   INTEGER NOT NULL,
      actor   TEXT NOT NULL,
      action  TEXT NOT NULL,
      subject TEXT NOT NULL,
      detail  TEXT NOT NULL,
      hash    BLOB NOT NULL
    );
  )sql");
}

Status create_v6(sql::Database& db, sql::Transaction&) {
  // One row per merged operation instead of two per field value (a version row and a
  // current-value row, each value sealed on its own): the merge profile put two thirds of
  // its time there (docs/benchmarks.md). The stamps stay in clear, as JSON that SQLite
  // reads (the field_versions view), so merge rules and SQL inspection see every version;
  // the values of one operation are sealed together. The current value of a field is the
  // greatest stamp (merge rule 1), found when read rather than stored.
  AMANA_RETURN_IF_ERROR(db.exec(R"sql(
    DROP TABLE current_values;
    ALTER TABLE field_versions RENAME TO legacy_field_versions;
    CREATE TABLE writes (
      seq           INTEGER PRIMARY KEY,
      record_id     BLOB NOT NULL,
      device_id     BLOB NOT NULL,
      stamps        TEXT NOT NULL,  -- JSON: [[field, hlc, base_hlc, cleared], ...]
      sealed_values BLOB NOT NULL   -- pb::CentralValues, in the order of the stamps
    );
    CREATE INDEX writes_by_record ON writes (record_id);
    -- Every version of every field ever received: nothing superseded is lost.
    CREATE VIEW field_versions (record_id, field, hlc, device_id, base_hlc, cleared, seq, position) AS
      SELECT w.record_id, s.value ->> 0, s.value ->> 1, w.device_id, s.value ->> 2, s.value ->> 3, w.seq, s.key
      FROM writes w, json_each(w.stamps) s;
  )sql"));
  // Values sealed one by one are resealed when the data key is set (set_data_key); a
  // store that holds none has nothing to wait for.
  bool empty = false;
  {  // the statement must be finished before the table can be dropped
    AMANA_ASSIGN_OR_RETURN(sql::Query legacy, db.query("SELECT 1 FROM legacy_field_versions LIMIT 1"));
    AMANA_ASSIGN_OR_RETURN(bool row, legacy.step());
    empty = !row;
  }
  return empty ? db.exec("DROP TABLE legacy_field_versions") : Status();
}

const sql::Migration kMigrations[] = {
    {1, "users, devices, enrollment, changesets, records, field versions, conflicts", create_v1},
    {2, "service provider directory", create_v2},
    {3, "records name the case they are a step of", create_v3},
    {4, "the change log devices pull cases from", create_v4},
    {5, "the hash-chained audit log", create_v5},
    {6, "one row per merged operation, its values sealed together", create_v6},
};

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

constexpr std::int64_t kMaxOutstandingNonces = 100'000;

std::int64_t as_int(std::uint64_t value) { return static_cast<std::int64_t>(value); }
std::int64_t as_int(HlcTime value) { return static_cast<std::int64_t>(value); }

ByteView view(const std::string& s) { return crypto::as_bytes(s); }

crypto::PublicKey to_key(const Bytes& bytes) {
  crypto::PublicKey key{};
  if (bytes.size() == key.size()) std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

// How schema versions 1 to 5 bound each sealed value to its row; needed only to reseal
// those values (create_v6).
Bytes legacy_value_ad(const RecordId& record, std::string_view field, std::uint64_t hlc, const DeviceId& device) {
  std::string label = "amana/server/value/v1|";
  label.append(reinterpret_cast<const char*>(record.bytes.data()), record.bytes.size());
  label += "|" + std::string(field) + "|" + std::to_string(hlc) + "|";
  label.append(reinterpret_cast<const char*>(device.bytes.data()), device.bytes.size());
  return Bytes(label.begin(), label.end());
}

// Binds an operation's sealed values to its row: its record, its writer and its stamps,
// so that values cannot be moved to another row or matched with other stamps unnoticed.
Bytes values_ad(const RecordId& record, const DeviceId& device, std::string_view stamps) {
  std::string label = "amana/server/values/v1|";
  label.append(reinterpret_cast<const char*>(record.bytes.data()), record.bytes.size());
  label.append(reinterpret_cast<const char*>(device.bytes.data()), device.bytes.size());
  label += stamps;
  return Bytes(label.begin(), label.end());
}

// A JSON string; field names come from devices, so every character that JSON must escape
// is escaped.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

// The clear half of an operation's writes: [[field, hlc, base_hlc, cleared], ...]. HLCs
// are written as SQLite keeps integers (signed 64 bits), as the columns before them were.
std::string encode_stamps(std::span<const pb::FieldWrite* const> writes) {
  std::string out = "[";
  for (const pb::FieldWrite* write : writes) {
    if (out.size() > 1) out += ',';
    out += '[';
    append_json_string(out, write->field());
    out += ',' + std::to_string(static_cast<std::int64_t>(write->hlc())) + ',' +
           std::to_string(static_cast<std::int64_t>(write->base_hlc())) + ',' + (write->cleared() ? "1]" : "0]");
  }
  return out + "]";
}

// One version as the store holds it: its stamps, and where its sealed value lives.
struct HeldVersion {
  std::string field;
  merge::Version version;  // value empty until opened
  std::int64_t seq = 0;    // its row in `writes`
  std::int64_t position = 0;
};

class SqliteCentralStore final : public CentralStore {
 public:
  explicit SqliteCentralStore(std::unique_ptr<sql::Database> db) : db_(std::move(db)) {}

  Status in_one_transaction(const std::function<Status()>& work) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
    AMANA_RETURN_IF_ERROR(work());
    return txn.commit();  // durable: synchronous=FULL
  }

  Status put_meta(const std::string& key, ByteView value) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
    return q.bind(1, key).bind(2, value).run();
  }

  Result<std::optional<Bytes>> meta(const std::string& key) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT value FROM meta WHERE key = ?"));
    q.bind(1, key);
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) return std::optional<Bytes>();
    return std::optional<Bytes>(q.column_blob(0));
  }

  Status set_data_key(crypto::SecretBytes key) override {
    std::lock_guard lock(mutex_);
    data_key_ = std::move(key);
    return reseal_legacy_values();
  }

  Status add_user(const User& user) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(sql::Query exists, db_->query("SELECT 1 FROM users WHERE name = ?"));
    exists.bind(1, user.name);
    AMANA_ASSIGN_OR_RETURN(bool row, exists.step());
    if (row) return Status(ErrorCode::already_exists, "user '" + user.name + "' already exists");
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT INTO users (name, role, team) VALUES (?, ?, ?)"));
    return q.bind(1, user.name).bind(2, role_name(user.role)).bind(3, user.team).run();
  }

  Result<User> user(std::string_view name) override {
    std::lock_guard lock(mutex_);
    return find_user(name);
  }

  Status add_enrollment(const std::array<std::uint8_t, 32>& token_hash, const std::string& user_name,
                        std::int64_t expires_at_ms) override {
    std::lock_guard lock(mutex_);
    AMANA_RETURN_IF_ERROR(find_user(user_name).status());
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db_->query("INSERT INTO enrollments (token_hash, user, expires_at_ms) VALUES (?, ?, ?)"));
    return q.bind(1, ByteView(token_hash)).bind(2, user_name).bind(3, expires_at_ms).run();
  }

  Result<User> enroll(const std::array<std::uint8_t, 32>& token_hash, const Device& device,
                      std::int64_t now_ms) override {
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

  Result<Device> device(const DeviceId& id) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(auto list, load_devices(&id));
    if (list.empty()) return not_found("no device " + id.to_string());
    return list.front();
  }

  Result<std::vector<Device>> devices() override {
    std::lock_guard lock(mutex_);
    return load_devices(nullptr);
  }

  Status revoke(const DeviceId& id, std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("UPDATE devices SET revoked_at_ms = coalesce(revoked_at_ms, ?) "
                                                    "WHERE id = ?"));
    AMANA_RETURN_IF_ERROR(q.bind(1, now_ms).bind(2, id.view()).run());
    if (db_->changes() == 0) return not_found("no device " + id.to_string() + " (see `sync-server devices`)");
    return Status();
  }

  Status add_nonce(ByteView nonce, std::int64_t expires_at_ms) override {
    std::lock_guard lock(mutex_);
    // Anyone may ask for a nonce: keep the table bounded by dropping the oldest
    // outstanding ones (a device holding one of those simply asks again).
    AMANA_ASSIGN_OR_RETURN(sql::Query bound,
                           db_->query("DELETE FROM nonces WHERE nonce IN (SELECT nonce FROM nonces "
                                      "ORDER BY expires_at_ms LIMIT max(0, (SELECT count(*) FROM nonces) - ?))"));
    AMANA_RETURN_IF_ERROR(bound.bind(1, kMaxOutstandingNonces - 1).run());
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT INTO nonces (nonce, expires_at_ms) VALUES (?, ?)"));
    return q.bind(1, nonce).bind(2, expires_at_ms).run();
  }

  Status consume_nonce(ByteView nonce, std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(sql::Query prune, db_->query("DELETE FROM nonces WHERE expires_at_ms < ?"));
    AMANA_RETURN_IF_ERROR(prune.bind(1, now_ms).run());
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("DELETE FROM nonces WHERE nonce = ?"));
    AMANA_RETURN_IF_ERROR(q.bind(1, nonce).run());
    if (db_->changes() == 0) {
      return Status(ErrorCode::replayed, "request refused: its nonce is unknown, expired or already used");
    }
    return Status();
  }

  Result<ApplyResult> apply_changeset(const DeviceId& device_id, const std::string& encoded,
                                      const pb::Changeset& changeset, std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    require_data_key();
    const auto hash = crypto::hash(view(encoded));
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
    AMANA_ASSIGN_OR_RETURN(sql::Query dq, db_->query("SELECT high_water, last_hash FROM devices WHERE id = ?"));
    dq.bind(1, device_id.view());
    AMANA_ASSIGN_OR_RETURN(bool found, dq.step());
    if (!found) return not_found("no device " + device_id.to_string());
    const auto high_water = static_cast<std::uint64_t>(dq.column_int64(0));
    const Bytes last_hash = dq.column_blob(1);

    ApplyResult result;
    result.high_water = high_water;
    const std::uint64_t number = changeset.number();
    if (number <= high_water) {
      AMANA_ASSIGN_OR_RETURN(sql::Query hq, db_->query("SELECT hash FROM changesets WHERE device_id = ? AND number = ?"));
      hq.bind(1, device_id.view()).bind(2, as_int(number));
      AMANA_ASSIGN_OR_RETURN(bool known, hq.step());
      if (known && hq.column_blob(0) == Bytes(hash.begin(), hash.end())) {
        result.outcome = ChangesetOutcome::already_applied;
        return result;
      }
      AMANA_RETURN_IF_ERROR(keep_fork(device_id, number, hash, encoded, now_ms));
      AMANA_RETURN_IF_ERROR(txn.commit());
      result.outcome = ChangesetOutcome::fork;
      return result;
    }
    if (number != high_water + 1) {
      result.outcome = ChangesetOutcome::gap;
      return result;
    }
    // The chain: a changeset that does not follow the last one merged was not made by the
    // device as we know it (a clone, or a forgery with a stolen key).
    const ByteView previous = view(changeset.previous_hash());
    if (!std::equal(previous.begin(), previous.end(), last_hash.begin(), last_hash.end())) {
      AMANA_RETURN_IF_ERROR(keep_fork(device_id, number, hash, encoded, now_ms));
      AMANA_RETURN_IF_ERROR(txn.commit());
      result.outcome = ChangesetOutcome::fork;
      return result;
    }
    for (const pb::Operation& operation : changeset.operations()) {
      AMANA_ASSIGN_OR_RETURN(std::size_t conflicts, merge_operation(device_id, operation, now_ms));
      result.conflicts += conflicts;
    }
    AMANA_ASSIGN_OR_RETURN(sql::Query record_changeset,
                           db_->query("INSERT INTO changesets (device_id, number, hash, received_at_ms, operations) "
                                      "VALUES (?, ?, ?, ?, ?)"));
    AMANA_RETURN_IF_ERROR(record_changeset.bind(1, device_id.view())
                              .bind(2, as_int(number))
                              .bind(3, ByteView(hash))
                              .bind(4, now_ms)
                              .bind(5, static_cast<std::int64_t>(changeset.operations_size()))
                              .run());
    AMANA_ASSIGN_OR_RETURN(sql::Query advance,
                           db_->query("UPDATE devices SET high_water = ?, last_hash = ?, last_sync_ms = ? WHERE id = ?"));
    AMANA_RETURN_IF_ERROR(
        advance.bind(1, as_int(number)).bind(2, ByteView(hash)).bind(3, now_ms).bind(4, device_id.view()).run());
    AMANA_RETURN_IF_ERROR(txn.commit());  // durable: synchronous=FULL
    result.outcome = ChangesetOutcome::merged;
    result.high_water = number;
    result.operations = static_cast<std::size_t>(changeset.operations_size());
    return result;
  }

  Result<std::vector<CentralRecord>> records(std::optional<std::string_view> form_id) override {
    std::lock_guard lock(mutex_);
    return load_records(form_id, nullptr);
  }

  Result<CaseChanges> case_changes(const std::vector<RecordId>& case_ids, const std::vector<RecordId>& whole,
                                   std::uint64_t after, const DeviceId& except_writer) override {
    std::lock_guard lock(mutex_);
    require_data_key();
    CaseChanges changes;
    AMANA_ASSIGN_OR_RETURN(sql::Query end, db_->query("SELECT coalesce(max(seq), 0) FROM change_log"));
    AMANA_ASSIGN_OR_RETURN(bool has_end, end.step());
    changes.cursor = static_cast<std::uint64_t>(has_end ? end.column_int64(0) : 0);
    std::vector<std::pair<std::int64_t, pb::Operation>> found;
    for (const RecordId& case_id : case_ids) {
      const bool from_start = std::find(whole.begin(), whole.end(), case_id) != whole.end();
      AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT seq, writer, sealed_operation FROM change_log "
                                                      "WHERE case_id = ? AND seq > ? AND seq <= ? ORDER BY seq"));
      q.bind(1, case_id.view())
          .bind(2, from_start ? std::int64_t{0} : as_int(after))
          .bind(3, as_int(changes.cursor));
      while (true) {
        AMANA_ASSIGN_OR_RETURN(bool row, q.step());
        if (!row) break;
        const std::int64_t seq = q.column_int64(0);
        // A device has its own writes already, unless the case is coming back to it whole.
        if (!from_start && q.column_blob(1) == Bytes(except_writer.bytes.begin(), except_writer.bytes.end())) continue;
        AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes plain, crypto::open(data_key_, q.column_blob(2), change_ad(seq)));
        pb::Operation operation;
        if (!operation.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
          return corrupt("change " + std::to_string(seq) + " in the log does not decode");
        }
        found.emplace_back(seq, std::move(operation));
      }
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [seq, operation] : found) changes.operations.push_back(std::move(operation));
    return changes;
  }

  Result<std::int64_t> open_conflicts(const RecordId& record) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT count(*) FROM conflicts WHERE record_id = ? AND "
                                                    "resolved_at_ms IS NULL"));
    q.bind(1, record.view());
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    return row ? q.column_int64(0) : 0;
  }

  Result<std::vector<OpenConflict>> open_conflict_list(const std::vector<RecordId>& records) override {
    std::lock_guard lock(mutex_);
    require_data_key();
    std::vector<OpenConflict> out;
    for (const RecordId& record : records) {
      AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT field, earlier_hlc, earlier_device, later_hlc, "
                                                      "later_device FROM conflicts WHERE record_id = ? AND "
                                                      "resolved_at_ms IS NULL ORDER BY field, later_hlc"));
      q.bind(1, record.view());
      std::vector<std::tuple<std::string, merge::Stamp, merge::Stamp>> rows;
      while (true) {
        AMANA_ASSIGN_OR_RETURN(bool row, q.step());
        if (!row) break;
        merge::Stamp earlier{static_cast<HlcTime>(q.column_int64(1)), {}};
        merge::Stamp later{static_cast<HlcTime>(q.column_int64(3)), {}};
        AMANA_ASSIGN_OR_RETURN(earlier.device, DeviceId::from_bytes(q.column_blob(2)));
        AMANA_ASSIGN_OR_RETURN(later.device, DeviceId::from_bytes(q.column_blob(4)));
        rows.emplace_back(q.column_text(0), earlier, later);
      }
      for (const auto& [field, earlier, later] : rows) {
        AMANA_ASSIGN_OR_RETURN(auto versions, load_versions(record, field, true));
        OpenConflict conflict{record, field, {}, {}};
        for (const merge::Version& version : versions) {
          if (version.stamp == earlier) conflict.earlier = version;
          if (version.stamp == later) conflict.later = version;
        }
        out.push_back(std::move(conflict));
      }
    }
    return out;
  }

  Status resolve_conflicts(const RecordId& record, std::string_view field, std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("UPDATE conflicts SET resolved_at_ms = ? WHERE record_id = ? "
                                                    "AND field = ? AND resolved_at_ms IS NULL"));
    AMANA_RETURN_IF_ERROR(q.bind(1, now_ms).bind(2, record.view()).bind(3, field).run());
    if (db_->changes() == 0) {
      return not_found("no open conflict on field '" + std::string(field) + "' of record " + record.to_string());
    }
    return Status();
  }

  Result<CentralRecord> record(const RecordId& id) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(auto found, load_records(std::nullopt, &id));
    if (found.empty()) return not_found("no record " + id.to_string() + " on the server");
    return found.front();
  }

  Status write_as_org(const RecordId& id, const std::map<std::string, std::string, std::less<>>& values,
                      const std::string& author, std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    require_data_key();
    // Its form, creation and case, not its values: the stamps below say what was seen.
    AMANA_ASSIGN_OR_RETURN(auto found, load_records(std::nullopt, &id, false));
    if (found.empty()) return not_found("no record " + id.to_string() + " on the server");
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
    // After every version the record holds, and not before the wall clock: the office
    // decides with everything it has seen.
    AMANA_ASSIGN_OR_RETURN(const std::vector<HeldVersion> held, held_versions(id, nullptr));
    std::uint64_t latest = 0;
    for (const HeldVersion& h : held) latest = std::max(latest, static_cast<std::uint64_t>(h.version.stamp.hlc));
    const std::uint64_t hlc = std::max(latest + 1, static_cast<std::uint64_t>(make_hlc(now_ms, 0)));
    pb::Operation operation;
    operation.set_record_id(id.bytes.data(), id.bytes.size());
    operation.set_kind(pb::Operation::UPDATE);
    operation.set_form_id(found.front().form_id);
    operation.set_form_version(found.front().form_version);
    operation.set_hlc(hlc);
    operation.set_device_id(kOrgWriter.bytes.data(), kOrgWriter.bytes.size());
    operation.set_author(author);
    operation.set_created_at_ms(found.front().created_at_ms);
    if (found.front().case_id) operation.set_case_id(found.front().case_id->bytes.data(), 16);
    for (const auto& [field, value] : values) {
      pb::FieldWrite* write = operation.add_writes();
      write->set_field(field);
      write->set_value(value);
      write->set_cleared(value.empty());
      write->set_hlc(hlc);
      // Having seen the current value: the field's greatest stamp (held sorts by stamp).
      for (const HeldVersion& h : held) {
        if (h.field == field) write->set_base_hlc(static_cast<std::uint64_t>(h.version.stamp.hlc));
      }
    }
    AMANA_ASSIGN_OR_RETURN(std::size_t conflicts, merge_operation(kOrgWriter, operation, now_ms));
    (void)conflicts;
    return txn.commit();
  }

  Result<std::vector<merge::Version>> field_history(const RecordId& record, std::string_view field) override {
    std::lock_guard lock(mutex_);
    require_data_key();
    return load_versions(record, field, true);
  }

  Status append_audit(const AuditEvent& event) override {
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

  Result<std::vector<AuditEntry>> audit_log() override {
    std::lock_guard lock(mutex_);
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

  Result<AuditHead> audit_head() override {
    std::lock_guard lock(mutex_);
    return read_audit_head();
  }

  Result<StoreCounts> counts() override {
    std::lock_guard lock(mutex_);
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
    };
    for (const auto& [sql_text, target] : queries) {
      AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query(sql_text));
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      *target = row ? q.column_int64(0) : 0;
    }
    return counts;
  }

  Status add_provider(const Provider& provider) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(auto existing, find_provider(provider.id));
    if (existing) return Status(ErrorCode::already_exists, "provider '" + provider.id + "' already exists");
    return write_provider(provider);
  }

  Status update_provider(const Provider& provider) override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(auto existing, find_provider(provider.id));
    if (!existing) return not_found("no provider '" + provider.id + "' (see `sync-server providers list --all`)");
    return write_provider(provider);
  }

  Result<std::optional<Provider>> provider(std::string_view id) override {
    std::lock_guard lock(mutex_);
    return find_provider(id);
  }

  Result<std::vector<Provider>> providers(bool include_inactive) override {
    std::lock_guard lock(mutex_);
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

  Result<std::int64_t> providers_revision() override {
    std::lock_guard lock(mutex_);
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT coalesce(max(revision), 0) FROM providers"));
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    return row ? q.column_int64(0) : 0;
  }

  Result<std::size_t> import_providers(const std::vector<Provider>& list) override {
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

 private:
  static constexpr std::string_view kProviderColumns =
      "SELECT id, name, services, location, contact, hours, criteria, active, updated_at_ms FROM providers";

  static Provider read_provider(const sql::Query& q) {
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

  Result<std::optional<Provider>> find_provider(std::string_view id) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query(std::string(kProviderColumns) + " WHERE id = ?"));
    q.bind(1, id);
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) return std::optional<Provider>();
    return std::optional<Provider>(read_provider(q));
  }

  Status write_provider(const Provider& p) {
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

  // Cases travel to the devices that need to know them: log each change to a case or to
  // one of its steps. Other records stay with the device that made them.
  Status log_if_case(const RecordId& record, const DeviceId& writer, const pb::Operation& operation) {
    std::optional<RecordId> case_id;
    if (operation.case_id().size() == 16) {
      AMANA_ASSIGN_OR_RETURN(case_id, RecordId::from_bytes(view(operation.case_id())));
    } else if (operation.form_id() == "case") {
      case_id = record;
    }
    if (!case_id) return Status();
    const std::string encoded = operation.SerializeAsString();
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT INTO change_log (case_id, writer, sealed_operation) "
                                                    "VALUES (?, ?, ?)"));
    AMANA_RETURN_IF_ERROR(q.bind(1, case_id->view()).bind(2, writer.view()).bind(3, ByteView()).run());
    // Sealed under a label that includes its sequence number, known only after the insert.
    const std::int64_t seq = db_->last_insert_rowid();
    AMANA_ASSIGN_OR_RETURN(sql::Query seal, db_->query("UPDATE change_log SET sealed_operation = ? WHERE seq = ?"));
    return seal.bind(1, crypto::seal(data_key_, view(encoded), change_ad(seq))).bind(2, seq).run();
  }

  static Bytes change_ad(std::int64_t seq) {
    const std::string label = "amana/server/change/v1|" + std::to_string(seq);
    return Bytes(label.begin(), label.end());
  }

  // Records, with their current values when asked; all of them, one form's, or the one
  // with `only`.
  Result<std::vector<CentralRecord>> load_records(std::optional<std::string_view> form_id, const RecordId* only,
                                                  bool with_values = true) {
    require_data_key();
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db_->query("SELECT id, form_id, form_version, device_id, created_at_ms, sealed_author, "
                                      "case_id FROM records WHERE (?1 IS NULL OR form_id = ?1) AND "
                                      "(?2 IS NULL OR id = ?2) ORDER BY id"));
    if (form_id) q.bind(1, *form_id);
    else q.bind_null(1);
    if (only) q.bind(2, only->view());
    else q.bind_null(2);
    std::vector<CentralRecord> out;
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      CentralRecord record;
      AMANA_ASSIGN_OR_RETURN(record.id, RecordId::from_bytes(q.column_blob(0)));
      record.form_id = q.column_text(1);
      record.form_version = static_cast<std::uint32_t>(q.column_int64(2));
      AMANA_ASSIGN_OR_RETURN(record.device, DeviceId::from_bytes(q.column_blob(3)));
      record.created_at_ms = q.column_int64(4);
      AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes author,
                             crypto::open(data_key_, q.column_blob(5), author_ad(record.id)));
      record.author = std::string(author.as_string());
      if (!q.column_is_null(6)) {
        AMANA_ASSIGN_OR_RETURN(record.case_id, RecordId::from_bytes(q.column_blob(6)));
      }
      out.push_back(std::move(record));
    }
    if (!with_values) return out;
    for (CentralRecord& record : out) {
      AMANA_ASSIGN_OR_RETURN(std::vector<HeldVersion> held, held_versions(record.id, nullptr));
      // Each field's current value is its last version in stamp order (merge rule 1).
      std::vector<HeldVersion*> current;
      for (std::size_t i = 0; i < held.size(); ++i) {
        const bool last_of_field = i + 1 == held.size() || held[i + 1].field != held[i].field;
        if (last_of_field && !held[i].version.cleared) current.push_back(&held[i]);
      }
      AMANA_RETURN_IF_ERROR(open_values(record.id, current));
      for (HeldVersion* version : current) record.values[version->field] = std::move(version->version.value);
    }
    return out;
  }

  void require_data_key() const {
    if (data_key_.empty()) throw std::logic_error("central store used before its data key was set");
  }

  static Bytes author_ad(const RecordId& id) {
    std::string label = "amana/server/author/v1|";
    label.append(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
    return Bytes(label.begin(), label.end());
  }

  // REQUIRES: mutex_ held.
  Result<AuditHead> read_audit_head() {
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

  Result<User> find_user(std::string_view name) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT name, role, team FROM users WHERE name = ?"));
    q.bind(1, name);
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) return not_found("no user '" + std::string(name) + "' (add one with `sync-server users add`)");
    User user;
    user.name = q.column_text(0);
    AMANA_ASSIGN_OR_RETURN(user.role, parse_role(q.column_text(1)));
    user.team = q.column_text(2);
    return user;
  }

  Result<std::vector<Device>> load_devices(const DeviceId* only) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db_->query("SELECT id, user, sign_pk, box_pk, enrolled_at_ms, revoked_at_ms, high_water, "
                                      "last_sync_ms FROM devices WHERE ?1 IS NULL OR id = ?1 ORDER BY enrolled_at_ms"));
    if (only) q.bind(1, only->view());
    else q.bind_null(1);
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

  Status keep_fork(const DeviceId& device, std::uint64_t number, const std::array<std::uint8_t, 32>& hash,
                   const std::string& encoded, std::int64_t now_ms) {
    std::string label = "amana/server/fork/v1|" + crypto::to_hex(ByteView(hash));
    const Bytes sealed = crypto::seal(data_key_, view(encoded), crypto::as_bytes(label));
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db_->query("INSERT INTO forks (device_id, number, hash, received_at_ms, sealed_encoded) "
                                      "VALUES (?, ?, ?, ?, ?)"));
    return q.bind(1, device.view()).bind(2, as_int(number)).bind(3, ByteView(hash)).bind(4, now_ms).bind(5, sealed).run();
  }

  // Returns the number of new conflicts.
  Result<std::size_t> merge_operation(const DeviceId& device, const pb::Operation& operation, std::int64_t now_ms) {
    AMANA_ASSIGN_OR_RETURN(RecordId record, RecordId::from_bytes(view(operation.record_id())));
    // Whatever arrives first creates the row: a create from this device, or an update of
    // a record another device made, which may arrive before the create itself.
    AMANA_ASSIGN_OR_RETURN(sql::Query insert,
                           db_->query("INSERT OR IGNORE INTO records (id, form_id, form_version, device_id, "
                                      "created_at_ms, sealed_author, case_id) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    if (operation.case_id().size() == 16) insert.bind(7, view(operation.case_id()));
    else insert.bind_null(7);
    AMANA_RETURN_IF_ERROR(insert.bind(1, record.view())
                              .bind(2, operation.form_id())
                              .bind(3, static_cast<std::int64_t>(operation.form_version()))
                              .bind(4, device.view())
                              .bind(5, operation.created_at_ms())
                              .bind(6, crypto::seal(data_key_, view(operation.author()), author_ad(record)))
                              .run());
    // A record this operation just created holds no versions yet: nothing to read back
    // (reading back was a fifth of the merge's instructions, docs/benchmarks.md).
    std::vector<HeldVersion> held;
    if (db_->changes() == 0) {
      AMANA_ASSIGN_OR_RETURN(held, held_versions(record, nullptr));
    }
    AMANA_RETURN_IF_ERROR(log_if_case(record, device, operation));
    // A version already held (same record, field, HLC and device) is a replay and is
    // ignored. Two different writes under one stamp would need one device to reuse an
    // HLC, which only a cloned store does, and the changeset chain refuses a clone's
    // changesets as forks before their writes get here.
    std::vector<const pb::FieldWrite*> fresh;
    for (const pb::FieldWrite& write : operation.writes()) {
      const merge::Stamp stamp{static_cast<HlcTime>(write.hlc()), device};
      const bool replayed =
          std::any_of(held.begin(), held.end(),
                      [&](const HeldVersion& h) { return h.version.stamp == stamp && h.field == write.field(); }) ||
          std::any_of(fresh.begin(), fresh.end(), [&](const pb::FieldWrite* f) {
            return f->hlc() == write.hlc() && f->field() == write.field();
          });
      if (!replayed) fresh.push_back(&write);
    }
    if (fresh.empty()) return std::size_t{0};
    AMANA_RETURN_IF_ERROR(insert_writes(record, device, fresh));

    // Values are decrypted only when stamps show concurrent writes (rare).
    std::size_t new_conflicts = 0;
    std::set<std::string_view> fields;
    for (const pb::FieldWrite* write : fresh) fields.insert(write->field());
    for (const std::string_view field : fields) {
      std::vector<merge::Version> versions;
      for (const HeldVersion& h : held) {
        if (h.field == field) versions.push_back(h.version);
      }
      for (const pb::FieldWrite* write : fresh) {
        if (write->field() != field) continue;
        merge::Version version;
        version.stamp = {static_cast<HlcTime>(write->hlc()), device};
        version.base = static_cast<HlcTime>(write->base_hlc());
        version.cleared = write->cleared();
        versions.push_back(std::move(version));
      }
      std::sort(versions.begin(), versions.end(),
                [](const merge::Version& a, const merge::Version& b) { return a.stamp < b.stamp; });
      if (!merge::has_concurrent_writes(versions)) continue;
      AMANA_ASSIGN_OR_RETURN(auto with_values, load_versions(record, field, true));
      for (const merge::Conflict& conflict : merge::conflicts(with_values)) {
        AMANA_ASSIGN_OR_RETURN(sql::Query c,
                               db_->query("INSERT OR IGNORE INTO conflicts (record_id, field, earlier_hlc, "
                                          "earlier_device, later_hlc, later_device, detected_at_ms) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?)"));
        AMANA_RETURN_IF_ERROR(c.bind(1, record.view())
                                  .bind(2, field)
                                  .bind(3, as_int(conflict.earlier.stamp.hlc))
                                  .bind(4, conflict.earlier.stamp.device.view())
                                  .bind(5, as_int(conflict.later.stamp.hlc))
                                  .bind(6, conflict.later.stamp.device.view())
                                  .bind(7, now_ms)
                                  .run());
        new_conflicts += static_cast<std::size_t>(db_->changes());
      }
    }
    return new_conflicts;
  }

  // One row for one operation's writes by `device`: their stamps in clear, their values
  // sealed together.
  Status insert_writes(const RecordId& record, const DeviceId& device, std::span<const pb::FieldWrite* const> writes) {
    const std::string stamps = encode_stamps(writes);
    pb::CentralValues values;
    for (const pb::FieldWrite* write : writes) values.add_values(write->value());
    const std::string plain = values.SerializeAsString();
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT INTO writes (record_id, device_id, stamps, sealed_values) "
                                                    "VALUES (?, ?, ?, ?)"));
    return q.bind(1, record.view())
        .bind(2, device.view())
        .bind(3, stamps)
        .bind(4, crypto::seal(data_key_, view(plain), values_ad(record, device, stamps)))
        .run();
  }

  // The record's versions (all, or one field's), sorted by field then stamp, values not
  // opened: the merge rules look at stamps alone.
  Result<std::vector<HeldVersion>> held_versions(const RecordId& record, const std::string_view* field) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db_->query("SELECT field, hlc, device_id, base_hlc, cleared, seq, position "
                                      "FROM field_versions WHERE record_id = ?1 AND (?2 IS NULL OR field = ?2) "
                                      "ORDER BY field, hlc, device_id"));
    q.bind(1, record.view());
    if (field) q.bind(2, *field);
    else q.bind_null(2);
    std::vector<HeldVersion> held;
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      HeldVersion h;
      h.field = q.column_text(0);
      h.version.stamp.hlc = static_cast<HlcTime>(q.column_int64(1));
      AMANA_ASSIGN_OR_RETURN(h.version.stamp.device, DeviceId::from_bytes(q.column_blob(2)));
      h.version.base = static_cast<HlcTime>(q.column_int64(3));
      h.version.cleared = q.column_int64(4) != 0;
      h.seq = q.column_int64(5);
      h.position = q.column_int64(6);
      held.push_back(std::move(h));
    }
    return held;
  }

  // Fills in the values of some of one record's versions, opening each row once.
  Status open_values(const RecordId& record, std::span<HeldVersion* const> versions) {
    std::map<std::int64_t, pb::CentralValues> opened;
    for (HeldVersion* version : versions) {
      auto at = opened.find(version->seq);
      if (at == opened.end()) {
        AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT device_id, stamps, sealed_values FROM writes "
                                                        "WHERE seq = ? AND record_id = ?"));
        q.bind(1, version->seq).bind(2, record.view());
        AMANA_ASSIGN_OR_RETURN(bool row, q.step());
        if (!row) return corrupt("the values of record " + record.to_string() + " are missing");
        AMANA_ASSIGN_OR_RETURN(DeviceId writer, DeviceId::from_bytes(q.column_blob(0)));
        AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes plain,
                               crypto::open(data_key_, q.column_blob(2), values_ad(record, writer, q.column_text(1))));
        pb::CentralValues values;
        if (!values.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
          return corrupt("the values of record " + record.to_string() + " do not decode");
        }
        at = opened.emplace(version->seq, std::move(values)).first;
      }
      if (version->position < 0 || version->position >= at->second.values_size()) {
        return corrupt("the values of record " + record.to_string() + " do not match their stamps");
      }
      version->version.value = at->second.values(static_cast<int>(version->position));
    }
    return Status();
  }

  // One field's versions sorted by stamp, values opened when asked.
  Result<std::vector<merge::Version>> load_versions(const RecordId& record, std::string_view field, bool with_values) {
    AMANA_ASSIGN_OR_RETURN(std::vector<HeldVersion> held, held_versions(record, &field));
    if (with_values) {
      std::vector<HeldVersion*> all;
      for (HeldVersion& h : held) all.push_back(&h);
      AMANA_RETURN_IF_ERROR(open_values(record, all));
    }
    std::vector<merge::Version> versions;
    for (HeldVersion& h : held) versions.push_back(std::move(h.version));
    return versions;
  }

  // Values sealed one by one (schema versions 1 to 5, see create_v6) become one row per
  // operation's stamp, in one transaction, once the key to open them is known.
  Status reseal_legacy_values() {
    AMANA_ASSIGN_OR_RETURN(bool legacy, has_table("legacy_field_versions"));
    if (!legacy) return Status();
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
    AMANA_RETURN_IF_ERROR(reseal_legacy_rows());
    AMANA_RETURN_IF_ERROR(db_->exec("DROP TABLE legacy_field_versions"));
    return txn.commit();
  }

  // Its statement is finished on return: a running one would keep the table from being dropped.
  Result<bool> has_table(std::string_view name) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?"));
    q.bind(1, name);
    return q.step();
  }

  // REQUIRES: a transaction. Its statement is finished on return, as for has_table.
  Status reseal_legacy_rows() {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT record_id, device_id, hlc, field, base_hlc, cleared, "
                                                    "sealed_value FROM legacy_field_versions "
                                                    "ORDER BY record_id, device_id, hlc, field"));
    std::vector<pb::FieldWrite> group;
    RecordId group_record;
    DeviceId group_device;
    auto flush = [&]() -> Status {
      if (group.empty()) return Status();
      std::vector<const pb::FieldWrite*> writes;
      for (const pb::FieldWrite& write : group) writes.push_back(&write);
      AMANA_RETURN_IF_ERROR(insert_writes(group_record, group_device, writes));
      group.clear();
      return Status();
    };
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      AMANA_ASSIGN_OR_RETURN(RecordId record, RecordId::from_bytes(q.column_blob(0)));
      AMANA_ASSIGN_OR_RETURN(DeviceId device, DeviceId::from_bytes(q.column_blob(1)));
      const auto hlc = static_cast<std::uint64_t>(q.column_int64(2));
      if (!group.empty() && (record != group_record || device != group_device || group.front().hlc() != hlc)) {
        AMANA_RETURN_IF_ERROR(flush());
      }
      group_record = record;
      group_device = device;
      pb::FieldWrite& write = group.emplace_back();
      write.set_field(q.column_text(3));
      write.set_hlc(hlc);
      write.set_base_hlc(static_cast<std::uint64_t>(q.column_int64(4)));
      write.set_cleared(q.column_int64(5) != 0);
      AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes value,
                             crypto::open(data_key_, q.column_blob(6), legacy_value_ad(record, write.field(), hlc, device)));
      write.set_value(std::string(value.as_string()));
    }
    return flush();
  }

  // Recursive: the calls in_one_transaction runs take it again on the same thread.
  std::recursive_mutex mutex_;
  std::unique_ptr<sql::Database> db_;
  crypto::SecretBytes data_key_;
};

}  // namespace

std::string_view role_name(Role role) {
  switch (role) {
    case Role::assistant: return "assistant";
    case Role::officer: return "officer";
    case Role::meal: return "meal";
    case Role::admin: return "admin";
  }
  return "assistant";
}

Result<Role> parse_role(std::string_view name) {
  for (Role role : {Role::assistant, Role::officer, Role::meal, Role::admin}) {
    if (role_name(role) == name) return role;
  }
  return invalid_argument("unknown role '" + std::string(name) + "'; use assistant, officer, meal or admin");
}

Result<std::unique_ptr<CentralStore>> open_sqlite_store(const std::filesystem::path& path, bool create) {
  AMANA_ASSIGN_OR_RETURN(auto db,
                         sql::Database::open(path, create ? sql::OpenMode::create_new : sql::OpenMode::existing));
  AMANA_RETURN_IF_ERROR(sql::migrate(*db, kMigrations));
  return std::unique_ptr<CentralStore>(std::make_unique<SqliteCentralStore>(std::move(db)));
}

}  // namespace amana::server
