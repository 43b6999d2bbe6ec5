#include "common/sqlite.h"

#include <sqlite3.h>

#include <climits>
#include <stdexcept>

namespace amana::sql {
namespace {

// Waiting briefly for a lock beats failing when two commands touch the store at once.
constexpr int kBusyTimeoutMs = 5000;

int to_int_length(std::size_t size) {
  if (size > static_cast<std::size_t>(INT_MAX)) throw std::length_error("value too large for SQLite");
  return static_cast<int>(size);
}

}  // namespace

// ---- Query ----

Query::Query(Query&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Query::~Query() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int position, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, position, value) != SQLITE_OK) throw std::logic_error("bind int64");
  return *this;
}

Query& Query::bind(int position, std::string_view text) {
  if (sqlite3_bind_text(stmt_, position, text.data(), to_int_length(text.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    throw std::logic_error("bind text");
  }
  return *this;
}

Query& Query::bind(int position, std::span<const std::uint8_t> blob) {
  // A zero-length blob must still be a blob, not NULL: SQLite needs a non-null pointer.
  static const std::uint8_t empty = 0;
  const void* data = blob.empty() ? &empty : blob.data();
  if (sqlite3_bind_blob(stmt_, position, data, to_int_length(blob.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    throw std::logic_error("bind blob");
  }
  return *this;
}

Query& Query::bind_null(int position) {
  if (sqlite3_bind_null(stmt_, position) != SQLITE_OK) throw std::logic_error("bind null");
  return *this;
}

Result<bool> Query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error("query failed");
}

Status Query::run() {
  AMANA_ASSIGN_OR_RETURN(bool row, step());
  (void)row;
  return Status::success();
}

std::int64_t Query::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Query::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::vector<std::uint8_t> Query::column_blob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return {data, data + size};
}

bool Query::column_is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

// ---- Transaction ----

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), nested_(other.nested_), open_(std::exchange(other.open_, false)) {}

Transaction::~Transaction() {
  if (!open_) return;
  sqlite3_exec(db_->handle_, nested_ ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK", nullptr, nullptr, nullptr);
  finish();
}

void Transaction::finish() {
  open_ = false;
  --db_->open_transactions_;
}

Status Transaction::commit() {
  if (!open_) throw std::logic_error("commit of a finished transaction");
  if (sqlite3_exec(db_->handle_, nested_ ? "RELEASE nested" : "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return db_->error("commit failed");
  }
  finish();
  return Status::success();
}

// ---- Database ----

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path, OpenMode mode) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (mode == OpenMode::create_new && exists) {
    return Status(ErrorCode::already_exists, "a store already exists at " + path.string());
  }
  if (mode == OpenMode::existing && !exists) {
    return not_found("no store at " + path.string());
  }
  sqlite3* handle = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                    (mode == OpenMode::create_new ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    return io_error("cannot open " + path.string() + ": " + message);
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
  std::unique_ptr<Database> db(new Database(handle, path));
  AMANA_RETURN_IF_ERROR(db->exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
      "PRAGMA secure_delete=ON;"));
  // A file that is not a database shows up here, not at open.
  AMANA_ASSIGN_OR_RETURN(int version, schema_version(*db));
  (void)version;
  return db;
}

Database::~Database() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(handle_);
}

Status Database::exec(std::string_view sql) {
  const std::string text(sql);
  if (sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return error("SQLite");
  }
  return Status::success();
}

Result<Query> Database::query(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(handle_, sql.data(), to_int_length(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                           nullptr) != SQLITE_OK) {
      return error("cannot prepare statement");
    }
    found = statements_.emplace(std::string(sql), stmt).first;
  }
  return Query(this, found->second);
}

Result<Transaction> Database::begin() {
  const bool nested = open_transactions_ > 0;
  if (sqlite3_exec(handle_, nested ? "SAVEPOINT nested" : "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return error("cannot start a write transaction");
  }
  ++open_transactions_;
  return Transaction(this, nested);
}

Status Database::checkpoint_truncate() {
  int log_frames = 0;
  int checkpointed = 0;
  if (sqlite3_wal_checkpoint_v2(handle_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &checkpointed) !=
      SQLITE_OK) {
    return error("checkpoint failed");
  }
  return Status::success();
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(handle_); }

int Database::changes() const { return sqlite3_changes(handle_); }

Status Database::error(std::string_view what) const {
  const int code = sqlite3_extended_errcode(handle_);
  const ErrorCode kind = (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB
                             ? ErrorCode::corrupt
                             : ErrorCode::io;
  return {kind, std::string(what) + ": " + sqlite3_errmsg(handle_) + " (" + path_.string() + ")"};
}

// ---- Migrations ----

Result<int> schema_version(Database& db) {
  AMANA_ASSIGN_OR_RETURN(Query q, db.query("PRAGMA user_version"));
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return corrupt("PRAGMA user_version returned nothing");
  return static_cast<int>(q.column_int64(0));
}

Status migrate(Database& db, std::span<const Migration> migrations) {
  AMANA_ASSIGN_OR_RETURN(int current, schema_version(db));
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    return {ErrorCode::schema_too_new, "the store at " + db.path().string() + " has schema version " +
                                           std::to_string(current) + " but this program knows up to " +
                                           std::to_string(latest) + ": upgrade Amana"};
  }
  for (const Migration& step : migrations) {
    if (step.version <= current) continue;
    AMANA_ASSIGN_OR_RETURN(Transaction txn, db.begin());
    AMANA_RETURN_IF_ERROR(step.apply(db, txn).with_context(
        "migration " + std::to_string(step.version) + " (" + std::string(step.description) + ")"));
    AMANA_RETURN_IF_ERROR(db.exec("PRAGMA user_version=" + std::to_string(step.version)));
    AMANA_RETURN_IF_ERROR(txn.commit());
  }
  return Status::success();
}

}  // namespace amana::sql
