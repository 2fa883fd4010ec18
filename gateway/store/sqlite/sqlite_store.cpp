#include "gateway/store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>

#include "gateway/store/sqlite/migrations.hpp"
#include "gateway/store/sqlite/rows.hpp"
#include "gateway/store/sqlite/submission_writer.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::store::sqlite {
namespace {

std::int64_t as_limit(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(limit, 1'000'000));
}

// Created before the database is opened (SQLite would fail with "unable to open" without
// the data directory) and emptied: no writer exists yet, so any spool file is a crash's.
std::filesystem::path clean_spool_dir(const std::filesystem::path& data_dir, bool read_only) {
  const std::filesystem::path dir = data_dir / SqliteStore::kSpoolDir;
  if (read_only) return dir;
  std::filesystem::create_directories(dir);
  SubmissionSpool::remove_leftovers(dir);
  return dir;
}

}  // namespace

SqliteStore::SqliteStore(const std::filesystem::path& data_dir, SqliteStoreOptions options)
    : spool_dir_(clean_spool_dir(data_dir, options.read_only)),
      spool_memory_limit_(options.spool_memory_limit),
      write_(data_dir / kFileName, options.read_only),
      committer_(write_, options.batch),
      read_(data_dir / kFileName, options.read_only) {
  if (options.read_only) {
    require_latest(write_);
    write_.exec("PRAGMA query_only=ON");
  } else {
    migrate(write_);
    chain_unchained_entries();
  }
  // A slip in a query method cannot write around the committer.
  read_.exec("PRAGMA query_only=ON");
}

std::optional<SubmissionSummary> SqliteStore::find_one(const std::string& where,
                                                       std::string_view a, std::string_view b) {
  std::lock_guard lock(read_mutex_);
  Statement statement = read_.prepare(kSelectSubmission + where);
  statement.bind(1, a).bind(2, b);
  if (!statement.step()) return std::nullopt;
  return read_submission(statement);
}

std::optional<SubmissionSummary> SqliteStore::find_by_body(std::string_view member,
                                                           std::string_view sha256) {
  return find_one("WHERE member = ?1 AND sha256 = ?2", member, sha256);
}

std::optional<SubmissionSummary> SqliteStore::find_by_idempotency_key(std::string_view member,
                                                                      std::string_view key) {
  return find_one("WHERE member = ?1 AND idempotency_key = ?2", member, key);
}

std::optional<SubmissionSummary> SqliteStore::get_submission(std::string_view member,
                                                             std::string_view id) {
  return find_one("WHERE member = ?1 AND id = ?2", member, id);
}

std::unique_ptr<SubmissionWriter> SqliteStore::begin_submission(const NewSubmission& submission) {
  // A cheap early answer for the common retry, read from the last committed state. It is not
  // the guard: the same body or key may still be committed before this writer's commit, and
  // there the UNIQUE constraints decide (SqliteSubmissionWriter::write).
  {
    std::lock_guard lock(read_mutex_);
    if (auto existing = find_same_body_or_key(read_, submission.member, submission.sha256,
                                              submission.idempotency_key)) {
      throw DuplicateSubmission(std::move(*existing));
    }
  }
  return std::make_unique<SqliteSubmissionWriter>(committer_, spool_dir_, spool_memory_limit_,
                                                  submission);
}

bool SqliteStore::owns(std::string_view member, std::string_view id) {
  Statement statement =
      read_.prepare("SELECT 1 FROM submissions WHERE member = ?1 AND id = ?2");
  statement.bind(1, member).bind(2, id);
  return statement.step();
}

std::optional<std::vector<StoredRecordError>> SqliteStore::list_errors(std::string_view member,
                                                                       std::string_view id,
                                                                       std::int64_t after,
                                                                       std::size_t limit) {
  std::lock_guard lock(read_mutex_);
  Transaction snapshot(read_, Transaction::Kind::deferred);
  if (!owns(member, id)) return std::nullopt;
  // The member is in this query too, not only in owns(): isolation never rests on a check
  // made elsewhere.
  Statement statement = read_.prepare(
      "SELECT e.seq, e.locator, e.field, e.source_field, e.value, e.code, e.message"
      " FROM record_errors e JOIN submissions s ON s.id = e.submission_id"
      " WHERE s.member = ?1 AND e.submission_id = ?2 AND e.seq > ?3"
      " ORDER BY e.seq LIMIT ?4");
  statement.bind(1, member).bind(2, id).bind(3, after).bind(4, as_limit(limit));
  std::vector<StoredRecordError> errors;
  while (statement.step()) {
    StoredRecordError& e = errors.emplace_back();
    e.seq = statement.int64(0);
    e.error.locator = statement.text(1);
    e.error.field = statement.text(2);
    e.error.source_field = statement.text(3);
    e.error.value = statement.text(4);
    e.error.code = statement.text(5);
    e.error.message = statement.text(6);
  }
  return errors;
}

