// The only door to SQLite: a connection, cached prepared statements, a write transaction
// scope, and numbered schema migrations.
//
// Writing functions elsewhere take a `Transaction&`, so that a write outside a transaction
// does not compile by accident. A Transaction is BEGIN IMMEDIATE (the write lock is taken
// up front, so a busy database fails at the start rather than half way); it rolls back in
// its destructor unless commit() succeeded. A Transaction begun inside another is a
// savepoint: its commit keeps its writes for the outer one to make durable, its rollback
// undoes only them.
//
// Thread safety: a Database and its statements belong to one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace amana::sql {

class Database;

// A prepared statement borrowed from the connection's cache. Bindings are cleared and the
// statement reset when the Query is destroyed, so it can be reused safely.
class Query {
 public:
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  ~Query();

  // 1-based parameter positions, as SQLite numbers them.
  Query& bind(int position, std::int64_t value);
  Query& bind(int position, std::string_view text);
  Query& bind(int position, std::span<const std::uint8_t> blob);
  Query& bind_null(int position);

  // Advances to the next row: true when a row is available, false when done.
  Result<bool> step();
  // Runs a statement that returns no rows.
  Status run();

  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  std::vector<std::uint8_t> column_blob(int column) const;
  bool column_is_null(int column) const;

 private:
  friend class Database;
  Query(Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Database* db_;
  sqlite3_stmt* stmt_;
};

class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();  // rolls back unless committed
  Status commit();

 private:
  friend class Database;
  Transaction(Database* db, bool nested) : db_(db), nested_(nested) {}
  void finish();
  Database* db_;
  bool nested_;
  bool open_ = true;
};

enum class OpenMode { create_new, existing };

class Database {
 public:
  // Opens `path` in WAL mode with foreign keys, secure_delete (deleted rows are zeroed,
  // not left in free pages) and synchronous=FULL (a commit is on disk when it returns).
  // create_new fails with already_exists if the file exists; existing fails with
  // not_found if it does not.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path, OpenMode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements with no parameters (DDL, pragmas).
  Status exec(std::string_view sql);
  // A cached prepared statement for `sql`. A Query must not be prepared twice at once.
  Result<Query> query(std::string_view sql);
  // BEGIN IMMEDIATE, or a savepoint inside an open Transaction; io error when the
  // database is locked or unwritable.
  Result<Transaction> begin();

  // Flushes the WAL into the main file and truncates it to zero bytes, so that nothing
  // deleted lingers there.
  Status checkpoint_truncate();

  std::int64_t last_insert_rowid() const;
  int changes() const;
  const std::filesystem::path& path() const { return path_; }

  // Error text from SQLite for the last failure, prefixed with `what`.
  Status error(std::string_view what) const;

 private:
  Database(sqlite3* handle, std::filesystem::path path) : handle_(handle), path_(std::move(path)) {}
  friend class Query;
  friend class Transaction;
  sqlite3* handle_;
  std::filesystem::path path_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
  int open_transactions_ = 0;
};

// A numbered schema step. Steps run in order, each in its own transaction together with
// the PRAGMA user_version bump, and are never edited once released.
struct Migration {
  int version;
  std::string_view description;
  std::function<Status(Database&, Transaction&)> apply;
};

// Brings the schema up to the last migration. schema_too_new when the file was written by
// a newer version of Amana.
Status migrate(Database& db, std::span<const Migration> migrations);
Result<int> schema_version(Database& db);

}  // namespace amana::sql
