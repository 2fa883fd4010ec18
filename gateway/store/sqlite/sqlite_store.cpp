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
  Statement statement =
      read_.prepare(transfer_query_sql(query.member.has_value(), query.status.has_value()));
  statement.bind(1, query.after_seq).bind(2, as_limit(query.limit));
  if (query.member) statement.bind(3, std::string_view(*query.member));
  if (query.status) statement.bind(4, std::string_view(*query.status));
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