std::optional<std::vector<StoredRecord>> SqliteStore::list_records(std::string_view member,
                                                                   std::string_view id,
                                                                   std::int64_t after,
                                                                   std::size_t limit) {
  std::lock_guard lock(read_mutex_);
  Transaction snapshot(read_, Transaction::Kind::deferred);
  if (!owns(member, id)) return std::nullopt;
  Statement statement = read_.prepare(
      "SELECT r.seq, r.record_type, r.record_id, r.body"
      " FROM records r JOIN submissions s ON s.id = r.submission_id"
      " WHERE s.member = ?1 AND r.submission_id = ?2 AND r.seq > ?3"
      " ORDER BY r.seq LIMIT ?4");
  statement.bind(1, member).bind(2, id).bind(3, after).bind(4, as_limit(limit));
  std::vector<StoredRecord> records;
  while (statement.step()) {
    StoredRecord& r = records.emplace_back();
    r.seq = statement.int64(0);
    r.record_type = statement.text(1);
    r.record_id = statement.optional_text(2);
    r.body = statement.text(3);
  }
  return records;
}

std::vector<SubmissionSummary> SqliteStore::list_submissions(std::string_view member,
                                                             Clock::time_point since,
                                                             std::size_t limit) {
  std::lock_guard lock(read_mutex_);
  Statement statement = read_.prepare(
      kSelectSubmission + "WHERE member = ?1 AND received_at >= ?2 ORDER BY received_at, id LIMIT ?3");
  statement.bind(1, member).bind(2, format_utc(since)).bind(3, as_limit(limit));
  std::vector<SubmissionSummary> submissions;
  while (statement.step()) submissions.push_back(read_submission(statement));
  return submissions;
}

void SqliteStore::for_each_current_record(
    const RecordQuery& query, const std::function<void(const CurrentRecord&)>& visit) {
  // A connection of its own: a consolidation streams for minutes, and the shared read
  // connection would make every member's query wait that long. One statement reads one
  // snapshot (WAL), so commits made meanwhile are neither seen nor held up.
  Connection reader(spool_dir_.parent_path() / kFileName);
  reader.exec("PRAGMA query_only=ON");
  Statement statement = reader.prepare(kSelectCurrentRecords);
  if (query.dated_in) {
    statement.bind(1, query.dated_in->first).bind(2, query.dated_in->last);
  } else {
    statement.bind_null(1).bind_null(2);
  }
  CurrentRecord record;
  while (statement.step()) {
    record.submission_id = statement.text(0);
    record.member = statement.text(1);
    record.record_type = statement.text(2);
    record.record_id = statement.optional_text(3);
    record.body = statement.text(4);
    visit(record);
  }
}

std::int64_t SqliteStore::append_transfer(const TransferLogEntry& entry) {
  // A unit of the next batch like any commit: the write connection is never used outside one.
  std::int64_t seq = 0;
  committer_.run(0, [&](Connection& connection) { seq = insert_transfer(connection, entry); });
  return seq;
}

std::vector<TransferLogEntry> SqliteStore::list_transfers(const TransferQuery& query) {
  std::lock_guard lock(read_mutex_);
  Statement statement = read_.prepare(transfer_query_sql(query));
  statement.bind(1, query.after_seq).bind(2, as_limit(query.limit));
  // A parameter the SQL lacks cannot be bound: only the filters set.
  if (query.member) statement.bind(3, std::string_view(*query.member));
  if (query.status) statement.bind(4, std::string_view(*query.status));
  if (query.recipient) statement.bind(5, std::string_view(*query.recipient));
  if (query.direction) statement.bind(6, to_string(*query.direction));
  if (query.before_seq) statement.bind(7, *query.before_seq);
  std::vector<TransferLogEntry> entries;
  while (statement.step()) entries.push_back(read_transfer(statement));
  return entries;
}

