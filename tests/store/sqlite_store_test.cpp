// Submissions in the SQLite store: migrations, the spooling writer, idempotency and member
// isolation.
#include <sqlite3.h>

#include <fstream>
#include <regex>

#include "gateway/store/sqlite/migrations.hpp"
#include "tests/store/store_fixture.hpp"

namespace opcat::store::testing {
namespace {

using Verdict = adapters::Outcome::Verdict;

TEST_F(StoreTest, MigratesANewDatabaseAndReopensIt) {
  EXPECT_EQ(count_rows(dir_.path(), "schema_migrations"), sqlite::latest_schema_version());
  const auto first = submit("hmip", "body one", 1, 0);
  store_.reset();
  store_ = std::make_unique<sqlite::SqliteStore>(dir_.path());  // migrating again is a no-op
  EXPECT_EQ(count_rows(dir_.path(), "schema_migrations"), sqlite::latest_schema_version());
  EXPECT_TRUE(store_->get_submission("hmip", first.id).has_value());
}

TEST(SqliteStoreOpen, RefusesADatabaseFromANewerGateway) {
  opcat::testing::TempDir dir("opcat-store");
  { sqlite::SqliteStore store(dir.path()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / sqlite::SqliteStore::kFileName).c_str(), &db), SQLITE_OK);
  const std::string sql = "INSERT INTO schema_migrations VALUES (" +
                          std::to_string(sqlite::latest_schema_version() + 1) + ", 'later')";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  try {
    sqlite::SqliteStore store(dir.path());
    FAIL() << "a newer database was opened";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this gateway"), std::string::npos) << e.what();
  }
}

// `opcat-gateway consolidate` opens the store of a gateway that may be serving: it must neither
// remove that gateway's spool files nor write, and it reads what the gateway committed.
TEST_F(StoreTest, AReadOnlyStoreLeavesTheSpoolAloneReadsCommitsAndRefusesWrites) {
  const auto committed = submit("hmip", "body one", 2, 0);
  const auto spool_file = dir_.path() / sqlite::SqliteStore::kSpoolDir / "submission-in-use.spool";
  std::ofstream(spool_file) << "a live writer's spool";
  sqlite::SqliteStoreOptions options;
  options.read_only = true;
  sqlite::SqliteStore reader(dir_.path(), options);
  EXPECT_TRUE(std::filesystem::exists(spool_file));
  EXPECT_TRUE(reader.get_submission("hmip", committed.id).has_value());
  std::size_t records = 0;
  reader.for_each_current_record({}, [&](const CurrentRecord&) { ++records; });
  EXPECT_EQ(records, 2u);
  TransferLogEntry entry;
  entry.time = Clock::now();
  entry.status = "complete";
  EXPECT_THROW(reader.append_transfer(entry), StoreError);
  // The serving store still writes beside the reader.
  EXPECT_NO_THROW(submit("hmip", "body two", 1, 0));
}

TEST(SqliteStoreOpen, AReadOnlyStoreNeverCreatesADatabase) {
  opcat::testing::TempDir dir("opcat-store");
  sqlite::SqliteStoreOptions options;
  options.read_only = true;
  EXPECT_THROW(sqlite::SqliteStore(dir.path(), options), StoreError);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / sqlite::SqliteStore::kFileName));
}

TEST(SqliteStoreOpen, AReadOnlyStoreRefusesADatabaseNotAtItsVersion) {
  opcat::testing::TempDir dir("opcat-store");
  { sqlite::SqliteStore store(dir.path()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / sqlite::SqliteStore::kFileName).c_str(), &db), SQLITE_OK);
  const std::string sql = "DELETE FROM schema_migrations WHERE version = " +
                          std::to_string(sqlite::latest_schema_version());
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  sqlite::SqliteStoreOptions options;
  options.read_only = true;
  try {
    sqlite::SqliteStore store(dir.path(), options);
    FAIL() << "an older database was opened read-only";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("once to migrate"), std::string::npos) << e.what();
  }
}

