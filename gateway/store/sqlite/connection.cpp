#include "gateway/store/sqlite/connection.hpp"

#include <sqlite3.h>

#include <chrono>

namespace opcat::store::sqlite {
namespace {

// Long enough to ride out a checkpoint or another process's short transaction; writers of this
// process never wait here, they queue on the store's group committer instead.
constexpr int kBusyTimeoutMs = 10'000;

[[noreturn]] void fail(sqlite3* db, int code, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw SqliteError(db != nullptr ? sqlite3_extended_errcode(db) : code, message);
}

}  // namespace

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind_or_null(int index, std::string_view text) {
  return text.empty() ? bind_null(index) : bind(index, text);
}

Statement& Statement::bind_blob_or_null(int index, std::string_view bytes) {
  if (bytes.empty()) return bind_null(index);
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, sqlite3_sql(stmt_));
}

void Statement::run() {
  if (step()) throw StoreError(std::string("statement returned a row: ") + sqlite3_sql(stmt_));
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  if (data == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(data),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return text(column);
}

std::string Statement::blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  if (data == nullptr) return {};
  return std::string(static_cast<const char*>(data),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

Connection::Connection(const std::filesystem::path& file, bool must_exist) {
  // NOMUTEX: each connection is used by one thread at a time under the store's own locks, so
  // SQLite's per-connection mutex would be redundant.
  const int rc = sqlite3_open_v2(
      file.c_str(), &db_,
      SQLITE_OPEN_READWRITE | (must_exist ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = "cannot open " + file.string() + ": " +
                                (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(rc, message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    // WAL: readers never block the writer nor the writer the readers.
    if (pragma_text("PRAGMA journal_mode=WAL") != "wal") {
      throw StoreError("cannot switch " + file.string() + " to WAL (a network filesystem?)");
    }
    // FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so the last transactions
    // before a power loss can vanish. A member is told "202" only after commit returns: that
    // promise must survive the power cut, so every commit syncs the WAL.
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
  } catch (...) {
    sqlite3_close_v2(db_);
    throw;
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Statement Connection::prepare(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(db_, rc, "prepare " + sql);
    found = statements_.emplace(sql, stmt).first;
  }
  return Statement(db_, found->second);
}

void Connection::exec(const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteError(sqlite3_extended_errcode(db_), message + " (in: " + sql.substr(0, 80) + ")");
  }
}

std::string Connection::pragma_text(const std::string& pragma) {
  Statement statement = prepare(pragma);
  return statement.step() ? statement.text(0) : std::string();
}

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Transaction::Transaction(Connection& connection, Kind kind) : connection_(connection) {
  connection_.exec(kind == Kind::immediate ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    connection_.exec("ROLLBACK");
  } catch (const StoreError&) {
    // SQLite may already have rolled back (after an I/O error); nothing is left to undo.
  }
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  open_ = false;
}

// One name serves every savepoint: they are never nested, each is released before the next.
Savepoint::Savepoint(Connection& connection) : connection_(connection) {
  connection_.exec("SAVEPOINT unit");
}

Savepoint::~Savepoint() {
  if (!open_) return;
  try {
    rollback();
  } catch (const StoreError&) {
    // Usually the whole transaction is already gone (SQLite rolled it back): nothing left to
    // undo. A caller that must know whether undoing worked calls rollback() itself.
  }
}

void Savepoint::release() {
  connection_.exec("RELEASE unit");
  open_ = false;
}

void Savepoint::rollback() {
  // ROLLBACK TO undoes the work but keeps the savepoint open; RELEASE then closes it.
  connection_.exec("ROLLBACK TO unit; RELEASE unit");
  open_ = false;
}

}  // namespace opcat::store::sqlite