std::optional<TransferLogEntry> SqliteStore::last_transfer() {
  std::lock_guard lock(read_mutex_);
  Statement statement = read_.prepare(kSelectTransfer + "ORDER BY seq DESC LIMIT 1");
  if (!statement.step()) return std::nullopt;
  return read_transfer(statement);
}

std::vector<SubmissionTotals> SqliteStore::submission_totals() {
  std::lock_guard lock(read_mutex_);
  Statement rows = read_.prepare(
      "SELECT member, status, count(*), sum(accepted), sum(rejected), max(received_at)"
      " FROM submissions GROUP BY member, status ORDER BY member, status");
  std::vector<SubmissionTotals> totals;
  while (rows.step()) {
    SubmissionTotals& t = totals.emplace_back();
    t.member = rows.text(0);
    t.status = parse_submission_status(rows.text(1));
    t.submissions = static_cast<std::uint64_t>(rows.int64(2));
    t.records_accepted = static_cast<std::uint64_t>(rows.int64(3));
    t.records_rejected = static_cast<std::uint64_t>(rows.int64(4));
    t.last_received_at = parse_utc(rows.text(5));
  }
  return totals;
}

std::vector<MemberDayRecords> SqliteStore::records_per_day(Clock::time_point since) {
  std::lock_guard lock(read_mutex_);
  Statement rows = read_.prepare(kSelectRecordsPerDay);
  rows.bind(1, format_utc(since));
  std::vector<MemberDayRecords> days;
  while (rows.step()) {
    MemberDayRecords& d = days.emplace_back();
    d.day = rows.text(0);
    d.member = rows.text(1);
    d.records_accepted = static_cast<std::uint64_t>(rows.int64(2));
    d.records_rejected = static_cast<std::uint64_t>(rows.int64(3));
    d.submissions = static_cast<std::uint64_t>(rows.int64(4));
  }
  return days;
}

std::optional<SubmissionSummary> SqliteStore::find_submission(std::string_view id) {
  std::lock_guard lock(read_mutex_);
  Statement statement = read_.prepare(kSelectSubmission + "WHERE id = ?1");
  statement.bind(1, id);
  if (!statement.step()) return std::nullopt;
  return read_submission(statement);
}

bool SqliteStore::create_operator_account(const OperatorAccount& account) {
  const std::optional<std::string> disabled_at =
      account.disabled_at ? std::optional(format_utc(*account.disabled_at)) : std::nullopt;
  bool created = false;
  committer_.run(0, [&](Connection& connection) {
    Statement insert = connection.prepare(
        "INSERT INTO operator_accounts (name, display_name, role, password_hash, created_at,"
        " created_by, disabled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT (name) DO NOTHING");
    insert.bind(1, account.name)
        .bind(2, account.display_name)
        .bind(3, account.role)
        .bind(4, account.password_hash)
        .bind(5, format_utc(account.created_at))
        .bind(6, account.created_by)
        .bind_optional(7, disabled_at)
        .run();
    created = sqlite3_changes(connection.handle()) > 0;
  });
  return created;
}

bool SqliteStore::replace_operator_account(const OperatorAccount& account) {
  bool replaced = false;
  committer_.run(0, [&](Connection& connection) {
    Statement update = connection.prepare(
        "UPDATE operator_accounts SET display_name = ?2, role = ?3, password_hash = ?4,"
        " disabled_at = NULL WHERE name = ?1");
    update.bind(1, account.name)
        .bind(2, account.display_name)
        .bind(3, account.role)
        .bind(4, account.password_hash)
        .run();
    replaced = sqlite3_changes(connection.handle()) > 0;
  });
  return replaced;
}

std::optional<OperatorAccount> SqliteStore::find_operator_account(std::string_view name) {
  std::lock_guard lock(read_mutex_);
  Statement statement = read_.prepare(kSelectOperatorAccount + "WHERE name = ?1");
  statement.bind(1, name);
  if (!statement.step()) return std::nullopt;
  return read_operator_account(statement);
}

std::vector<OperatorAccount> SqliteStore::list_operator_accounts() {
  std::lock_guard lock(read_mutex_);
  Statement rows = read_.prepare(kSelectOperatorAccount + "ORDER BY name");
  std::vector<OperatorAccount> accounts;
  while (rows.step()) accounts.push_back(read_operator_account(rows));
  return accounts;
}

