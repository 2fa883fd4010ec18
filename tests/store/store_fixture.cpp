#include "tests/store/store_fixture.hpp"

#include <sqlite3.h>

#include "adapters/core/sha256.hpp"

namespace opcat::store::testing {

std::string sha256_hex(std::string_view data) { return adapters::sha256_hex(data); }

Clock::time_point at_second(long long seconds_since_epoch) {
  return Clock::time_point(std::chrono::seconds(seconds_since_epoch));
}

NewSubmission new_submission(const std::string& member, std::string_view body,
                             std::optional<std::string> key) {
  return NewSubmission{.member = member,
                       .sha256 = sha256_hex(body),
                       .size = body.size(),
                       .idempotency_key = std::move(key),
                       .received_at = at_second(1'714'000'000),
                       .adapter = "hmip_inspections",
                       .mapping_version = "1"};
}

rapidjson::Document place_record(const std::string& place_id) {
  rapidjson::Document record;
  record.SetObject();
  auto& a = record.GetAllocator();
  record.AddMember("record_type", "place", a);
  record.AddMember("place_id", rapidjson::Value(place_id.c_str(), a), a);
  record.AddMember("name", "HMP Example", a);
  return record;
}

adapters::RecordError record_error(int row) {
  return adapters::RecordError{.locator = "row " + std::to_string(row),
                               .field = "start_date",
                               .source_field = "Visit date",
                               .value = "31/02/2024",
                               .code = "bad_date",
                               .message = "not a date"};
}

SubmissionCompletion completion(adapters::Outcome::Verdict verdict, std::size_t accepted,
                                std::size_t rejected, std::string receipt_signature) {
  adapters::Outcome outcome;
  outcome.verdict = verdict;
  outcome.units = accepted + rejected;
  outcome.accepted = accepted;
  outcome.rejected = rejected;
  if (verdict == adapters::Outcome::Verdict::rejected) outcome.reason = "over the error budget";
  return SubmissionCompletion{
      .outcome = outcome,
      .receipt_json = R"({"receipt":true})",
      .receipt_signature = std::move(receipt_signature),
      .http_status = verdict == adapters::Outcome::Verdict::rejected ? 422 : 202};
}

long long count_rows(const std::filesystem::path& data_dir, const std::string& table) {
  sqlite3* db = nullptr;
  const auto file = data_dir / sqlite::SqliteStore::kFileName;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = "SELECT count(*) FROM " + table;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
  long long count = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) count = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return count;
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

std::size_t spool_files(const std::filesystem::path& data_dir) {
  std::size_t count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(data_dir / sqlite::SqliteStore::kSpoolDir)) {
    if (entry.is_regular_file()) ++count;
  }
  return count;
}

SubmissionSummary StoreTest::submit(const std::string& member, std::string_view body,
                                    int records, int errors, std::optional<std::string> key) {
  auto writer = store_->begin_submission(new_submission(member, body, std::move(key)));
  for (int i = 0; i < records; ++i) {
    writer->add_record(place_record(member + ":P" + std::to_string(i)));
  }
  for (int i = 0; i < errors; ++i) writer->add_error(record_error(i + 2));
  const auto verdict =
      errors == 0 ? adapters::Outcome::Verdict::complete : adapters::Outcome::Verdict::partial;
  return writer->commit(completion(verdict, static_cast<std::size_t>(records),
                                   static_cast<std::size_t>(errors)));
}

}  // namespace opcat::store::testing
