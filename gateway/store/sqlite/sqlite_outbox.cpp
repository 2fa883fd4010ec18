#include "gateway/store/sqlite/sqlite_outbox.hpp"

#include <sqlite3.h>

#include <algorithm>

#include "gateway/store/sqlite/rows.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::store {

const char* to_string(DeliveryState state) {
  switch (state) {
    case DeliveryState::pending:
      return "pending";
    case DeliveryState::delivered:
      return "delivered";
    case DeliveryState::failed:
      return "failed";
  }
  return "unknown";
}

DeliveryState parse_delivery_state(std::string_view word) {
  if (word == "pending") return DeliveryState::pending;
  if (word == "delivered") return DeliveryState::delivered;
  if (word == "failed") return DeliveryState::failed;
  throw StoreError("unknown delivery state \"" + std::string(word) + "\"");
}

namespace sqlite {
namespace {

const std::string kSelectDelivery =
    "SELECT id, recipient, payload_path, sha256, size, signature, content_type, metadata,"
    " created_at, state, due_at, retry_since, attempts, last_error, delivered_at, receipt,"
    " receipt_signature, failure_reason FROM deliveries ";

Delivery read_delivery(const Statement& row) {
  Delivery d;
  d.id = row.text(0);
  d.recipient = row.text(1);
  d.payload = row.text(2);
  d.sha256 = row.text(3);
  d.size = static_cast<std::uint64_t>(row.int64(4));
  d.signature = row.blob(5);
  d.content_type = row.text(6);
  d.metadata_json = row.text(7);
  d.created_at = parse_utc(row.text(8));
  d.state = parse_delivery_state(row.text(9));
  d.due_at = parse_utc(row.text(10));
  d.retry_since = parse_utc(row.text(11));
  d.attempts = static_cast<unsigned>(row.int64(12));
  d.last_error = row.optional_text(13).value_or("");
  if (auto at = row.optional_text(14)) d.delivered_at = parse_utc(*at);
  d.receipt = row.blob(15);
  d.receipt_signature = row.blob(16);
  d.failure_reason = row.optional_text(17).value_or("");
  return d;
}

// "?5, ?6, ?7": one parameter per recipient, so the query uses deliveries_due.
std::string placeholders(std::size_t count, int first) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) text += ", ";
    text += "?" + std::to_string(first + static_cast<int>(i));
  }
  return text;
}

// The attempt row, the delivery's counters and the transfer-log entry: always together, in the
// caller's unit (one savepoint), so the log never claims an attempt the outbox does not know.
// Returns false, writing nothing, if the delivery does not exist.
bool write_attempt(Connection& connection, const DeliveryAttempt& attempt,
                   std::string_view outcome) {
  std::string recipient;
  std::uint64_t size = 0;
  std::int64_t seq = 0;
  {
    Statement row = connection.prepare("SELECT recipient, size, attempts FROM deliveries WHERE id = ?1");
    row.bind(1, attempt.delivery_id);
    if (!row.step()) return false;
    recipient = row.text(0);
    size = static_cast<std::uint64_t>(row.int64(1));
    seq = row.int64(2) + 1;
  }
  connection
      .prepare(
          "INSERT INTO delivery_attempts (delivery_id, seq, time, http_status, error, duration_ms)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      .bind(1, attempt.delivery_id)
      .bind(2, seq)
      .bind(3, format_utc(attempt.time))
      .bind(4, std::int64_t{attempt.http_status})
      .bind_or_null(5, attempt.error)
      .bind(6, attempt.duration_ms)
      .run();
  connection
      .prepare("UPDATE deliveries SET attempts = ?2, last_error = ?3, claimed_until = NULL WHERE id = ?1")
      .bind(1, attempt.delivery_id)
      .bind(2, seq)
      .bind_or_null(3, attempt.error)
      .run();
  TransferLogEntry entry;
  entry.time = attempt.time;
  entry.direction = TransferDirection::out;
  entry.recipient = recipient;
  entry.delivery_id = attempt.delivery_id;
  entry.bytes = size;
  entry.status = std::string(outcome);
  entry.http_status = attempt.http_status;
  entry.duration_ms = attempt.duration_ms;
  entry.error = attempt.error;
  insert_transfer(connection, entry);
  return true;
}

}  // namespace

