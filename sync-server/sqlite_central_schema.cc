// The numbered migrations of central.db, the embedded central store. Each runs in one
// transaction and is never edited once landed: a new schema version is a new migration.
#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server {
namespace sqlite_store {
namespace {

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

Status create_v7(sql::Database& db, sql::Transaction&) {
  // Operations write authority refused (write_authority.h), kept aside for an officer like
  // a fork: who sent them, which rule they broke and the names of the fields they wrote in
  // clear (as the stamps of `writes` are), the operation itself sealed under the data key.
  return db.exec(R"sql(
    CREATE TABLE refused_writes (
      id               INTEGER PRIMARY KEY,
      received_at_ms   INTEGER NOT NULL,
      device_id        BLOB NOT NULL,
      user             TEXT NOT NULL,
      changeset        INTEGER NOT NULL,
      record_id        BLOB NOT NULL,
      rule             TEXT NOT NULL,
      fields           TEXT NOT NULL,  -- JSON: ["field", ...]
      sealed_operation BLOB NOT NULL   -- pb::Operation as the device sent it
    );
  )sql");
}

Status create_v8(sql::Database& db, sql::Transaction&) {
  // Nonces prove themselves (a MAC under a key derived from the data key, nonce.h), so
  // issuing one writes nothing and a flood of GET /v1/nonce cannot evict anyone's: only
  // spent nonces are kept, until they expire. Nonces outstanding from before are dropped;
  // a device holding one is refused once (409) and asks again.
  return db.exec(R"sql(
    DROP TABLE IF EXISTS nonces;
    CREATE TABLE IF NOT EXISTS spent_nonces (nonce_id BLOB PRIMARY KEY, expires_at_ms INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS spent_nonces_by_expiry ON spent_nonces (expires_at_ms);
  )sql");
}

Status create_v9(sql::Database& db, sql::Transaction&) {
  // A user who leaves keeps their name in the records and the audit log: deactivated, not
  // deleted. (Versions 7, 8 and 10 are other changes made at the same time; a store skips
  // numbers it never had.)
  return db.exec("ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1");
}

Status create_v10(sql::Database& db, sql::Transaction&) {
  // Every update the org signs for a device carries the next of these numbers, so that the
  // device refuses an older one: re-importing an old bundle lifts no lease.
  return db.exec("ALTER TABLE devices ADD COLUMN updates_issued INTEGER NOT NULL DEFAULT 0");
}

Status create_v11(sql::Database& db, sql::Transaction&) {
  // What decides need-to-know, kept at merge time so that a pull reads ids and never opens
  // a record it will not send (issue 13): each case's holder (its assignee, else its
  // author) as a tag keyed under the data key, so that the table names no one in clear,
  // and whether it is still in scope (a transferred case is not); and the cases the server
  // believes each device holds (those it sent it, those it made), so that a pull names
  // them by a digest rather than one by one. Filled from the records already held when the
  // data key is set ('case_scope_pending' in meta).
  AMANA_RETURN_IF_ERROR(db.exec(R"sql(
    CREATE TABLE case_scope (
      case_id    BLOB PRIMARY KEY,
      holder_tag BLOB NOT NULL,
      in_scope   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX case_scope_by_holder ON case_scope (holder_tag, case_id) WHERE in_scope = 1;
    CREATE TABLE device_cases (
      device_id BLOB NOT NULL,
      case_id   BLOB NOT NULL,
      PRIMARY KEY (device_id, case_id)
    ) WITHOUT ROWID;
  )sql"));
  return db.exec("INSERT INTO meta (key, value) SELECT 'case_scope_pending', x'01' "
                 "WHERE EXISTS (SELECT 1 FROM records WHERE form_id = 'case')");
}

Status create_v13(sql::Database& db, sql::Transaction&) {
  // Published forms (published_forms.h): every version kept, with its digest and the
  // organisation's signature; a version is never changed or removed once published, which
  // the triggers hold against a mistaken UPDATE as well.
  return db.exec(R"sql(
    CREATE TABLE forms (id TEXT PRIMARY KEY, archived_at_ms INTEGER) WITHOUT ROWID;
    CREATE TABLE form_versions (
      form_id         TEXT NOT NULL REFERENCES forms(id),
      version         INTEGER NOT NULL CHECK (version > 0),
      definition      TEXT NOT NULL,
      digest          BLOB NOT NULL CHECK (length(digest) = 32),
      signature       BLOB NOT NULL,
      source_name     TEXT NOT NULL,
      source_digest   BLOB NOT NULL,
      source_version  TEXT NOT NULL,
      warnings        TEXT NOT NULL,
      published_at_ms INTEGER NOT NULL,
      published_by    TEXT NOT NULL,
      PRIMARY KEY (form_id, version)
    ) WITHOUT ROWID;
    CREATE TRIGGER form_versions_unchanged BEFORE UPDATE ON form_versions
      BEGIN SELECT RAISE(ABORT, 'a published form version is never changed'); END;
    CREATE TRIGGER form_versions_kept BEFORE DELETE ON form_versions
      BEGIN SELECT RAISE(ABORT, 'a published form version is never removed'); END;
  )sql");
}

Status create_v16(sql::Database& db, sql::Transaction&) {
  // The office console's staff accounts (staff_accounts.h): a password hash per user,
  // one-time invitation codes and signed-in sessions, each secret stored only as a hash.
  return db.exec(R"sql(
    CREATE TABLE staff_credentials (
      user          TEXT PRIMARY KEY REFERENCES users(name),
      salt          BLOB NOT NULL,
      password_hash BLOB NOT NULL,
      kdf_ops       INTEGER NOT NULL,
      kdf_mem       INTEGER NOT NULL,
      set_at_ms     INTEGER NOT NULL,
      failures      INTEGER NOT NULL DEFAULT 0,
      locked_at_ms  INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE staff_invitations (
      token_hash    BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
      user          TEXT NOT NULL REFERENCES users(name),
      expires_at_ms INTEGER NOT NULL,
      used_at_ms    INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE staff_sessions (
      token_hash    BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
      user          TEXT NOT NULL REFERENCES users(name),
      created_at_ms INTEGER NOT NULL,
      last_seen_ms  INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX staff_sessions_by_user ON staff_sessions (user);
  )sql");
}

// The console's second factors: one TOTP secret per user, sealed under the data key.
Status create_v17(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    CREATE TABLE staff_totp (
      user            TEXT PRIMARY KEY REFERENCES users(name),
      sealed_secret   BLOB NOT NULL,
      confirmed_at_ms INTEGER,
      last_step       INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
  )sql");
}

Status create_v18(sql::Database& db, sql::Transaction&) {
  // The monthly report's counts, kept at merge time (report_counts.h) so that the report
  // reads them instead of every record (issue 13): counts only, keyed by what the report
  // prints (answer codes, areas, age groups, days), never a name or an id. A store holding
  // records builds them from those once the data key is set ('report_counts_pending').
  AMANA_RETURN_IF_ERROR(db.exec(R"sql(
    CREATE TABLE report_counts (
      period    TEXT NOT NULL,  -- YYYY-MM; '' for the current state
      form      TEXT NOT NULL,
      breakdown TEXT NOT NULL,
      key       TEXT NOT NULL,
      count     INTEGER NOT NULL,
      PRIMARY KEY (period, form, breakdown, key)
    ) WITHOUT ROWID;
  )sql"));
  return db.exec("INSERT INTO meta (key, value) SELECT 'report_counts_pending', x'01' "
                 "WHERE EXISTS (SELECT 1 FROM records)");
}

Status create_v19(sql::Database& db, sql::Transaction&) {
  // The office's case list, kept at merge time (central_store.h CaseListing) so that a
  // page of it, filtered by status, risk or assignee, reads the rows it shows instead of
  // every record (issue 13). Names and assignees are sealed; the assignee's filter is the
  // holder tag case_scope keys. Built from the cases held once the data key is set
  // ('case_listing_pending').
  AMANA_RETURN_IF_ERROR(db.exec(R"sql(
    CREATE TABLE case_listing (
      case_id      BLOB PRIMARY KEY,
      status       TEXT NOT NULL,
      risk_level   TEXT NOT NULL,
      holder_tag   BLOB NOT NULL,
      opened_at_ms INTEGER NOT NULL,
      steps        INTEGER NOT NULL,
      sealed_names BLOB NOT NULL  -- pb::CentralValues: the name, the assignee
    ) WITHOUT ROWID;
    CREATE INDEX case_listing_by_status ON case_listing (status, case_id);
    CREATE INDEX case_listing_by_risk ON case_listing (risk_level, case_id);
    CREATE INDEX case_listing_by_holder ON case_listing (holder_tag, case_id);
  )sql"));
  return db.exec("INSERT INTO meta (key, value) SELECT 'case_listing_pending', x'01' "
                 "WHERE EXISTS (SELECT 1 FROM records WHERE form_id = 'case')");
}

Status create_v21(sql::Database& db, sql::Transaction&) {
  // The case list's sealed row gains the person's sex, age and place (central_store.h
  // CaseListing), so that duplicate detection reads one row per case instead of every
  // record (issue 13). The rows are rebuilt from the cases once the data key is set.
  return db.exec("INSERT OR REPLACE INTO meta (key, value) SELECT 'case_listing_pending', x'01' "
                 "WHERE EXISTS (SELECT 1 FROM records WHERE form_id = 'case')");
}

const sql::Migration kMigrations[] = {
    {1, "users, devices, enrollment, changesets, records, field versions, conflicts", create_v1},
    {2, "service provider directory", create_v2},
    {3, "records name the case they are a step of", create_v3},
    {4, "the change log devices pull cases from", create_v4},
    {5, "the hash-chained audit log", create_v5},
    {6, "one row per merged operation, its values sealed together", create_v6},
    {7, "operations write authority refused, kept aside for review", create_v7},
    {8, "nonces prove themselves: only spent ones are kept", create_v8},
    {9, "users can be deactivated", create_v9},
    {10, "each device's updates are numbered", create_v10},
    {11, "need-to-know kept at merge time: case holders and the cases each device holds", create_v11},
    {13, "published forms: every version kept, signed", create_v13},
    {16, "office console staff accounts: passwords, invitations, sessions", create_v16},
    {17, "office console second factors: TOTP secrets, sealed", create_v17},
    {18, "the monthly report's counts, kept at merge time", create_v18},
    {19, "the office's case list, kept at merge time", create_v19},
    {21, "the case list keeps the person's sex, age and place, sealed, for duplicate detection", create_v21},
};

}  // namespace

std::span<const sql::Migration> migrations() { return kMigrations; }

}  // namespace sqlite_store

Result<std::unique_ptr<CentralStore>> open_sqlite_store(const std::filesystem::path& path, bool create) {
  AMANA_ASSIGN_OR_RETURN(auto db,
                         sql::Database::open(path, create ? sql::OpenMode::create_new : sql::OpenMode::existing));
  AMANA_RETURN_IF_ERROR(sql::migrate(*db, sqlite_store::migrations()));
  return std::unique_ptr<CentralStore>(std::make_unique<sqlite_store::SqliteCentralStore>(std::move(db)));
}

}  // namespace amana::server
