// The SQLite schema, as an ordered list of migrations kept in code: a database is brought up to
// the newest version at open, and a database written by a newer gateway is refused.
#pragma once

#include <span>

#include "gateway/store/sqlite/connection.hpp"

namespace opcat::store::sqlite {

struct Migration {
  int version;      // 1, 2, 3...: never renumbered, never edited once released
  const char* sql;  // applied in one transaction with its schema_migrations row
};

std::span<const Migration> migrations();
int latest_schema_version();

// Applies every migration newer than the database's version, all in one transaction: a failure
// leaves the database as it was. Running it again is a no-op. Throws StoreError if the
// database's version is newer than this gateway knows.
void migrate(Connection& connection);

// For a reader beside a running gateway (which alone migrates): throws StoreError unless the
// database is at exactly this gateway's schema version.
void require_latest(Connection& connection);

}  // namespace opcat::store::sqlite