void SqliteOutbox::enqueue(const NewDelivery& d) {
  store_.run_write(d.signature.size() + d.metadata_json.size(), [&](Connection& connection) {
    const std::string created = format_utc(d.created_at);
    connection
        .prepare(
            "INSERT INTO deliveries (id, recipient, payload_path, sha256, size, signature,"
            " content_type, metadata, created_at, state, due_at, retry_since)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?9, ?9)")
        .bind(1, d.id)
        .bind(2, d.recipient)
        .bind(3, d.payload.string())
        .bind(4, d.sha256)
        .bind(5, static_cast<std::int64_t>(d.size))
        .bind_blob_or_null(6, d.signature)
        .bind(7, d.content_type)
        .bind(8, d.metadata_json)
        .bind(9, created)
        .run();
  });
}

std::vector<Delivery> SqliteOutbox::claim_due(const std::vector<std::string>& recipients,
                                              Clock::time_point now, Clock::duration lease,
                                              std::size_t limit) {
  std::vector<Delivery> claimed;
  if (recipients.empty() || limit == 0) return claimed;
  // Select and lease in one write unit: nothing can claim the same rows in between.
  store_.run_write(0, [&](Connection& connection) {
    claimed.clear();
    const std::string now_text = format_utc(now);
    Statement select = connection.prepare(
        kSelectDelivery +
        "WHERE state = 'pending' AND due_at <= ?1 AND (claimed_until IS NULL OR claimed_until <= ?1)"
        " AND recipient IN (" + placeholders(recipients.size(), 3) + ") ORDER BY due_at, id LIMIT ?2");
    select.bind(1, now_text).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 10'000)));
    for (std::size_t i = 0; i < recipients.size(); ++i) {
      select.bind(3 + static_cast<int>(i), recipients[i]);
    }
    while (select.step()) claimed.push_back(read_delivery(select));
    const std::string until = format_utc(now + lease);
    for (const Delivery& d : claimed) {
      connection.prepare("UPDATE deliveries SET claimed_until = ?2 WHERE id = ?1")
          .bind(1, d.id)
          .bind(2, until)
          .run();
    }
  });
  return claimed;
}

void SqliteOutbox::release_claims() {
  store_.run_write(0, [](Connection& connection) {
    connection.exec("UPDATE deliveries SET claimed_until = NULL WHERE claimed_until IS NOT NULL");
  });
}

void SqliteOutbox::record_retry(const DeliveryAttempt& attempt, Clock::time_point next_due) {
  store_.run_write(0, [&](Connection& connection) {
    if (!write_attempt(connection, attempt, "retry")) {
      throw StoreError("no delivery " + attempt.delivery_id);
    }
    connection.prepare("UPDATE deliveries SET due_at = ?2 WHERE id = ?1 AND state = 'pending'")
        .bind(1, attempt.delivery_id)
        .bind(2, format_utc(next_due))
        .run();
  });
}

bool SqliteOutbox::mark_delivered(const DeliveryAttempt& attempt, std::string_view receipt,
                                  std::string_view receipt_signature) {
  bool changed = false;
  store_.run_write(receipt.size() + receipt_signature.size(), [&](Connection& connection) {
    changed = false;
    {
      Statement state = connection.prepare("SELECT state FROM deliveries WHERE id = ?1");
      state.bind(1, attempt.delivery_id);
      if (!state.step()) throw StoreError("no delivery " + attempt.delivery_id);
      if (state.text(0) == "delivered") return;
    }
    write_attempt(connection, attempt, "delivered");
    connection
        .prepare(
            "UPDATE deliveries SET state = 'delivered', delivered_at = ?2, receipt = ?3,"
            " receipt_signature = ?4, failure_reason = NULL WHERE id = ?1")
        .bind(1, attempt.delivery_id)
        .bind(2, format_utc(attempt.time))
        .bind_blob_or_null(3, receipt)
        .bind_blob_or_null(4, receipt_signature)
        .run();
    changed = true;
  });
  return changed;
}

void SqliteOutbox::mark_failed(const DeliveryAttempt& attempt, std::string_view reason) {
  store_.run_write(0, [&](Connection& connection) {
    if (!write_attempt(connection, attempt, "failed")) {
      throw StoreError("no delivery " + attempt.delivery_id);
    }
    connection
        .prepare(
            "UPDATE deliveries SET state = 'failed', failure_reason = ?2"
            " WHERE id = ?1 AND state = 'pending'")
        .bind(1, attempt.delivery_id)
        .bind(2, reason)
        .run();
  });
}

