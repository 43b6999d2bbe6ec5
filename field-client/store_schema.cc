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

const sql::Migration kMigrations[] = {
    {1, "records, operations outbox, sealed meta", create_v1},
};

}  // namespace

std::span<const sql::Migration> store_migrations() { return kMigrations; }

}  // namespace amana::field