bool SqliteStore::disable_operator_account(std::string_view name, Clock::time_point when) {
  bool disabled = false;
  committer_.run(0, [&](Connection& connection) {
    Statement update = connection.prepare(
        "UPDATE operator_accounts SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL");
    update.bind(1, name).bind(2, format_utc(when)).run();
    disabled = sqlite3_changes(connection.handle()) > 0;
  });
  return disabled;
}

bool SqliteStore::raise_alert(const Alert& alert) {
  bool raised = false;
  committer_.run(0, [&](Connection& connection) {
    // The partial unique index makes a second active alert with this key a no-op.
    Statement insert = connection.prepare(
        "INSERT INTO alerts (key, kind, subject, message, raised_at) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT DO NOTHING");
    insert.bind(1, alert.key)
        .bind(2, alert.kind)
        .bind(3, alert.subject)
        .bind(4, alert.message)
        .bind(5, format_utc(alert.raised_at))
        .run();
    raised = sqlite3_changes(connection.handle()) > 0;
  });
  return raised;
}

bool SqliteStore::clear_alert(std::string_view key, Clock::time_point when) {
  bool cleared = false;
  committer_.run(0, [&](Connection& connection) {
    Statement update = connection.prepare(
        "UPDATE alerts SET cleared_at = ?2 WHERE key = ?1 AND cleared_at IS NULL");
    update.bind(1, key).bind(2, format_utc(when)).run();
    cleared = sqlite3_changes(connection.handle()) > 0;
  });
  return cleared;
}

std::vector<Alert> SqliteStore::list_alerts(bool active_only, std::size_t limit) {
  std::lock_guard lock(read_mutex_);
  Statement rows = read_.prepare(
      std::string("SELECT id, key, kind, subject, message, raised_at, cleared_at FROM alerts") +
      (active_only ? " WHERE cleared_at IS NULL" : "") + " ORDER BY id DESC LIMIT ?1");
  rows.bind(1, as_limit(limit));
  std::vector<Alert> alerts;
  while (rows.step()) {
    Alert& a = alerts.emplace_back();
    a.id = rows.int64(0);
    a.key = rows.text(1);
    a.kind = rows.text(2);
    a.subject = rows.text(3);
    a.message = rows.text(4);
    a.raised_at = parse_utc(rows.text(5));
    if (const auto cleared = rows.optional_text(6)) a.cleared_at = parse_utc(*cleared);
  }
  return alerts;
}

void SqliteStore::append_checkpoint(const TransferLogCheckpoint& checkpoint) {
  committer_.run(0, [&](Connection& connection) {
    Statement insert = connection.prepare(
        "INSERT INTO transfer_log_checkpoints (seq, hash, time, signature) VALUES (?1, ?2, ?3, ?4)");
    insert.bind(1, checkpoint.seq)
        .bind(2, checkpoint.hash)
        .bind(3, format_utc(checkpoint.time))
        .bind_blob_or_null(4, checkpoint.signature)
        .run();
  });
}

std::vector<TransferLogCheckpoint> SqliteStore::list_checkpoints() {
  std::lock_guard lock(read_mutex_);
  Statement statement = read_.prepare(
      "SELECT seq, hash, time, signature FROM transfer_log_checkpoints ORDER BY seq");
  std::vector<TransferLogCheckpoint> checkpoints;
  while (statement.step()) {
    TransferLogCheckpoint& c = checkpoints.emplace_back();
    c.seq = statement.int64(0);
    c.hash = statement.text(1);
    c.time = parse_utc(statement.text(2));
    c.signature = statement.blob(3);
  }
  return checkpoints;
}

void SqliteStore::chain_unchained_entries() {
  // Entries written before the chain existed (schema version 4) get their hashes once, in order,
  // in one transaction, before anything new is appended.
  std::vector<std::int64_t> unchained;
  {
    Statement statement =
        write_.prepare("SELECT seq FROM transfer_log WHERE hash IS NULL ORDER BY seq");
    while (statement.step()) unchained.push_back(statement.int64(0));
  }
  if (unchained.empty()) return;
  Transaction transaction(write_, Transaction::Kind::immediate);
  for (const std::int64_t seq : unchained) chain_transfer(write_, seq);
  transaction.commit();
}

}  // namespace opcat::store::sqlite
