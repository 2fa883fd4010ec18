// A thin RAII layer over one SQLite connection: its cache of prepared statements, bound
// parameters and transactions. Not thread-safe: the owner serialises its use (sqlite_store.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/store/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace opcat::store::sqlite {

// A StoreError that keeps SQLite's extended result code.
class SqliteError : public StoreError {
 public:
  SqliteError(int code, const std::string& message) : StoreError(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// One use of a cached prepared statement; reset and unbound when it goes out of scope, so the
// next user finds it clean. Parameters are numbered from 1, columns from 0, as in SQLite.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_optional(int index, const std::optional<std::string>& text);  // nullopt: NULL
  Statement& bind_null(int index);
  // Empty text as NULL: the transfer log's "not applicable".
  Statement& bind_or_null(int index, std::string_view text);
  // Raw bytes (NULs included) as a BLOB; empty bytes as NULL, as for text.
  Statement& bind_blob_or_null(int index, std::string_view bytes);

  bool step();  // true while there is a row
  void run();   // a statement that yields no row

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::string blob(int column) const;  // NULL reads as empty

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens (creating if needed) and applies the pragmas every connection must have.
  // Creates the database file unless `must_exist` (a reader beside a gateway must never make an
  // empty database where it expected the gateway's).
  explicit Connection(const std::filesystem::path& file, bool must_exist = false);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Prepared once per connection, then reused: the SQL text is the cache key.
  Statement prepare(const std::string& sql);
  // For schema scripts and transaction control: several statements, no parameters.
  void exec(const std::string& sql);
  std::string pragma_text(const std::string& pragma);
  // False once SQLite has rolled a transaction back on its own (some I/O, full-disk and
  // out-of-memory errors do): savepoints and COMMIT no longer mean anything then.
  bool in_transaction() const;

  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// A transaction rolled back unless committed. Immediate takes the write lock at BEGIN, so a
// read-then-write inside it cannot be overtaken by another writer (and never fails with
// SQLITE_BUSY half-way, only at BEGIN, where the busy timeout waits).
class Transaction {
 public:
  enum class Kind { deferred, immediate };
  Transaction(Connection& connection, Kind kind);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Connection& connection_;
  bool open_ = true;
};

// A savepoint inside an open transaction, rolled back (and released) unless released: undoes
// one unit of work without touching the rest of the transaction.
class Savepoint {
 public:
  explicit Savepoint(Connection& connection);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  void release();
  void rollback();  // throws, unlike the destructor's rollback

 private:
  Connection& connection_;
  bool open_ = true;
};

}  // namespace opcat::store::sqlite