TEST_F(StoreTest, DatabaseIsInWalMode) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / sqlite::SqliteStore::kFileName).c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(StoreTest, CommitsASubmissionWithRecordsAndErrors) {
  const auto committed = submit("hmip", "export", 3, 2, "key-1");
  EXPECT_TRUE(std::regex_match(committed.id, std::regex("sub_[a-z2-7]{26}"))) << committed.id;

  const auto read = store_->get_submission("hmip", committed.id);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->member, "hmip");
  EXPECT_EQ(read->sha256, sha256_hex("export"));
  EXPECT_EQ(read->size, 6u);
  EXPECT_EQ(read->idempotency_key, "key-1");
  EXPECT_EQ(read->received_at, at_second(1'714'000'000));
  EXPECT_EQ(read->adapter, "hmip_inspections");
  EXPECT_EQ(read->mapping_version, "1");
  EXPECT_EQ(read->status, SubmissionStatus::partial);
  EXPECT_EQ(read->accepted, 3u);
  EXPECT_EQ(read->rejected, 2u);
  EXPECT_EQ(read->receipt_json, R"({"receipt":true})");

  const auto records = store_->list_records("hmip", committed.id, 0, 100);
  ASSERT_TRUE(records.has_value());
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].seq, 1);
  EXPECT_EQ((*records)[0].record_type, "place");
  EXPECT_EQ((*records)[0].record_id, "hmip:P0");
  EXPECT_EQ((*records)[0].body,
            R"({"record_type":"place","place_id":"hmip:P0","name":"HMP Example"})");

  const auto errors = store_->list_errors("hmip", committed.id, 0, 100);
  ASSERT_TRUE(errors.has_value());
  ASSERT_EQ(errors->size(), 2u);
  const auto& first = (*errors)[0];
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.error.locator, "row 2");
  EXPECT_EQ(first.error.field, "start_date");
  EXPECT_EQ(first.error.source_field, "Visit date");
  EXPECT_EQ(first.error.value, "31/02/2024");
  EXPECT_EQ(first.error.code, "bad_date");
  EXPECT_EQ(first.error.message, "not a date");
}

TEST_F(StoreTest, AWriterDestroyedWithoutCommitLeavesNothing) {
  {
    auto writer = store_->begin_submission(new_submission("hmip", "half"));
    writer->add_record(place_record("hmip:P1"));
    writer->add_error(record_error(3));
  }
  for (const char* table : {"submissions", "records", "record_errors", "transfer_log"}) {
    EXPECT_EQ(count_rows(dir_.path(), table), 0) << table;
  }
  EXPECT_FALSE(store_->find_by_body("hmip", sha256_hex("half")).has_value());
  EXPECT_EQ(spool_files(dir_.path()), 0u);
  // The body is not taken: the retry goes through.
  EXPECT_EQ(submit("hmip", "half", 1, 0).accepted, 1u);
}

TEST_F(StoreTest, ARejectedSubmissionKeepsItsErrorsButNoRecords) {
  auto writer = store_->begin_submission(new_submission("hmip", "bad export"));
  writer->add_record(place_record("hmip:P1"));
  writer->add_error(record_error(3));
  const auto committed = writer->commit(completion(Verdict::rejected, 1, 1));
  EXPECT_EQ(committed.status, SubmissionStatus::rejected);
  EXPECT_EQ(store_->list_records("hmip", committed.id, 0, 10)->size(), 0u);
  EXPECT_EQ(store_->list_errors("hmip", committed.id, 0, 10)->size(), 1u);
}

