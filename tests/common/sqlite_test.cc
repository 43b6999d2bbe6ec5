#include "common/sqlite.h"

#include <doctest/doctest.h>

#include "field-client/store_schema.h"
#include "tests/support.h"

using namespace amana;
using namespace amana::sql;

namespace {

std::unique_ptr<Database> new_database(const testing::TempDir& dir) {
  auto db = Database::open(dir.path() / "test.db", OpenMode::create_new);
  REQUIRE(db.ok());
  return std::move(db).value();
}

std::int64_t count(Database& db, const std::string& sql) {
  auto q = db.query(sql);
  REQUIRE(q.ok());
  auto row = q->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return q->column_int64(0);
}

}  // namespace

TEST_CASE("the store's migrations bring an empty database to the latest schema") {
  testing::TempDir dir;
  auto db = new_database(dir);
  CHECK(*schema_version(*db) == 0);
  REQUIRE(migrate(*db, field::store_migrations()).ok());
  CHECK(*schema_version(*db) == field::store_migrations().back().version);
  CHECK(count(*db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                   "('meta', 'records', 'operations')") == 3);
  // Running them again is a no-op.
  REQUIRE(migrate(*db, field::store_migrations()).ok());
  CHECK(count(*db, "PRAGMA journal_mode = WAL") >= 0);
}

TEST_CASE("connections use WAL, full sync and secure_delete") {
  testing::TempDir dir;
  auto db = new_database(dir);
  auto q = db->query("PRAGMA journal_mode");
  REQUIRE(q.ok());
  REQUIRE(*q->step());
  CHECK(q->column_text(0) == "wal");
  CHECK(count(*db, "PRAGMA synchronous") == 2);  // FULL
  CHECK(count(*db, "PRAGMA secure_delete") == 1);
}

TEST_CASE("a failing migration rolls back entirely and leaves the version unchanged") {
  testing::TempDir dir;
  auto db = new_database(dir);
  const Migration steps[] = {
      {1, "good", [](Database& d, Transaction&) { return d.exec("CREATE TABLE a (x)"); }},
      {2, "bad", [](Database& d, Transaction&) {
         Status created = d.exec("CREATE TABLE b (x)");
         CHECK(created.ok());
         return d.exec("THIS IS NOT SQL");
       }},
  };
  Status status = migrate(*db, steps);
  CHECK(status.code() == ErrorCode::io);
  CHECK(status.message().find("migration 2 (bad)") != std::string::npos);
  CHECK(*schema_version(*db) == 1);
  CHECK(count(*db, "SELECT count(*) FROM sqlite_master WHERE name = 'b'") == 0);
}

TEST_CASE("a store from a newer version is refused") {
  testing::TempDir dir;
  auto db = new_database(dir);
  REQUIRE(db->exec("PRAGMA user_version = 99").ok());
  Status status = migrate(*db, field::store_migrations());
  CHECK(status.code() == ErrorCode::schema_too_new);
  CHECK(status.message().find("upgrade Amana") != std::string::npos);
}

TEST_CASE("a transaction rolls back unless committed") {
  testing::TempDir dir;
  auto db = new_database(dir);
  REQUIRE(db->exec("CREATE TABLE t (x INTEGER)").ok());
  {
    auto txn = db->begin();
    REQUIRE(txn.ok());
    auto insert = db->query("INSERT INTO t (x) VALUES (?)");
    REQUIRE(insert.ok());
    REQUIRE(insert->bind(1, std::int64_t{1}).run().ok());
  }
  CHECK(count(*db, "SELECT count(*) FROM t") == 0);
  {
    auto txn = db->begin();
    REQUIRE(txn.ok());
    auto insert = db->query("INSERT INTO t (x) VALUES (?)");
    REQUIRE(insert->bind(1, std::int64_t{2}).run().ok());
    REQUIRE(txn->commit().ok());
  }
  CHECK(count(*db, "SELECT count(*) FROM t") == 1);
}

TEST_CASE("a transaction begun inside another keeps or undoes only its own writes, made durable by the outer") {
  testing::TempDir dir;
  auto db = new_database(dir);
  REQUIRE(db->exec("CREATE TABLE t (x INTEGER)").ok());
  auto insert = [&](std::int64_t x) {
    auto q = db->query("INSERT INTO t (x) VALUES (?)");
    REQUIRE(q.ok());
    REQUIRE(q->bind(1, x).run().ok());
  };
  {
    auto outer = db->begin();
    REQUIRE(outer.ok());
    insert(1);
    {
      auto kept = db->begin();
      REQUIRE(kept.ok());
      insert(2);
      REQUIRE(kept->commit().ok());
    }
    {
      auto undone = db->begin();
      REQUIRE(undone.ok());
      insert(3);
    }
    CHECK(count(*db, "SELECT group_concat(x, '') FROM t") == 12);
    REQUIRE(outer->commit().ok());
  }
  CHECK(count(*db, "SELECT count(*) FROM t") == 2);
  {
    auto outer = db->begin();
    REQUIRE(outer.ok());
    auto inner = db->begin();
    REQUIRE(inner.ok());
    insert(4);
    REQUIRE(inner->commit().ok());
  }  // the outer one rolls back, taking the committed inner one with it
  CHECK(count(*db, "SELECT count(*) FROM t") == 2);
  auto after = db->begin();  // and the connection is back to plain transactions
  REQUIRE(after.ok());
  insert(5);
  REQUIRE(after->commit().ok());
  CHECK(count(*db, "SELECT count(*) FROM t") == 3);
}

TEST_CASE("opening modes and non-database files give clear errors") {
  testing::TempDir dir;
  CHECK(Database::open(dir.path() / "missing.db", OpenMode::existing).status().code() == ErrorCode::not_found);
  new_database(dir);
  CHECK(Database::open(dir.path() / "test.db", OpenMode::create_new).status().code() == ErrorCode::already_exists);
  testing::write_file(dir.path() / "junk.db", std::string(4096, 'x'));
  CHECK(Database::open(dir.path() / "junk.db", OpenMode::existing).status().code() == ErrorCode::corrupt);
}

TEST_CASE("statements bind and read back every type, and a bad statement is an error") {
  testing::TempDir dir;
  auto db = new_database(dir);
  REQUIRE(db->exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n)").ok());
  const std::uint8_t blob[] = {0, 1, 2};
  {
    auto q = db->query("INSERT INTO t VALUES (?, ?, ?, ?)");
    REQUIRE(q.ok());
    REQUIRE(q->bind(1, std::int64_t{-5}).bind(2, std::string_view("نعم")).bind(3, blob).bind_null(4).run().ok());
  }
  auto q = db->query("SELECT i, s, b, n FROM t");
  REQUIRE(q.ok());
  REQUIRE(*q->step());
  CHECK(q->column_int64(0) == -5);
  CHECK(q->column_text(1) == "نعم");
  CHECK(q->column_blob(2) == std::vector<std::uint8_t>{0, 1, 2});
  CHECK(q->column_is_null(3));
  CHECK(db->query("SELEC nonsense").status().code() == ErrorCode::io);
}
