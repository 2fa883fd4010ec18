// One crossing of the gateway's boundary (an intake, a delivery attempt, an operator action):
// the transfer log is what the operator console and the audit are built on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "gateway/store/submission.hpp"

namespace opcat::store {

enum class TransferDirection { in, out };

const char* to_string(TransferDirection direction);

// Empty strings and zero http_status are stored as NULL: "not applicable" for this crossing.
struct TransferLogEntry {
  std::int64_t seq = 0;  // assigned by the store on append; strictly increasing
  Clock::time_point time;
  TransferDirection direction = TransferDirection::in;
  std::string member;     // the member who sent (in)
  std::string recipient;  // the recipient delivered to (out)
  std::string submission_id;
  std::string delivery_id;
  std::uint64_t bytes = 0;
  std::uint64_t records = 0;
  std::string status;  // "complete", "partial", "rejected", "delivered", "failed", ...
  int http_status = 0;
  std::int64_t duration_ms = 0;
  std::string error;
  // The hash chain (transfer_log_chain.hpp), set by the store on append: the previous entry's
  // hash, and this entry's, over its content and that previous hash.
  std::string prev_hash;
  std::string hash;
};

// A signed statement of the chain's head: "the log up to seq had this hash". Written by the
// gateway every few minutes and at shutdown; an attacker who rewrites the log, even recomputing
// every hash, cannot sign a new one.
struct TransferLogCheckpoint {
  std::int64_t seq = 0;
  std::string hash;
  Clock::time_point time;
  std::string signature;  // detached CMS (DER) over checkpoint_text(), by the signing certificate
};

// A condition operators are told about: raised once when it arises, cleared once when it ends
// (never raised again while active: no floods). `key` names the condition and its subject
// ("delivery_failed:dlv_...", "member_overdue:hmip", "outbox_age:spt").
struct Alert {
  std::int64_t id = 0;  // assigned by the store
  std::string key;
  std::string kind;     // delivery_failed, member_overdue, outbox_age
  std::string subject;  // the delivery, member or recipient
  std::string message;
  Clock::time_point raised_at;
  std::optional<Clock::time_point> cleared_at;
};

// A page of the transfer log, optionally filtered: oldest first, paged on with after_seq, or
// newest first, paged on with before_seq. Every filter is an index lookup (sqlite/rows.hpp).
// Every field has a default so that designated initialisers may name only the ones they set
// (-Wmissing-field-initializers); fields are added at the end.
struct TransferQuery {
  std::int64_t after_seq = 0;  // only seq > after_seq: the last seq of the previous page
  std::optional<std::string> member = std::nullopt;
  std::optional<std::string> status = std::nullopt;
  std::size_t limit = 100;
  std::optional<std::string> recipient = std::nullopt;
  std::optional<TransferDirection> direction = std::nullopt;
  bool newest_first = false;
  // Only seq < before_seq: the last (oldest) seq of the previous newest-first page.
  std::optional<std::int64_t> before_seq = std::nullopt;
};

}  // namespace opcat::store
