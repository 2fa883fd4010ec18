// The spool a writer keeps until commit: in memory up to a limit, then in a temp file under
// <data_dir>/spool with memory bounded; replayed in order; removed however the writer ends.
#include "gateway/store/submission_spool.hpp"

#include <fstream>

#include "tests/store/store_fixture.hpp"

namespace opcat::store::testing {
namespace {

using Verdict = adapters::Outcome::Verdict;

struct Replayed {
  std::vector<SpooledRecord> records;
  std::vector<adapters::RecordError> errors;
  std::string order;  // 'R' and 'E' as they came
};

Replayed replay(const SubmissionSpool& spool) {
  Replayed out;
  spool.replay(
      [&](const SpooledRecord& record) {
        out.records.push_back(record);
        out.order += 'R';
      },
      [&](const adapters::RecordError& error) {
        out.errors.push_back(error);
        out.order += 'E';
      });
  return out;
}

class SubmissionSpoolTest : public ::testing::Test {
 protected:
  std::size_t files() const {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      ++count;
    }
    return count;
  }

  opcat::testing::TempDir dir_{"opcat-spool"};
};

TEST_F(SubmissionSpoolTest, ReplaysWhatItKeptInMemoryInOrder) {
  SubmissionSpool spool(dir_.path(), 1 << 20);
  const std::string with_nul("{\"a\":\"x\0y\"}", 11);
  spool.add_record("place", "hmip:P1", R"({"record_type":"place"})");
  spool.add_error(record_error(2));
  spool.add_record("visit", "", with_nul);
  spool.seal();
  EXPECT_FALSE(spool.spilled());
  EXPECT_EQ(files(), 0u);

  const Replayed out = replay(spool);
  EXPECT_EQ(out.order, "RER");
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.records[0].record_type, "place");
  EXPECT_EQ(out.records[0].record_id, "hmip:P1");
  EXPECT_EQ(out.records[0].body, R"({"record_type":"place"})");
  EXPECT_EQ(out.records[1].record_id, "");
  EXPECT_EQ(out.records[1].body, with_nul);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].locator, "row 2");
  EXPECT_EQ(out.errors[0].field, "start_date");
  EXPECT_EQ(out.errors[0].source_field, "Visit date");
  EXPECT_EQ(out.errors[0].value, "31/02/2024");
  EXPECT_EQ(out.errors[0].code, "bad_date");
  EXPECT_EQ(out.errors[0].message, "not a date");
}

TEST_F(SubmissionSpoolTest, SpillsOverItsLimitKeepsMemoryBoundedAndReplaysInOrder) {
  constexpr std::size_t kLimit = 64 * 1024;
  constexpr int kRecords = 50'000;  // about 5 MiB spooled, 80 times the memory limit
  std::filesystem::path file;
  {
    SubmissionSpool spool(dir_.path(), kLimit);
    const std::string padding(80, 'x');
    for (int i = 0; i < kRecords; ++i) {
      spool.add_record("place", "P" + std::to_string(i), padding + std::to_string(i));
      if (i % 1000 == 0) spool.add_error(record_error(i));
      // A chunk waiting to be written out, and at most one entry more: never the export.
      ASSERT_LE(spool.bytes_in_memory(), 3 * kLimit) << "after record " << i;
    }
    EXPECT_TRUE(spool.spilled());
    EXPECT_GT(spool.size_bytes(), 80u * kLimit);
    file = spool.file();
    EXPECT_EQ(file.parent_path(), dir_.path());
    EXPECT_TRUE(std::filesystem::exists(file));
    spool.seal();

    const Replayed out = replay(spool);
    ASSERT_EQ(out.records.size(), static_cast<std::size_t>(kRecords));
    for (int i = 0; i < kRecords; ++i) {
      ASSERT_EQ(out.records[static_cast<std::size_t>(i)].record_id, "P" + std::to_string(i));
      ASSERT_EQ(out.records[static_cast<std::size_t>(i)].body, padding + std::to_string(i));
    }
    ASSERT_EQ(out.errors.size(), 50u);
    EXPECT_EQ(out.errors[1].locator, "row 1000");
    EXPECT_EQ(out.order.substr(0, 3), "RER");
  }
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_EQ(files(), 0u);
}

