// The durable outbox: every delivery of a consolidated submission to a recipient, from enqueue
// to its receipt (or its dead letter). Kept in the store so that a restart resumes where the
// gateway stopped: due times, attempts and receipts are rows, payloads are files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/submission.hpp"

namespace opcat::store {

// pending: waiting for its due time (or, in pull mode, for the recipient to fetch it);
// delivered: the recipient's signed receipt is stored; failed: the dead letter, until an operator
// re-queues it.
enum class DeliveryState { pending, delivered, failed };
const char* to_string(DeliveryState state);
DeliveryState parse_delivery_state(std::string_view word);  // throws StoreError

// What enqueue needs: the payload is already a file in <data_dir>/outbox/ and already signed.
struct NewDelivery {
  std::string id;         // "dlv_..." (the Idempotency-Key of every attempt)
  std::string recipient;  // [recipients.<name>]
  std::filesystem::path payload;  // <data_dir>/outbox/<id>.<ext>
  std::string sha256;             // hex of the payload bytes
  std::uint64_t size = 0;
  std::string signature;     // detached CMS over the payload bytes, DER
  std::string content_type;  // "application/json", "application/xml"
  std::string metadata_json;  // {"period":..,"format":..,"policy":..}: opaque to the outbox
  Clock::time_point created_at;
};

struct Delivery : NewDelivery {
  DeliveryState state = DeliveryState::pending;
  Clock::time_point due_at;
  Clock::time_point retry_since;  // give_up_after counts from here: enqueue, or the last requeue
  unsigned attempts = 0;
  std::string last_error;
  std::optional<Clock::time_point> delivered_at;
  std::string receipt;            // the recipient's receipt, byte for byte
  std::string receipt_signature;  // its detached CMS signature (DER); empty for folder mode
  std::string failure_reason;     // why it is a dead letter
};

// One try to hand a delivery over (a POST, a folder write, a pull receipt). Recorded with its
// transfer-log entry (direction "out") in one transaction.
struct DeliveryAttempt {
  std::string delivery_id;
  Clock::time_point time;      // when it started
  int http_status = 0;         // 0: no HTTP answer (connection refused, folder mode)
  std::string error;           // empty when it worked
  std::int64_t duration_ms = 0;
};

struct DeliveryQuery {
  std::optional<std::string> recipient;
  std::optional<DeliveryState> state;
  std::size_t limit = 100;
};

// The outbox at a glance, per recipient and state (GET /metrics).
struct DeliveryTotals {
  std::string recipient;
  DeliveryState state = DeliveryState::pending;
  std::uint64_t count = 0;
  Clock::time_point oldest_created;  // the oldest delivery in this state
};

class Outbox {
 public:
  virtual ~Outbox() = default;

  // Durable on return; due at once. Throws StoreError if the id exists.
  virtual void enqueue(const NewDelivery& delivery) = 0;

  // Pending deliveries of these recipients due at `now`, oldest due first, at most `limit`;
  // each is leased until now + lease (not claimed again meanwhile) so that two workers never
  // send the same one at once. A lease outlives a crash only until release_claims().
  virtual std::vector<Delivery> claim_due(const std::vector<std::string>& recipients,
                                          Clock::time_point now, Clock::duration lease,
                                          std::size_t limit) = 0;
  // At start-up, when no worker can hold a lease: every pending delivery may be claimed again.
  virtual void release_claims() = 0;

  // An attempt that did not deliver: it stays pending, due again at next_due.
  virtual void record_retry(const DeliveryAttempt& attempt, Clock::time_point next_due) = 0;
  // Delivered, with the recipient's receipt and its signature. A delivery already delivered
  // stays as it was (false): the first receipt is the one kept.
  virtual bool mark_delivered(const DeliveryAttempt& attempt, std::string_view receipt,
                              std::string_view receipt_signature) = 0;
  // The dead letter: no more attempts until an operator re-queues it.
  virtual void mark_failed(const DeliveryAttempt& attempt, std::string_view reason) = 0;
  // An operator's second chance for a failed delivery: pending, due at `now`, its give-up
  // clock restarted from `now`. False unless it was failed.
  virtual bool requeue(std::string_view id, Clock::time_point now) = 0;

  virtual std::optional<Delivery> get_delivery(std::string_view id) = 0;
  // Newest first.
  virtual std::vector<Delivery> list_deliveries(const DeliveryQuery& query) = 0;
  virtual std::vector<DeliveryAttempt> list_attempts(std::string_view id) = 0;
  virtual std::vector<DeliveryTotals> delivery_totals() = 0;
  // The earliest due time of a pending delivery of these recipients (to know how long to sleep).
  virtual std::optional<Clock::time_point> next_due(const std::vector<std::string>& recipients) = 0;
};

}  // namespace opcat::store
