// The outbox in the embedded store's database (migration 3: deliveries, delivery_attempts).
// It owns no connection: writes are units of the store's group committer, so they never race
// an intake's commit for SQLite's single writer, and reads use the store's read connection.
#pragma once

#include "gateway/store/outbox.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"

namespace opcat::store::sqlite {

class SqliteOutbox final : public Outbox {
 public:
  // `store` must outlive the outbox.
  explicit SqliteOutbox(SqliteStore& store) : store_(store) {}

  void enqueue(const NewDelivery& delivery) override;
  std::vector<Delivery> claim_due(const std::vector<std::string>& recipients, Clock::time_point now,
                                  Clock::duration lease, std::size_t limit) override;
  void release_claims() override;
  void record_retry(const DeliveryAttempt& attempt, Clock::time_point next_due) override;
  bool mark_delivered(const DeliveryAttempt& attempt, std::string_view receipt,
                      std::string_view receipt_signature) override;
  void mark_failed(const DeliveryAttempt& attempt, std::string_view reason) override;
  bool requeue(std::string_view id, Clock::time_point now) override;
  std::optional<Delivery> get_delivery(std::string_view id) override;
  std::vector<Delivery> list_deliveries(const DeliveryQuery& query) override;
  std::vector<DeliveryAttempt> list_attempts(std::string_view id) override;
  std::vector<DeliveryTotals> delivery_totals() override;
  std::optional<Clock::time_point> next_due(const std::vector<std::string>& recipients) override;

 private:
  SqliteStore& store_;
};

}  // namespace opcat::store::sqlite