TEST_F(SubmissionSpoolTest, IsReadOnlyOnceSealed) {
  SubmissionSpool spool(dir_.path(), 1024);
  EXPECT_THROW(replay(spool), std::logic_error);
  spool.seal();
  EXPECT_THROW(spool.add_record("place", "P1", "{}"), std::logic_error);
  EXPECT_THROW(spool.add_error(record_error(1)), std::logic_error);
}

TEST_F(SubmissionSpoolTest, RemovesLeftoversOfACrash) {
  std::ofstream(dir_.path() / "submission-AbC123") << "half a spool";
  std::ofstream(dir_.path() / "not-ours") << "kept";
  EXPECT_EQ(SubmissionSpool::remove_leftovers(dir_.path()), 1u);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "not-ours"));
}

// The same through the store: a writer's spool is spilled under <data_dir>/spool.
class SpillingStoreTest : public StoreTest {
 protected:
  SpillingStoreTest() {
    store_.reset();
    store_ = std::make_unique<sqlite::SqliteStore>(
        dir_.path(), sqlite::SqliteStoreOptions{.spool_memory_limit = 4096, .batch = {}});
  }
};

TEST_F(SpillingStoreTest, ALargeSubmissionSpillsAndCommitsEveryRecordInOrder) {
  constexpr int kRecords = 500;  // about 30 KiB of JSON, well over 4 KiB
  auto writer = store_->begin_submission(new_submission("hmip", "large export"));
  for (int i = 0; i < kRecords; ++i) writer->add_record(place_record("hmip:P" + std::to_string(i)));
  writer->add_error(record_error(kRecords + 2));
  EXPECT_EQ(spool_files(dir_.path()), 1u);
  EXPECT_EQ(count_rows(dir_.path(), "records"), 0);  // nothing in the database before commit

  const auto committed = writer->commit(completion(Verdict::partial, kRecords, 1));
  EXPECT_EQ(spool_files(dir_.path()), 0u);
  const auto records = store_->list_records("hmip", committed.id, 0, 1000);
  ASSERT_TRUE(records.has_value());
  ASSERT_EQ(records->size(), static_cast<std::size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) {
    const auto& record = (*records)[static_cast<std::size_t>(i)];
    EXPECT_EQ(record.seq, i + 1);
    EXPECT_EQ(record.record_id, "hmip:P" + std::to_string(i));
  }
  EXPECT_EQ(store_->list_errors("hmip", committed.id, 0, 10)->size(), 1u);
}

TEST_F(SpillingStoreTest, AnAbandonedSpilledWriterLeavesNoFileAndNoRows) {
  {
    auto writer = store_->begin_submission(new_submission("hmip", "dropped connection"));
    for (int i = 0; i < 500; ++i) writer->add_record(place_record("hmip:P" + std::to_string(i)));
    EXPECT_EQ(spool_files(dir_.path()), 1u);
  }
  EXPECT_EQ(spool_files(dir_.path()), 0u);
  for (const char* table : {"submissions", "records", "record_errors", "transfer_log"}) {
    EXPECT_EQ(count_rows(dir_.path(), table), 0) << table;
  }
}

TEST_F(SpillingStoreTest, OpeningTheStoreRemovesLeftoverSpoolFiles) {
  store_.reset();
  const auto leftover = dir_.path() / sqlite::SqliteStore::kSpoolDir / "submission-crashed";
  std::ofstream(leftover) << "spooled before a crash";
  store_ = std::make_unique<sqlite::SqliteStore>(dir_.path());
  EXPECT_FALSE(std::filesystem::exists(leftover));
}

}  // namespace
}  // namespace opcat::store::testing
