#include "gateway/store/sqlite/migrations.hpp"

#include <array>

namespace opcat::store::sqlite {
namespace {

constexpr std::array kMigrations = {
    Migration{1, R"sql(
CREATE TABLE submissions (
  id               TEXT PRIMARY KEY,
  member           TEXT NOT NULL,
  sha256           TEXT NOT NULL CHECK (length(sha256) = 64),
  size             INTEGER NOT NULL CHECK (size >= 0),
  idempotency_key  TEXT,
  received_at      TEXT NOT NULL,
  adapter          TEXT NOT NULL,
  mapping_version  TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('complete', 'partial', 'rejected')),
  accepted         INTEGER NOT NULL,
  rejected         INTEGER NOT NULL,
  receipt          TEXT NOT NULL,
  -- Idempotency is per member: the same body from two members is two submissions.
  -- NULL keys are distinct in SQLite, so submissions without a key never collide.
  UNIQUE (member, sha256),
  UNIQUE (member, idempotency_key)
);
CREATE INDEX submissions_member_received ON submissions (member, received_at);

-- The submission row is written at commit, after its records: the reference is checked then.
CREATE TABLE records (
  submission_id  TEXT NOT NULL REFERENCES submissions (id) DEFERRABLE INITIALLY DEFERRED,
  seq            INTEGER NOT NULL,
  record_type    TEXT NOT NULL,
  record_id      TEXT,
  body           TEXT NOT NULL,
  PRIMARY KEY (submission_id, seq)
);
CREATE INDEX records_type_id ON records (record_type, record_id);

CREATE TABLE record_errors (
  submission_id  TEXT NOT NULL REFERENCES submissions (id) DEFERRABLE INITIALLY DEFERRED,
  seq            INTEGER NOT NULL,
  locator        TEXT NOT NULL,
  field          TEXT NOT NULL,
  source_field   TEXT NOT NULL,
  value          TEXT NOT NULL,
  code           TEXT NOT NULL,
  message        TEXT NOT NULL,
  PRIMARY KEY (submission_id, seq)
);

-- AUTOINCREMENT: a seq is never reused, even after retention deletes the newest rows, so a
-- console following the log by seq never misses or repeats an entry.
CREATE TABLE transfer_log (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  time           TEXT NOT NULL,
  direction      TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  member         TEXT,
  recipient      TEXT,
  submission_id  TEXT,
  delivery_id    TEXT,
  bytes          INTEGER,
  records        INTEGER,
  status         TEXT NOT NULL,
  http_status    INTEGER,
  duration_ms    INTEGER,
  error          TEXT
);
CREATE INDEX transfer_log_time ON transfer_log (time);
CREATE INDEX transfer_log_member ON transfer_log (member);
CREATE INDEX transfer_log_status ON transfer_log (status);
)sql"},
    // The receipt's detached signature (DER), kept beside receipt so that a retry is answered
    // with the very bytes first signed. NULL for submissions committed before receipts were signed.
    Migration{2, R"sql(
ALTER TABLE submissions ADD COLUMN receipt_signature BLOB;
)sql"},
    // The outbox (gateway/store/outbox.hpp): deliveries to recipients and every attempt.
    // Payload bytes are files (<data_dir>/outbox/); the row keeps their digest and signature.
    Migration{3, R"sql(
CREATE TABLE deliveries (
  id                 TEXT PRIMARY KEY,
  recipient          TEXT NOT NULL,
  payload_path       TEXT NOT NULL,
  sha256             TEXT NOT NULL CHECK (length(sha256) = 64),
  size               INTEGER NOT NULL CHECK (size >= 0),
  signature          BLOB NOT NULL,
  content_type       TEXT NOT NULL,
  metadata           TEXT NOT NULL,
  created_at         TEXT NOT NULL,
  state              TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  due_at             TEXT NOT NULL,
  retry_since        TEXT NOT NULL,
  claimed_until      TEXT,
  attempts           INTEGER NOT NULL DEFAULT 0,
  last_error         TEXT,
  delivered_at       TEXT,
  receipt            BLOB,
  receipt_signature  BLOB,
  failure_reason     TEXT
);
-- The deliverer's question: which pending deliveries are due now.
CREATE INDEX deliveries_due ON deliveries (state, due_at);
CREATE INDEX deliveries_recipient_state ON deliveries (recipient, state);

CREATE TABLE delivery_attempts (
  delivery_id  TEXT NOT NULL REFERENCES deliveries (id),
  seq          INTEGER NOT NULL,
  time         TEXT NOT NULL,
  http_status  INTEGER,
  error        TEXT,
  duration_ms  INTEGER NOT NULL,
  PRIMARY KEY (delivery_id, seq)
);
)sql"},
    // The transfer log's hash chain (gateway/store/transfer_log_chain.hpp) and its signed
    // checkpoints. Entries written before this version get their hashes when the store opens.
    Migration{4, R"sql(
ALTER TABLE transfer_log ADD COLUMN prev_hash TEXT;
ALTER TABLE transfer_log ADD COLUMN hash TEXT;
CREATE TABLE transfer_log_checkpoints (
  seq        INTEGER PRIMARY KEY,
  hash       TEXT NOT NULL CHECK (length(hash) = 64),
  time       TEXT NOT NULL,
  signature  BLOB NOT NULL
);
-- Filters of the operators' transfer log that are not indexed yet.
CREATE INDEX transfer_log_recipient ON transfer_log (recipient);
CREATE INDEX transfer_log_delivery ON transfer_log (delivery_id);
CREATE INDEX transfer_log_submission ON transfer_log (submission_id);
)sql"},
    // Alerts (gateway/app/alert_watch.hpp): at most one active per key, so a condition that
    // persists is raised once.
    Migration{5, R"sql(
CREATE TABLE alerts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  key         TEXT NOT NULL,
  kind        TEXT NOT NULL,
  subject     TEXT NOT NULL,
  message     TEXT NOT NULL,
  raised_at   TEXT NOT NULL,
  cleared_at  TEXT
);
CREATE UNIQUE INDEX alerts_active ON alerts (key) WHERE cleared_at IS NULL;
)sql"},
    // The operator console: its accounts, and the indexes its views query by (records per day
    // since a time, for every member; the transfer log by direction).
    Migration{6, R"sql(
CREATE TABLE operator_accounts (
  name           TEXT PRIMARY KEY,
  display_name   TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  password_hash  TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  created_by     TEXT NOT NULL,
  disabled_at    TEXT
);
CREATE INDEX submissions_received ON submissions (received_at);
CREATE INDEX transfer_log_direction ON transfer_log (direction);
)sql"},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations.back().version; }

namespace {

int schema_version(Connection& connection) {
  Statement statement = connection.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  return statement.step() ? static_cast<int>(statement.int64(0)) : 0;
}

}  // namespace

void require_latest(Connection& connection) {
  Statement table = connection.prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  const int current = table.step() && table.int64(0) > 0 ? schema_version(connection) : 0;
  if (current != latest_schema_version()) {
    throw StoreError("the database has schema version " + std::to_string(current) + ", this " +
                     "gateway reads version " + std::to_string(latest_schema_version()) +
                     ": start `opcat-gateway serve` of this version once to migrate it");
  }
}

void migrate(Connection& connection) {
  Transaction transaction(connection, Transaction::Kind::immediate);
  connection.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  const int current = schema_version(connection);
  if (current > latest_schema_version()) {
    throw StoreError("the database has schema version " + std::to_string(current) +
                     ", newer than this gateway knows (" + std::to_string(latest_schema_version()) +
                     "): it was written by a newer gateway; run that version or restore a backup");
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= current) continue;
    connection.exec(migration.sql);
    Statement record = connection.prepare(
        "INSERT INTO schema_migrations (version, applied_at)"
        " VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    record.bind(1, std::int64_t{migration.version}).run();
  }
  transaction.commit();
}

}  // namespace opcat::store::sqlite
