// The transfer log: intake's own entry in the submission's transaction, other crossings
// appended directly, and the indexes the console's filters rely on.
#include <vector>

#include "gateway/store/sqlite/rows.hpp"
#include "tests/store/store_fixture.hpp"

namespace opcat::store::testing {
namespace {

using Verdict = adapters::Outcome::Verdict;

TEST_F(StoreTest, ASubmissionsCommitAppendsItsInEntry) {
  const auto committed = submit("hmip", "logged body", 4, 1);
  const auto entries = store_->list_transfers(TransferQuery{
      .after_seq = 0, .member = "hmip", .status = std::nullopt, .limit = 10});
  ASSERT_EQ(entries.size(), 1u);
  const auto& e = entries[0];
  EXPECT_GT(e.seq, 0);
  EXPECT_EQ(e.direction, TransferDirection::in);
  EXPECT_EQ(e.member, "hmip");
  EXPECT_EQ(e.recipient, "");
  EXPECT_EQ(e.submission_id, committed.id);
  EXPECT_EQ(e.bytes, std::string_view("logged body").size());
  EXPECT_EQ(e.records, 4u);
  EXPECT_EQ(e.status, "partial");
  EXPECT_EQ(e.http_status, 202);
  EXPECT_GE(e.duration_ms, 0);
  EXPECT_EQ(e.error, "");
}

TEST_F(StoreTest, ARolledBackSubmissionLogsNothing) {
  {
    auto writer = store_->begin_submission(new_submission("hmip", "never acknowledged"));
    writer->add_record(place_record("hmip:P1"));
  }
  EXPECT_TRUE(store_->list_transfers(TransferQuery{}).empty());
  EXPECT_EQ(count_rows(dir_.path(), "transfer_log"), 0);
}

TEST_F(StoreTest, ARejectedSubmissionIsLoggedWithItsReason) {
  auto writer = store_->begin_submission(new_submission("hmip", "rejected body"));
  writer->add_error(record_error(2));
  writer->commit(completion(Verdict::rejected, 0, 1));
  const auto entries = store_->list_transfers(TransferQuery{});
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].status, "rejected");
  EXPECT_EQ(entries[0].http_status, 422);
  EXPECT_EQ(entries[0].error, "over the error budget");
}

TEST_F(StoreTest, AppendsAndFiltersOtherCrossings) {
  submit("hmip", "in", 1, 0);
  TransferLogEntry delivery;
  delivery.time = at_second(1'714'000'100);
  delivery.direction = TransferDirection::out;
  delivery.recipient = "spt";
  delivery.delivery_id = "del_1";
  delivery.bytes = 2048;
  delivery.records = 12;
  delivery.status = "failed";
  delivery.http_status = 503;
  delivery.duration_ms = 1500;
  delivery.error = "recipient unavailable";
  const auto first = store_->append_transfer(delivery);
  delivery.status = "delivered";
  delivery.http_status = 200;
  delivery.error.clear();
  const auto second = store_->append_transfer(delivery);
  EXPECT_LT(first, second);

  const auto failed = store_->list_transfers(TransferQuery{
      .after_seq = 0, .member = std::nullopt, .status = "failed", .limit = 10});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].seq, first);
  EXPECT_EQ(failed[0].time, at_second(1'714'000'100));
  EXPECT_EQ(failed[0].direction, TransferDirection::out);
  EXPECT_EQ(failed[0].member, "");
  EXPECT_EQ(failed[0].recipient, "spt");
  EXPECT_EQ(failed[0].delivery_id, "del_1");
  EXPECT_EQ(failed[0].bytes, 2048u);
  EXPECT_EQ(failed[0].records, 12u);
  EXPECT_EQ(failed[0].duration_ms, 1500);
  EXPECT_EQ(failed[0].error, "recipient unavailable");

  EXPECT_EQ(store_->list_transfers(TransferQuery{}).size(), 3u);
  const auto after = store_->list_transfers(TransferQuery{
      .after_seq = first, .member = std::nullopt, .status = std::nullopt, .limit = 10});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].seq, second);
}

