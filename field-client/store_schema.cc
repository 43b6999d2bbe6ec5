#include "field-client/store_schema.h"

namespace amana::field {
namespace {

// Version 1: the first store.
//  meta        key -> value; KDF salt and parameters, the wrapped data key, device id and
//              public keys (clear), device secret keys (sealed), user, HLC high-water mark.
//  records     one row per record; answers and author sealed in `sealed_values`.
//              WITHOUT ROWID keyed by the time-ordered id keeps inserts appending.
//  operations  the outbox and the local history: one row per change, `seq` is the
//              per-device sequence number (AUTOINCREMENT: never reused, even after
//              acknowledged operations are pruned), contents sealed.
Status create_v1(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    CREATE TABLE meta (
      key   TEXT PRIMARY KEY,
      value BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE records (
      id            BLOB PRIMARY KEY CHECK (length(id) = 16),
      form_id       TEXT NOT NULL,
      form_version  INTEGER NOT NULL,
      created_at_ms INTEGER NOT NULL,
      updated_hlc   INTEGER NOT NULL,
      sealed_values BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX records_by_form ON records (form_id, id);
    CREATE TABLE operations (
      seq              INTEGER PRIMARY KEY AUTOINCREMENT,
      record_id        BLOB NOT NULL CHECK (length(record_id) = 16),
      hlc              INTEGER NOT NULL,
      sealed_operation BLOB NOT NULL
    );
    CREATE INDEX operations_by_record ON operations (record_id, seq);
  )sql");
}

// Changesets are packed once and kept until acknowledged, so that a retry after a broken
// connection sends the very same bytes (the server tells a replay from a fork by hash).
Status create_v2(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    CREATE TABLE changesets (
      number           INTEGER PRIMARY KEY,
      last_sequence    INTEGER NOT NULL,
      sealed_changeset BLOB NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('packed_sequence', '0'), ('changeset_number', '0'),
                                         ('changeset_hash', x''), ('acknowledged_changeset', '0');
  )sql");
}

// The service provider directory, synced down from the server. Not personal data: kept
// in clear, one encoded entry per provider.
Status create_v3(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    CREATE TABLE providers (
      id      TEXT PRIMARY KEY,
      active  INTEGER NOT NULL,
      encoded BLOB NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO meta (key, value) VALUES ('providers_version', '0');
  )sql");
}

// Case steps (registration, referral, ...) are records that name their case.
Status create_v4(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    ALTER TABLE records ADD COLUMN case_id BLOB CHECK (case_id IS NULL OR length(case_id) = 16);
    CREATE INDEX records_by_case ON records (case_id) WHERE case_id IS NOT NULL;
  )sql");
}

// Where the last pull ended in the server's change log.
Status create_v5(sql::Database& db, sql::Transaction&) {
  return db.exec("INSERT INTO meta (key, value) VALUES ('pull_cursor', '0');");
}

// Version 7 (6 is the central team's): drafts of forms being filled in (drafts.h), never
// synced. Only the id and the time of the last save are in clear; the form, the case and
// every answer are sealed under the data key.
Status create_v7(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    CREATE TABLE drafts (
      id            BLOB PRIMARY KEY CHECK (length(id) = 16),
      updated_at_ms INTEGER NOT NULL,
      sealed_draft  BLOB NOT NULL
    ) WITHOUT ROWID;
  )sql");
}

// Version 8: the store authenticates what it does not seal (store_integrity.cc). Each
// record's values are bound to the write number `version` (kept in the records digest);
// each operation carries `link`, its place in the outbox chain. The values, digests and
// links themselves are computed at the first unlock, which has the data key
// (adopt_legacy_store): a migration runs without it.
Status create_v8(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    ALTER TABLE records ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE operations ADD COLUMN link BLOB;
  )sql");
}

// Version 9: the versions of published forms the office sent (field-client/published_forms.h).
// In clear, like the form pack compiled into the binary: a form is not personal data, and
// each row carries the organisation's signature, checked when it arrives and when it is
// loaded, so that a row changed on the disk is never collected with. Which forms are
// archived is kept in authenticated meta (archived_forms).
Status create_v9(sql::Database& db, sql::Transaction&) {
  return db.exec(R"sql(
    CREATE TABLE published_forms (
      form_id    TEXT NOT NULL,
      version    INTEGER NOT NULL CHECK (version > 0),
      definition TEXT NOT NULL,
      digest     BLOB NOT NULL CHECK (length(digest) = 32),
      signature  BLOB NOT NULL,
      PRIMARY KEY (form_id, version)
    ) WITHOUT ROWID;
  )sql");
}

const sql::Migration kMigrations[] = {
    {1, "records, operations outbox, sealed meta", create_v1},
    {2, "sync: packed changesets awaiting acknowledgement", create_v2},
    {3, "service provider directory", create_v3},
    {4, "records name the case they are a step of", create_v4},
    {5, "pull cursor", create_v5},
    {7, "drafts of forms being filled in", create_v7},
    {8, "authenticated records and outbox chain", create_v8},
    {9, "published forms sent by the office", create_v9},
};

}  // namespace

std::span<const sql::Migration> store_migrations() { return kMigrations; }

}  // namespace amana::field
