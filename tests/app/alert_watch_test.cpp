// Alerts against a real SQLite store and outbox, on a clock the test sets: each condition is
// raised once however often it is evaluated, cleared once when it ends, and a restart (a new
// watch on the same store) neither repeats nor forgets one.
#include <gtest/gtest.h>

#include "gateway/app/alert_watch.hpp"
#include "gateway/store/sqlite/sqlite_outbox.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/store/store_fixture.hpp"

namespace opcat::app {
namespace {

using namespace std::chrono_literals;
using store::testing::at_second;
using store::testing::completion;
using store::testing::new_submission;
using Verdict = adapters::Outcome::Verdict;

const store::Clock::time_point kStart = at_second(1'760'000'000);

class AlertWatchTest : public ::testing::Test {
 protected:
  AlertWatchTest() : store_(dir_.path()), outbox_(store_) {
    config::Member hmip{"hmip", "HM Inspectorate of Prisons (synthetic)", {"hmip", {}}, 24h};
    config::Member icva{"icva", "ICVA (synthetic)", {"icva", {}}, {}};  // not watched
    config_.members.emplace("hmip", hmip);
    config_.members.emplace("icva", icva);
    config_.alerts.outbox_age = 60min;
  }

  void push(const std::string& member, const std::string& body, store::Clock::time_point when) {
    store::NewSubmission header = new_submission(member, body);
    header.received_at = when;
    store_.begin_submission(header)->commit(completion(Verdict::complete, 1, 0));
  }

  store::Delivery enqueue(const std::string& id, store::Clock::time_point when) {
    store::NewDelivery d;
    d.id = id;
    d.recipient = "spt";
    d.payload = dir_.path() / (id + ".json");
    d.sha256 = std::string(64, '0');
    d.signature = "sig";
    d.content_type = "application/json";
    d.metadata_json = "{}";
    d.created_at = when;
    outbox_.enqueue(d);
    return outbox_.get_delivery(id).value();
  }

  std::vector<std::string> active() {
    std::vector<std::string> keys;
    for (const auto& a : store_.list_alerts(true, 100)) keys.push_back(a.key);
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  opcat::testing::TempDir dir_{"opcat-alerts"};
  store::sqlite::SqliteStore store_;
  store::sqlite::SqliteOutbox outbox_;
  config::Config config_;
};

TEST_F(AlertWatchTest, AnOverdueMemberIsRaisedOnceAndClearedOnceByItsNextPush) {
  AlertWatch watch(store_, outbox_, config_);
  // hmip has never pushed: overdue at once; icva is not watched.
  EXPECT_EQ(watch.evaluate(kStart), 1u);
  EXPECT_EQ(active(), std::vector<std::string>{"member_overdue:hmip"});
  EXPECT_EQ(watch.evaluate(kStart + 1min), 0u) << "still overdue: not raised again";

  push("hmip", "export 1", kStart + 2min);
  EXPECT_EQ(watch.evaluate(kStart + 3min), 1u);
  EXPECT_TRUE(active().empty());
  EXPECT_EQ(watch.evaluate(kStart + 4min), 0u);

  // 24 hours without a push: raised again, as a new alert; the first stays in the history.
  EXPECT_EQ(watch.evaluate(kStart + 2min + 24h + 1s), 1u);
  const auto all = store_.list_alerts(false, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_FALSE(all[0].cleared_at.has_value());
  EXPECT_TRUE(all[1].cleared_at.has_value());
  EXPECT_NE(all[0].message.find("has not pushed since"), std::string::npos) << all[0].message;
}

TEST_F(AlertWatchTest, AFailedDeliveryIsRaisedUntilItIsRequeued) {
  push("hmip", "export 1", kStart);
  AlertWatch watch(store_, outbox_, config_);
  const auto d = enqueue("dlv_failing", kStart);
  outbox_.mark_failed({d.id, kStart, 400, "HTTP 400", 5}, "HTTP 400: payload_invalid");
  EXPECT_EQ(watch.evaluate(kStart + 1min), 1u);
  EXPECT_EQ(active(), std::vector<std::string>{"delivery_failed:dlv_failing"});
  const auto alert = store_.list_alerts(true, 1).at(0);
  EXPECT_NE(alert.message.find("payload_invalid"), std::string::npos) << alert.message;

  // A restart: a new watch on the same store raises nothing twice.
  AlertWatch after_restart(store_, outbox_, config_);
  EXPECT_EQ(after_restart.evaluate(kStart + 2min), 0u);

  ASSERT_TRUE(outbox_.requeue(d.id, kStart + 3min));
  EXPECT_EQ(after_restart.evaluate(kStart + 3min), 1u);
  EXPECT_TRUE(active().empty());
}

TEST_F(AlertWatchTest, AnOldOutboxIsRaisedOverTheThresholdAndClearedWhenItEmpties) {
  push("hmip", "export 1", kStart);
  AlertWatch watch(store_, outbox_, config_);
  const auto d = enqueue("dlv_waiting", kStart);
  EXPECT_EQ(watch.evaluate(kStart + 59min), 0u);
  EXPECT_EQ(watch.evaluate(kStart + 61min), 1u);
  EXPECT_EQ(active(), std::vector<std::string>{"outbox_age:spt"});
  EXPECT_EQ(watch.evaluate(kStart + 90min), 0u);
  ASSERT_TRUE(outbox_.mark_delivered({d.id, kStart + 91min, 201, "", 10}, "{}", "sig"));
  EXPECT_EQ(watch.evaluate(kStart + 92min), 1u);
  EXPECT_TRUE(active().empty());
}

TEST_F(AlertWatchTest, TheWebhookIsToldOfEachRaiseAndEachClearOnce) {
  std::vector<std::pair<std::string, bool>> told;
  AlertWatch watch(store_, outbox_, config_, [&](const store::Alert& alert, bool raised) {
    told.emplace_back(alert.key, raised);
    EXPECT_EQ(alert.cleared_at.has_value(), !raised);
  });
  watch.evaluate(kStart);
  watch.evaluate(kStart + 1min);
  push("hmip", "export 1", kStart + 2min);
  watch.evaluate(kStart + 3min);
  watch.evaluate(kStart + 4min);
  const std::vector<std::pair<std::string, bool>> expected = {{"member_overdue:hmip", true},
                                                              {"member_overdue:hmip", false}};
  EXPECT_EQ(told, expected);
}

}  // namespace
}  // namespace opcat::app
