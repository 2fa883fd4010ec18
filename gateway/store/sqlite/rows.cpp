#include "gateway/store/sqlite/rows.hpp"

#include "gateway/store/timestamp.hpp"
#include "gateway/store/transfer_log_chain.hpp"

namespace opcat::store::sqlite {

const std::string kSelectSubmission =
    "SELECT id, member, sha256, size, idempotency_key, received_at, adapter, mapping_version,"
    " status, accepted, rejected, receipt, receipt_signature FROM submissions ";

SubmissionSummary read_submission(const Statement& row) {
  SubmissionSummary s;
  s.id = row.text(0);
  s.member = row.text(1);
  s.sha256 = row.text(2);
  s.size = static_cast<std::uint64_t>(row.int64(3));
  s.idempotency_key = row.optional_text(4);
  s.received_at = parse_utc(row.text(5));
  s.adapter = row.text(6);
  s.mapping_version = row.text(7);
  s.status = parse_submission_status(row.text(8));
  s.accepted = static_cast<std::uint64_t>(row.int64(9));
  s.rejected = static_cast<std::uint64_t>(row.int64(10));
  s.receipt_json = row.text(11);
  s.receipt_signature = row.blob(12);
  return s;
}

void insert_submission(Connection& connection, const SubmissionSummary& s) {
  Statement statement = connection.prepare(
      "INSERT INTO submissions (id, member, sha256, size, idempotency_key, received_at, adapter,"
      " mapping_version, status, accepted, rejected, receipt, receipt_signature)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  statement.bind(1, s.id)
      .bind(2, s.member)
      .bind(3, s.sha256)
      .bind(4, static_cast<std::int64_t>(s.size))
      .bind_optional(5, s.idempotency_key)
      .bind(6, format_utc(s.received_at))
      .bind(7, s.adapter)
      .bind(8, s.mapping_version)
      .bind(9, to_string(s.status))
      .bind(10, static_cast<std::int64_t>(s.accepted))
      .bind(11, static_cast<std::int64_t>(s.rejected))
      .bind(12, s.receipt_json)
      .bind_blob_or_null(13, s.receipt_signature)
      .run();
}

std::optional<SubmissionSummary> find_same_body_or_key(Connection& connection,
                                                       std::string_view member,
                                                       std::string_view sha256,
                                                       const std::optional<std::string>& key) {
  Statement statement = connection.prepare(
      kSelectSubmission +
      "WHERE member = ?1 AND (sha256 = ?2 OR (?3 IS NOT NULL AND idempotency_key = ?3))"
      " LIMIT 1");
  statement.bind(1, member).bind(2, sha256).bind_optional(3, key);
  if (!statement.step()) return std::nullopt;
  return read_submission(statement);
}

const std::string kSelectTransfer =
    "SELECT seq, time, direction, member, recipient, submission_id, delivery_id, bytes, records,"
    " status, http_status, duration_ms, error, prev_hash, hash FROM transfer_log ";

TransferLogEntry read_transfer(const Statement& row) {
  TransferLogEntry e;
  e.seq = row.int64(0);
  e.time = parse_utc(row.text(1));
  e.direction = row.text(2) == "out" ? TransferDirection::out : TransferDirection::in;
  e.member = row.text(3);
  e.recipient = row.text(4);
  e.submission_id = row.text(5);
  e.delivery_id = row.text(6);
  e.bytes = static_cast<std::uint64_t>(row.int64(7));
  e.records = static_cast<std::uint64_t>(row.int64(8));
  e.status = row.text(9);
  e.http_status = static_cast<int>(row.int64(10));
  e.duration_ms = row.int64(11);
  e.error = row.text(12);
  e.prev_hash = row.text(13);
  e.hash = row.text(14);
  return e;
}

std::int64_t insert_transfer(Connection& connection, const TransferLogEntry& e) {
  Statement statement = connection.prepare(
      "INSERT INTO transfer_log (time, direction, member, recipient, submission_id, delivery_id,"
      " bytes, records, status, http_status, duration_ms, error)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING seq");
  statement.bind(1, format_utc(e.time))
      .bind(2, to_string(e.direction))
      .bind_or_null(3, e.member)
      .bind_or_null(4, e.recipient)
      .bind_or_null(5, e.submission_id)
      .bind_or_null(6, e.delivery_id)
      .bind(7, static_cast<std::int64_t>(e.bytes))
      .bind(8, static_cast<std::int64_t>(e.records))
      .bind(9, e.status);
  if (e.http_status != 0) {
    statement.bind(10, std::int64_t{e.http_status});
  } else {
    statement.bind_null(10);
  }
  statement.bind(11, e.duration_ms).bind_or_null(12, e.error);
  if (!statement.step()) throw StoreError("INSERT INTO transfer_log returned no seq");
  const std::int64_t seq = statement.int64(0);
  statement.step();  // finish the statement so the row is written before COMMIT
  chain_transfer(connection, seq);
  return seq;
}

void chain_transfer(Connection& connection, std::int64_t seq) {
  // Inside the writer's transaction: no other entry can come between the read and the update.
  std::string prev_hash(kGenesisHash);
  {
    Statement before = connection.prepare(
        "SELECT hash FROM transfer_log WHERE seq < ?1 ORDER BY seq DESC LIMIT 1");
    before.bind(1, seq);
    if (before.step()) prev_hash = before.text(0);
  }
  Statement read = connection.prepare(kSelectTransfer + "WHERE seq = ?1");
  read.bind(1, seq);
  if (!read.step()) throw StoreError("transfer log entry " + std::to_string(seq) + " vanished");
  TransferLogEntry stored = read_transfer(read);
  stored.prev_hash = prev_hash;
  Statement update =
      connection.prepare("UPDATE transfer_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3");
  update.bind(1, prev_hash).bind(2, transfer_entry_hash(stored)).bind(3, seq).run();
}

std::string transfer_query_sql(const TransferQuery& query) {
  // Without statistics SQLite rates every equality alike and takes the index created last. The
  // most selective filter set leads instead (member or recipient, then status, then direction:
  // two values); a unary + keeps the others off their indexes, so they only sift its rows.
  const bool by_party = query.member || query.recipient;
  const bool by_status = query.status.has_value();
  std::string sql = kSelectTransfer + "WHERE seq > ?1";
  if (query.member) sql += " AND member = ?3";
  if (query.recipient) sql += " AND recipient = ?5";
  if (by_status) sql += by_party ? " AND +status = ?4" : " AND status = ?4";
  if (query.direction) {
    sql += by_party || by_status ? " AND +direction = ?6" : " AND direction = ?6";
  }
  if (query.before_seq) sql += " AND seq < ?7";
  // seq is the rowid, which every index ends with: either order is read off the index used.
  return sql + (query.newest_first ? " ORDER BY seq DESC LIMIT ?2" : " ORDER BY seq LIMIT ?2");
}

// received_at is format_utc text: its first ten characters are the UTC date, and the range on it
// is read off the index submissions_received.
const std::string kSelectRecordsPerDay =
    "SELECT substr(received_at, 1, 10) AS day, member,"
    " sum(CASE WHEN status = 'rejected' THEN 0 ELSE accepted END),"
    " sum(CASE WHEN status = 'rejected' THEN accepted + rejected ELSE rejected END), count(*)"
    " FROM submissions WHERE received_at >= ?1 GROUP BY day, member ORDER BY day, member";

const std::string kSelectOperatorAccount =
    "SELECT name, display_name, role, password_hash, created_at, created_by, disabled_at"
    " FROM operator_accounts ";

OperatorAccount read_operator_account(const Statement& row) {
  OperatorAccount a;
  a.name = row.text(0);
  a.display_name = row.text(1);
  a.role = row.text(2);
  a.password_hash = row.text(3);
  a.created_at = parse_utc(row.text(4));
  a.created_by = row.text(5);
  if (const auto disabled = row.optional_text(6)) a.disabled_at = parse_utc(*disabled);
  return a;
}

}  // namespace opcat::store::sqlite

namespace opcat::store::sqlite {

// Three steps. `keyed`: each accepted record of a non-rejected submission with the key that says
// which records are versions of one another (its id; for the id-less types the fields that
// identify them; otherwise the row itself, so it is never superseded). `current`: rank() keeps,
// per member, type and key, the versions of the most recent submission (all of them, should that
// submission hold the key twice). Then the period filter, after the ranking: a visit re-pushed
// with another date leaves the period with its new version, not its old. JSON1 reads the dates
// from the bodies; SQLite's sorter spills to temporary files, so no step needs the records in
// memory.
const std::string kSelectCurrentRecords = R"sql(
WITH keyed AS (
  SELECT r.submission_id, r.seq, s.member, s.received_at, r.record_type, r.record_id, r.body,
    coalesce(r.record_id, CASE r.record_type
      WHEN 'population' THEN
        json_extract(r.body, '$.place') || ' ' || json_extract(r.body, '$.date')
      WHEN 'indicator' THEN
        json_extract(r.body, '$.place') || ' ' || json_extract(r.body, '$.indicator') || ' ' ||
        json_extract(r.body, '$.period_start') || ' ' || json_extract(r.body, '$.period_end')
      ELSE r.submission_id || ' ' || r.seq END) AS version_key
  FROM records r JOIN submissions s ON s.id = r.submission_id
  WHERE s.status <> 'rejected'
),
current AS (
  SELECT *, rank() OVER (PARTITION BY member, record_type, version_key
                         ORDER BY received_at DESC, submission_id DESC) AS newness
  FROM keyed
)
SELECT submission_id, member, record_type, record_id, body FROM current
WHERE newness = 1 AND (?1 IS NULL OR CASE record_type
  WHEN 'visit' THEN json_extract(body, '$.start_date') BETWEEN ?1 AND ?2
  WHEN 'population' THEN json_extract(body, '$.date') BETWEEN ?1 AND ?2
  WHEN 'indicator' THEN json_extract(body, '$.period_start') <= ?2
                    AND json_extract(body, '$.period_end') >= ?1
  ELSE 1 END)
ORDER BY
  CASE record_type WHEN 'place' THEN 1 WHEN 'visit' THEN 2 WHEN 'recommendation' THEN 3
                   WHEN 'population' THEN 4 ELSE 5 END,
  CASE record_type WHEN 'visit' THEN json_extract(body, '$.start_date')
                   WHEN 'population' THEN json_extract(body, '$.date')
                   WHEN 'indicator' THEN json_extract(body, '$.period_start') ELSE '' END,
  member,
  CASE record_type WHEN 'recommendation' THEN json_extract(body, '$.visit_id') ELSE '' END,
  version_key, submission_id, seq
)sql";

}  // namespace opcat::store::sqlite