TEST_F(StoreTest, IdempotencyByBodyIsPerMember) {
  const auto hmip = submit("hmip", "same bytes", 2, 0);
  const auto found = store_->find_by_body("hmip", sha256_hex("same bytes"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, hmip.id);
  EXPECT_FALSE(store_->find_by_body("cqc", sha256_hex("same bytes")).has_value());

  const auto cqc = submit("cqc", "same bytes", 2, 0);  // another member: another submission
  EXPECT_NE(cqc.id, hmip.id);

  try {
    store_->begin_submission(new_submission("hmip", "same bytes"));
    FAIL() << "a duplicate body was accepted";
  } catch (const DuplicateSubmission& duplicate) {
    EXPECT_EQ(duplicate.existing().id, hmip.id);
  }
  EXPECT_EQ(count_rows(dir_.path(), "records"), 4);
}

TEST_F(StoreTest, IdempotencyByKeyIsPerMember) {
  const auto hmip = submit("hmip", "first body", 1, 0, "nightly-2024-05-01");
  const auto found = store_->find_by_idempotency_key("hmip", "nightly-2024-05-01");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, hmip.id);
  EXPECT_FALSE(store_->find_by_idempotency_key("cqc", "nightly-2024-05-01").has_value());
  EXPECT_FALSE(store_->find_by_idempotency_key("hmip", "other").has_value());

  // Same key, another body: the existing submission comes back, its hash tells intake "409".
  try {
    store_->begin_submission(new_submission("hmip", "second body", "nightly-2024-05-01"));
    FAIL() << "a reused key was accepted";
  } catch (const DuplicateSubmission& duplicate) {
    EXPECT_EQ(duplicate.existing().id, hmip.id);
    EXPECT_NE(duplicate.existing().sha256, sha256_hex("second body"));
  }
  EXPECT_NE(submit("cqc", "second body", 1, 0, "nightly-2024-05-01").id, hmip.id);
  // Submissions without a key never collide on it.
  submit("hmip", "third body", 1, 0);
  submit("hmip", "fourth body", 1, 0);
  EXPECT_EQ(count_rows(dir_.path(), "submissions"), 4);
}

TEST_F(StoreTest, AnotherMembersIdIsNotFound) {
  const auto hmip = submit("hmip", "private", 1, 1);
  EXPECT_FALSE(store_->get_submission("cqc", hmip.id).has_value());
  EXPECT_FALSE(store_->list_errors("cqc", hmip.id, 0, 100).has_value());
  EXPECT_FALSE(store_->list_records("cqc", hmip.id, 0, 100).has_value());
  EXPECT_TRUE(store_->list_submissions("cqc", at_second(0), 100).empty());
  EXPECT_FALSE(store_->list_errors("hmip", "sub_doesnotexist", 0, 100).has_value());
  // A submission of the caller's with no errors is an empty page, not "not found".
  const auto clean = submit("hmip", "clean", 1, 0);
  ASSERT_TRUE(store_->list_errors("hmip", clean.id, 0, 100).has_value());
  EXPECT_TRUE(store_->list_errors("hmip", clean.id, 0, 100)->empty());
}

TEST_F(StoreTest, PagesErrors) {
  const auto committed = submit("hmip", "many errors", 0, 25);
  std::vector<std::int64_t> seen;
  std::int64_t after = 0;
  std::vector<std::size_t> page_sizes;
  while (true) {
    const auto page = store_->list_errors("hmip", committed.id, after, 10);
    ASSERT_TRUE(page.has_value());
    page_sizes.push_back(page->size());
    if (page->empty()) break;
    for (const auto& e : *page) seen.push_back(e.seq);
    after = page->back().seq;
  }
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{10, 10, 5, 0}));
  ASSERT_EQ(seen.size(), 25u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<std::int64_t>(i + 1));
}

TEST_F(StoreTest, ListsAMembersSubmissionsSince) {
  for (int i = 0; i < 3; ++i) {
    auto submission = new_submission("hmip", "body " + std::to_string(i));
    submission.received_at = at_second(1'714'000'000 + i * 10);
    auto writer = store_->begin_submission(submission);
    writer->commit(completion(Verdict::complete, 0, 0));
  }
  submit("cqc", "body 9", 0, 0);
  const auto since = store_->list_submissions("hmip", at_second(1'714'000'010), 100);
  ASSERT_EQ(since.size(), 2u);
  EXPECT_EQ(since[0].received_at, at_second(1'714'000'010));
  EXPECT_EQ(since[1].received_at, at_second(1'714'000'020));
  EXPECT_EQ(store_->list_submissions("hmip", at_second(0), 1).size(), 1u);
}

}  // namespace
}  // namespace opcat::store::testing