TransferLogEntry delivery_to(const std::string& recipient, const std::string& status) {
  TransferLogEntry entry;
  entry.time = at_second(1'714'000'200);
  entry.direction = TransferDirection::out;
  entry.recipient = recipient;
  entry.status = status;
  return entry;
}

TEST_F(StoreTest, FiltersTransfersByRecipientAndDirection) {
  submit("hmip", "in", 1, 0);
  const auto to_spt = store_->append_transfer(delivery_to("spt", "delivered"));
  store_->append_transfer(delivery_to("npm", "delivered"));

  const auto spt = store_->list_transfers(TransferQuery{.recipient = "spt"});
  ASSERT_EQ(spt.size(), 1u);
  EXPECT_EQ(spt[0].seq, to_spt);

  const auto out = store_->list_transfers(TransferQuery{.direction = TransferDirection::out});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].recipient, "spt");
  EXPECT_EQ(out[1].recipient, "npm");
  const auto in = store_->list_transfers(TransferQuery{.direction = TransferDirection::in});
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].member, "hmip");

  // Filters combine.
  EXPECT_TRUE(
      store_->list_transfers(TransferQuery{.recipient = "spt", .direction = TransferDirection::in})
          .empty());
}

TEST_F(StoreTest, PagesNewestFirstWithBeforeSeqWithoutRepeatOrSkip) {
  std::vector<std::int64_t> appended;
  for (int i = 0; i < 7; ++i) {
    appended.push_back(store_->append_transfer(delivery_to("spt", "delivered")));
    store_->append_transfer(delivery_to("npm", "delivered"));  // filtered out below
  }
  std::vector<std::int64_t> seen;
  TransferQuery page{.limit = 3, .recipient = "spt", .newest_first = true};
  for (int pages = 0; pages < 10; ++pages) {
    const auto entries = store_->list_transfers(page);
    if (entries.empty()) break;
    EXPECT_LE(entries.size(), 3u);
    for (const auto& e : entries) seen.push_back(e.seq);
    page.before_seq = entries.back().seq;
  }
  const std::vector<std::int64_t> newest_first(appended.rbegin(), appended.rend());
  EXPECT_EQ(seen, newest_first);

  // after_seq still bounds a descending page from below.
  const auto window = store_->list_transfers(TransferQuery{.after_seq = appended[1],
                                                           .recipient = "spt",
                                                           .newest_first = true,
                                                           .before_seq = appended[5]});
  ASSERT_EQ(window.size(), 3u);
  EXPECT_EQ(window[0].seq, appended[4]);
  EXPECT_EQ(window[2].seq, appended[2]);
}

// Read off an index (or the rowid), never a scan of the table, and in the order asked without
// sorting every match first.
void expect_index_lookup(const std::string& plan, const std::string& index) {
  EXPECT_NE(plan.find(index), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

TEST_F(StoreTest, TransferLogFiltersUseTheirIndexes) {
  const auto plan = [&](const TransferQuery& query) {
    return query_plan(dir_.path(), sqlite::transfer_query_sql(query));
  };
  expect_index_lookup(plan({.member = "hmip"}), "USING INDEX transfer_log_member");
  expect_index_lookup(plan({.status = "failed"}), "USING INDEX transfer_log_status");
  expect_index_lookup(plan({.recipient = "spt"}), "USING INDEX transfer_log_recipient");
  expect_index_lookup(plan({.direction = TransferDirection::out}),
                      "USING INDEX transfer_log_direction");
  expect_index_lookup(plan({.newest_first = true, .before_seq = 100}), "USING INTEGER PRIMARY KEY");
  expect_index_lookup(plan({.recipient = "spt", .newest_first = true, .before_seq = 100}),
                      "USING INDEX transfer_log_recipient");
  // Combined, the most selective filter leads, not the index created last.
  expect_index_lookup(plan({.member = "hmip", .status = "complete"}),
                      "USING INDEX transfer_log_member");
  expect_index_lookup(plan({.recipient = "spt", .direction = TransferDirection::out}),
                      "USING INDEX transfer_log_recipient");
  expect_index_lookup(plan({.status = "failed", .direction = TransferDirection::out}),
                      "USING INDEX transfer_log_status");
  const auto by_time = query_plan(dir_.path(), "SELECT seq FROM transfer_log WHERE time >= ?1");
  EXPECT_NE(by_time.find("transfer_log_time"), std::string::npos) << by_time;
}

}  // namespace
}  // namespace opcat::store::testing
