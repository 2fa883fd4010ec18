// The SQLite outbox on its own: leases, restart, requeue, queries, and the transfer log written
// with each attempt.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/delivery/delivery_fixture.hpp"

namespace opcat::testing {
namespace {

using namespace std::chrono_literals;
using store::DeliveryState;

class OutboxTest : public DeliveryFixture {
 protected:
  config::Recipient npm_ = push_recipient(1);
};

TEST_F(OutboxTest, AClaimedDeliveryIsLeasedUntilReleased) {
  const auto queued = enqueue(npm_);
  const auto first = outbox_.claim_due({"npm"}, now_, 10min, 10);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].id, queued.id);
  EXPECT_EQ(first[0].sha256, queued.sha256);
  EXPECT_EQ(first[0].signature, queued.signature);
  EXPECT_TRUE(outbox_.claim_due({"npm"}, now_, 10min, 10).empty());  // leased
  EXPECT_TRUE(outbox_.claim_due({"spt"}, now_ + 1h, 10min, 10).empty());  // another recipient's
  EXPECT_EQ(outbox_.claim_due({"npm"}, now_ + 11min, 10min, 10).size(), 1u);  // lease over

  // A restart: the leases of the dead process are released at once.
  outbox_.release_claims();
  EXPECT_EQ(outbox_.claim_due({"npm"}, now_, 10min, 10).size(), 1u);
}

TEST_F(OutboxTest, RetryMovesTheDueTimeAndLogsTheAttempt) {
  const auto queued = enqueue(npm_);
  ASSERT_EQ(outbox_.claim_due({"npm"}, now_, 10min, 10).size(), 1u);
  outbox_.record_retry({queued.id, now_, 503, "HTTP 503", 12}, now_ + 5s);
  const auto waiting = outbox_.get_delivery(queued.id);
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->attempts, 1u);
  EXPECT_EQ(waiting->due_at, now_ + 5s);
  EXPECT_EQ(waiting->last_error, "HTTP 503");
  EXPECT_EQ(outbox_.next_due({"npm"}), now_ + 5s);
  EXPECT_TRUE(outbox_.claim_due({"npm"}, now_ + 4s, 10min, 10).empty());
  EXPECT_EQ(outbox_.claim_due({"npm"}, now_ + 5s, 10min, 10).size(), 1u);
  const auto log = store_.list_transfers({});
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].status, "retry");
  EXPECT_EQ(log[0].http_status, 503);
  EXPECT_EQ(log[0].duration_ms, 12);
}

TEST_F(OutboxTest, FailedThenRequeuedThenDeliveredOnce) {
  const auto queued = enqueue(npm_);
  outbox_.mark_failed({queued.id, now_, 400, "HTTP 400", 3}, "HTTP 400: bad");
  EXPECT_EQ(outbox_.get_delivery(queued.id)->state, DeliveryState::failed);
  EXPECT_TRUE(outbox_.claim_due({"npm"}, now_ + 1h, 10min, 10).empty());
  EXPECT_TRUE(outbox_.requeue(queued.id, now_ + 1h));
  EXPECT_FALSE(outbox_.requeue(queued.id, now_ + 1h));
  const auto requeued = outbox_.get_delivery(queued.id);
  EXPECT_EQ(requeued->state, DeliveryState::pending);
  EXPECT_EQ(requeued->retry_since, now_ + 1h);  // the give-up clock restarts
  EXPECT_TRUE(outbox_.mark_delivered({queued.id, now_ + 1h, 201, "", 5}, "receipt", "sig"));
  EXPECT_FALSE(outbox_.mark_delivered({queued.id, now_ + 2h, 200, "", 5}, "other", "sig2"));
  const auto done = outbox_.get_delivery(queued.id);
  EXPECT_EQ(done->state, DeliveryState::delivered);
  EXPECT_EQ(done->receipt, "receipt");  // the first receipt is the one kept
  EXPECT_EQ(outbox_.list_attempts(queued.id).size(), 2u);
  EXPECT_EQ(store_.list_transfers({}).size(), 2u);
}

TEST_F(OutboxTest, ListsByRecipientAndState) {
  const auto a = enqueue(npm_);
  auto spt = push_recipient(1);
  spt.name = "spt";
  const auto b = enqueue(spt);
  outbox_.mark_failed({b.id, now_, 400, "x", 1}, "x");
  store::DeliveryQuery query;
  EXPECT_EQ(outbox_.list_deliveries(query).size(), 2u);
  query.recipient = "spt";
  ASSERT_EQ(outbox_.list_deliveries(query).size(), 1u);
  EXPECT_EQ(outbox_.list_deliveries(query)[0].id, b.id);
  query.recipient.reset();
  query.state = DeliveryState::pending;
  ASSERT_EQ(outbox_.list_deliveries(query).size(), 1u);
  EXPECT_EQ(outbox_.list_deliveries(query)[0].id, a.id);
  EXPECT_THROW(outbox_.enqueue(a), store::StoreError);  // ids are unique
}

}  // namespace
}  // namespace opcat::testing