bool SqliteOutbox::requeue(std::string_view id, Clock::time_point now) {
  bool changed = false;
  store_.run_write(0, [&](Connection& connection) {
    const std::string now_text = format_utc(now);
    connection
        .prepare(
            "UPDATE deliveries SET state = 'pending', due_at = ?2, retry_since = ?2,"
            " claimed_until = NULL, failure_reason = NULL WHERE id = ?1 AND state = 'failed'")
        .bind(1, id)
        .bind(2, now_text)
        .run();
    changed = sqlite3_changes(connection.handle()) > 0;
  });
  return changed;
}

std::optional<Delivery> SqliteOutbox::get_delivery(std::string_view id) {
  return store_.run_read([&](Connection& read) -> std::optional<Delivery> {
    Statement row = read.prepare(kSelectDelivery + "WHERE id = ?1");
    row.bind(1, id);
    if (!row.step()) return std::nullopt;
    return read_delivery(row);
  });
}

std::vector<Delivery> SqliteOutbox::list_deliveries(const DeliveryQuery& query) {
  return store_.run_read([&](Connection& read) {
    // One statement per filter combination, as for the transfer log, so the indexes are used.
    std::string where;
    if (query.recipient) where += "recipient = ?2";
    if (query.state) where += std::string(where.empty() ? "" : " AND ") + "state = ?3";
    Statement rows = read.prepare(kSelectDelivery + (where.empty() ? "" : "WHERE " + where) +
                                  " ORDER BY created_at DESC, id DESC LIMIT ?1");
    rows.bind(1, static_cast<std::int64_t>(std::min<std::size_t>(query.limit, 10'000)));
    if (query.recipient) rows.bind(2, std::string_view(*query.recipient));
    if (query.state) rows.bind(3, std::string_view(to_string(*query.state)));
    std::vector<Delivery> deliveries;
    while (rows.step()) deliveries.push_back(read_delivery(rows));
    return deliveries;
  });
}

std::vector<DeliveryTotals> SqliteOutbox::delivery_totals() {
  return store_.run_read([&](Connection& read) {
    Statement rows = read.prepare(
        "SELECT recipient, state, count(*), min(created_at) FROM deliveries"
        " GROUP BY recipient, state ORDER BY recipient, state");
    std::vector<DeliveryTotals> totals;
    while (rows.step()) {
      DeliveryTotals& t = totals.emplace_back();
      t.recipient = rows.text(0);
      t.state = parse_delivery_state(rows.text(1));
      t.count = static_cast<std::uint64_t>(rows.int64(2));
      t.oldest_created = parse_utc(rows.text(3));
    }
    return totals;
  });
}

std::vector<DeliveryAttempt> SqliteOutbox::list_attempts(std::string_view id) {
  return store_.run_read([&](Connection& read) {
    Statement rows = read.prepare(
        "SELECT time, http_status, error, duration_ms FROM delivery_attempts"
        " WHERE delivery_id = ?1 ORDER BY seq");
    rows.bind(1, id);
    std::vector<DeliveryAttempt> attempts;
    while (rows.step()) {
      DeliveryAttempt& a = attempts.emplace_back();
      a.delivery_id = std::string(id);
      a.time = parse_utc(rows.text(0));
      a.http_status = static_cast<int>(rows.int64(1));
      a.error = rows.optional_text(2).value_or("");
      a.duration_ms = rows.int64(3);
    }
    return attempts;
  });
}

std::optional<Clock::time_point> SqliteOutbox::next_due(const std::vector<std::string>& recipients) {
  if (recipients.empty()) return std::nullopt;
  return store_.run_read([&](Connection& read) -> std::optional<Clock::time_point> {
    // A leased delivery is due again when its lease ends, if its attempt never reported back.
    Statement row = read.prepare(
        "SELECT min(max(due_at, coalesce(claimed_until, due_at))) FROM deliveries"
        " WHERE state = 'pending' AND recipient IN (" + placeholders(recipients.size(), 1) + ")");
    for (std::size_t i = 0; i < recipients.size(); ++i) {
      row.bind(1 + static_cast<int>(i), recipients[i]);
    }
    if (!row.step()) return std::nullopt;
    auto text = row.optional_text(0);
    if (!text) return std::nullopt;
    return parse_utc(*text);
  });
}

}  // namespace sqlite
}  // namespace opcat::store
