// Shared by the store tests: a fresh data directory per test and small builders.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>

#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::store::testing {

std::string sha256_hex(std::string_view data);  // OpenSSL's one-shot digest
Clock::time_point at_second(long long seconds_since_epoch);

NewSubmission new_submission(const std::string& member, std::string_view body,
                             std::optional<std::string> key = std::nullopt);
rapidjson::Document place_record(const std::string& place_id);
adapters::RecordError record_error(int row);
SubmissionCompletion completion(adapters::Outcome::Verdict verdict, std::size_t accepted,
                                std::size_t rejected, std::string receipt_signature = {});

// Counts rows through a separate raw connection: what a fresh reader would see.
long long count_rows(const std::filesystem::path& data_dir, const std::string& table);
// SQLite's EXPLAIN QUERY PLAN of sql on the store's database, one step a line: which tables are
// scanned, which indexes searched.
std::string query_plan(const std::filesystem::path& data_dir, const std::string& sql);
// Files in <data_dir>/spool: writers spilled and not yet committed or destroyed.
std::size_t spool_files(const std::filesystem::path& data_dir);

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : store_(std::make_unique<sqlite::SqliteStore>(dir_.path())) {}
  // Commits a submission with `records` records and `errors` errors; returns its summary.
  SubmissionSummary submit(const std::string& member, std::string_view body, int records,
                           int errors, std::optional<std::string> key = std::nullopt);

  opcat::testing::TempDir dir_{"opcat-store"};
  std::unique_ptr<sqlite::SqliteStore> store_;
};

}  // namespace opcat::store::testing
