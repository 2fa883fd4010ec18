// Schema migrations: a database written by the first gateway (schema version 1) is brought up
// to date at open, and what migration 2 adds (the receipt's signature) round-trips.
#include <sqlite3.h>

#include "gateway/store/sqlite/migrations.hpp"
#include "tests/store/store_fixture.hpp"

namespace opcat::store::testing {
namespace {

using Verdict = adapters::Outcome::Verdict;

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  ASSERT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "") << " in: " << sql;
}

// As the version-1 gateway left it: migration 1 applied and recorded, one submission in it.
void create_version_1_database(const std::filesystem::path& data_dir) {
  std::filesystem::create_directories(data_dir);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((data_dir / sqlite::SqliteStore::kFileName).c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite::migrations()[0].version, 1);
  exec(db,
       "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  exec(db, sqlite::migrations()[0].sql);
  exec(db, "INSERT INTO schema_migrations VALUES (1, '2024-05-01T00:00:00.000Z')");
  exec(db,
       "INSERT INTO submissions (id, member, sha256, size, idempotency_key, received_at, adapter,"
       " mapping_version, status, accepted, rejected, receipt) VALUES ('sub_old', 'hmip', '" +
           sha256_hex("old body") +
           "', 8, NULL, '2024-05-01T12:00:00.000Z', 'hmip_inspections', '1', 'complete', 0, 0,"
           " '{\"old\":true}')");
  sqlite3_close(db);
}

TEST(SqliteStoreMigration, MigratesAVersion1Database) {
  opcat::testing::TempDir dir("opcat-store");
  create_version_1_database(dir.path());
  sqlite::SqliteStore store(dir.path());
  // Every later migration applied on top of version 1 (2 added receipt signatures).
  EXPECT_GE(sqlite::latest_schema_version(), 2);
  EXPECT_EQ(count_rows(dir.path(), "schema_migrations"), sqlite::latest_schema_version());
  EXPECT_EQ(count_rows(dir.path(), "operator_accounts"), 0);  // added by migration 6
  const auto old = store.get_submission("hmip", "sub_old");
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->receipt_json, R"({"old":true})");
  EXPECT_EQ(old->receipt_signature, "");  // signed receipts came later
}

TEST_F(StoreTest, ReceiptSignatureRoundTripsAsBytes) {
  // DER is binary: NULs and bytes that are not UTF-8 must come back exactly.
  const std::string signature("\x30\x45\x02\x20\x00\xff\x00\x7f\x80sig", 13);
  auto writer = store_->begin_submission(new_submission("hmip", "signed body", "key-s"));
  const auto committed = writer->commit(completion(Verdict::complete, 0, 0, signature));
  EXPECT_EQ(committed.receipt_signature, signature);

  EXPECT_EQ(store_->get_submission("hmip", committed.id)->receipt_signature, signature);
  EXPECT_EQ(store_->find_by_body("hmip", sha256_hex("signed body"))->receipt_signature, signature);
  EXPECT_EQ(store_->find_by_idempotency_key("hmip", "key-s")->receipt_signature, signature);
  EXPECT_EQ(store_->list_submissions("hmip", at_second(0), 10).at(0).receipt_signature, signature);
  try {
    store_->begin_submission(new_submission("hmip", "signed body"));
    FAIL() << "a duplicate body was accepted";
  } catch (const DuplicateSubmission& duplicate) {
    EXPECT_EQ(duplicate.existing().receipt_signature, signature);
  }
  EXPECT_EQ(submit("hmip", "unsigned body", 0, 0).receipt_signature, "");
}

}  // namespace
}  // namespace opcat::store::testing
