// The transfer log: intake's own entry in the submission's transaction, other crossings
// appended directly, and the indexes the console's filters rely on.
#include <sqlite3.h>

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

std::string query_plan(const std::filesystem::path& data_dir, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((data_dir / sqlite::SqliteStore::kFileName).c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const std::string explain = "EXPLAIN QUERY PLAN " + sql;
  EXPECT_EQ(sqlite3_prepare_v2(db, explain.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string plan;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    plan += '\n';
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return plan;
}

TEST_F(StoreTest, TransferLogFiltersUseTheirIndexes) {
  const auto by_member = query_plan(dir_.path(), sqlite::transfer_query_sql(true, false));
  EXPECT_NE(by_member.find("USING INDEX transfer_log_member"), std::string::npos) << by_member;
  const auto by_status = query_plan(dir_.path(), sqlite::transfer_query_sql(false, true));
  EXPECT_NE(by_status.find("USING INDEX transfer_log_status"), std::string::npos) << by_status;
  const auto by_time = query_plan(dir_.path(), "SELECT seq FROM transfer_log WHERE time >= ?1");
  EXPECT_NE(by_time.find("transfer_log_time"), std::string::npos) << by_time;
}

}  // namespace
}  // namespace opcat::store::testing
