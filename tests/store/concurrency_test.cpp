// Several threads writing and reading one store at once: every writer commits, none sees
// SQLITE_BUSY, readers are never blocked into failure, open writers never wait for each other,
// and concurrent commits share transactions (group commit).
#include <atomic>
#include <set>
#include <thread>
#include <variant>

#include "tests/store/store_fixture.hpp"
#include "tests/support/eventually.hpp"

namespace opcat::store::testing {
namespace {

using Verdict = adapters::Outcome::Verdict;

TEST_F(StoreTest, ConcurrentWritersAllCommit) {
  constexpr int kThreads = 6;
  constexpr int kPerThread = 15;
  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        const std::string member = "member" + std::to_string(t % 3);  // members shared by threads
        for (int i = 0; i < kPerThread; ++i) {
          auto writer = store_->begin_submission(
              new_submission(member, "thread " + std::to_string(t) + " body " + std::to_string(i)));
          for (int r = 0; r < 5; ++r) writer->add_record(place_record(member + ":P" + std::to_string(r)));
          writer->commit(completion(Verdict::complete, 5, 0));
          if (i % 5 == 0) {
            TransferLogEntry entry;
            entry.time = Clock::now();
            entry.direction = TransferDirection::out;
            entry.recipient = "spt";
            entry.status = "delivered";
            store_->append_transfer(entry);
          }
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "writer " << t << ": " << e.what();
        ++failures;
      }
    });
  }
  std::thread reader([&] {
    try {
      while (writing) {
        store_->list_transfers(TransferQuery{});
        store_->list_submissions("member0", at_second(0), 10);
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "reader: " << e.what();
      ++failures;
    }
  });
  for (auto& thread : threads) thread.join();
  writing = false;
  reader.join();

  EXPECT_EQ(failures, 0);
  EXPECT_EQ(count_rows(dir_.path(), "submissions"), kThreads * kPerThread);
  EXPECT_EQ(count_rows(dir_.path(), "records"), kThreads * kPerThread * 5);
  EXPECT_EQ(count_rows(dir_.path(), "transfer_log"), kThreads * kPerThread + kThreads * 3);
}

// An Asio handler may resume on another thread: a writer begun on one thread is committed
// (or abandoned) on another.
TEST_F(StoreTest, AWriterMayFinishOnAnotherThread) {
  auto committed = store_->begin_submission(new_submission("hmip", "moved"));
  std::thread([&] { committed->commit(completion(Verdict::complete, 0, 0)); }).join();
  auto abandoned = store_->begin_submission(new_submission("hmip", "moved again"));
  std::thread([&] { abandoned.reset(); }).join();
  EXPECT_EQ(submit("hmip", "after", 1, 0).accepted, 1u);
}

// Before group commit, begin_submission took the write lock until commit: on one thread, the
// second begin_submission would never have returned.
TEST_F(StoreTest, OpenWritersDoNotWaitForEachOther) {
  auto slow = store_->begin_submission(new_submission("hmip", "slow export"));
  slow->add_record(place_record("hmip:P1"));
  auto quick = store_->begin_submission(new_submission("cqc", "quick export"));
  quick->add_record(place_record("cqc:P1"));
  const auto quick_summary = quick->commit(completion(Verdict::complete, 1, 0));
  EXPECT_EQ(count_rows(dir_.path(), "records"), 1);  // nothing of the open writer yet
  slow->add_record(place_record("hmip:P2"));
  const auto slow_summary = slow->commit(completion(Verdict::complete, 2, 0));
  EXPECT_EQ(store_->list_records("cqc", quick_summary.id, 0, 10)->size(), 1u);
  EXPECT_EQ(store_->list_records("hmip", slow_summary.id, 0, 10)->size(), 2u);
}

TEST_F(StoreTest, ConcurrentCommitsShareTransactions) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 20;
  constexpr int kRecords = 3;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  {
    // Every thread's first commit queues behind the pause, so the first batch holds all
    // kThreads of them: batching is shown without relying on timing.
    const auto pause = store_->pause_commits();
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const std::string member = "member" + std::to_string(t % 4);
        for (int i = 0; i < kPerThread; ++i) {
          try {
            auto writer = store_->begin_submission(new_submission(
                member, "thread " + std::to_string(t) + " body " + std::to_string(i)));
            for (int r = 0; r < kRecords; ++r) {
              writer->add_record(place_record(member + ":P" + std::to_string(r)));
            }
            ids[t].push_back(writer->commit(completion(Verdict::complete, kRecords, 0)).id);
          } catch (const std::exception& e) {
            ADD_FAILURE() << "thread " << t << " submission " << i << ": " << e.what();
          }
        }
      });
    }
    EXPECT_TRUE(opcat::testing::eventually(
        [&] { return store_->commits_waiting() == static_cast<std::size_t>(kThreads); }));
  }
  for (auto& thread : threads) thread.join();

  constexpr int kSubmissions = kThreads * kPerThread;
  std::set<std::string> distinct;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(ids[t].size(), static_cast<std::size_t>(kPerThread)) << "thread " << t;
    for (const auto& id : ids[t]) {
      distinct.insert(id);
      const auto stored = store_->get_submission("member" + std::to_string(t % 4), id);
      ASSERT_TRUE(stored.has_value()) << id;
      EXPECT_EQ(store_->list_records(stored->member, id, 0, 10)->size(),
                static_cast<std::size_t>(kRecords));
    }
  }
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kSubmissions));
  EXPECT_EQ(count_rows(dir_.path(), "submissions"), kSubmissions);
  EXPECT_EQ(count_rows(dir_.path(), "records"), kSubmissions * kRecords);
  EXPECT_EQ(count_rows(dir_.path(), "transfer_log"), kSubmissions);
  // The first batch alone saved kThreads - 1 transactions.
  EXPECT_LE(store_->transactions_committed(),
            static_cast<std::uint64_t>(kSubmissions - (kThreads - 1)));
}

// Each writer's commit on its own thread, all in one batch: the pause holds them until every
// one is queued. Returns each writer's summary, or the DuplicateSubmission it threw.
using CommitResult = std::variant<SubmissionSummary, DuplicateSubmission>;

std::vector<CommitResult> commit_in_one_batch(
    sqlite::SqliteStore& store, std::vector<std::unique_ptr<SubmissionWriter>>& writers) {
  std::vector<std::optional<CommitResult>> results(writers.size());
  std::vector<std::thread> threads;
  {
    const auto pause = store.pause_commits();
    for (std::size_t i = 0; i < writers.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          results[i].emplace(writers[i]->commit(completion(Verdict::complete, 2, 0)));
        } catch (const DuplicateSubmission& duplicate) {
          results[i].emplace(duplicate);
        } catch (const std::exception& e) {
          ADD_FAILURE() << "writer " << i << ": " << e.what();
        }
      });
    }
    EXPECT_TRUE(
        opcat::testing::eventually([&] { return store.commits_waiting() == writers.size(); }));
  }
  for (auto& thread : threads) thread.join();
  std::vector<CommitResult> done;
  for (auto& result : results) {
    if (!result) throw std::runtime_error("a commit neither returned nor threw a duplicate");
    done.push_back(std::move(*result));
  }
  return done;
}

// Of two writers with the same body (or key), the one first in the batch wins; the other gets
// the winner's summary, read inside the same (not yet committed) transaction.
void expect_one_winner(const CommitResult& a, const CommitResult& b) {
  const auto* a_won = std::get_if<SubmissionSummary>(&a);
  const auto* b_won = std::get_if<SubmissionSummary>(&b);
  ASSERT_NE(a_won == nullptr, b_won == nullptr) << "exactly one of the two must commit";
  const SubmissionSummary& winner = a_won != nullptr ? *a_won : *b_won;
  const DuplicateSubmission& loser = std::get<DuplicateSubmission>(a_won != nullptr ? b : a);
  EXPECT_EQ(loser.existing().id, winner.id);
  EXPECT_EQ(loser.existing().sha256, winner.sha256);
  EXPECT_EQ(loser.existing().receipt_json, winner.receipt_json);
}

TEST_F(StoreTest, DuplicatesInOneBatchCommitOnceAndTheRestOfTheBatchCommits) {
  std::vector<std::unique_ptr<SubmissionWriter>> writers;
  // Both begin before either commits, so begin_submission cannot see the duplicate.
  writers.push_back(store_->begin_submission(new_submission("hmip", "same body")));
  writers.push_back(store_->begin_submission(new_submission("hmip", "same body")));
  writers.push_back(store_->begin_submission(new_submission("hmip", "body one", "key-1")));
  writers.push_back(store_->begin_submission(new_submission("hmip", "body two", "key-1")));
  writers.push_back(store_->begin_submission(new_submission("cqc", "same body")));  // not a dup
  writers.push_back(store_->begin_submission(new_submission("hmip", "unrelated")));
  for (std::size_t i = 0; i < writers.size(); ++i) {
    writers[i]->add_record(place_record("P" + std::to_string(i) + "a"));
    writers[i]->add_record(place_record("P" + std::to_string(i) + "b"));
  }
  const std::uint64_t transactions_before = store_->transactions_committed();

  const auto results = commit_in_one_batch(*store_, writers);

  EXPECT_EQ(store_->transactions_committed(), transactions_before + 1);
  expect_one_winner(results[0], results[1]);
  expect_one_winner(results[2], results[3]);
  EXPECT_TRUE(std::holds_alternative<SubmissionSummary>(results[4]));
  EXPECT_TRUE(std::holds_alternative<SubmissionSummary>(results[5]));
  // Four submissions, two records each: the losers left no records, errors or log entries.
  EXPECT_EQ(count_rows(dir_.path(), "submissions"), 4);
  EXPECT_EQ(count_rows(dir_.path(), "records"), 8);
  EXPECT_EQ(count_rows(dir_.path(), "transfer_log"), 4);
  EXPECT_EQ(spool_files(dir_.path()), 0u);
}

TEST_F(StoreTest, ADuplicateCommittedInAnEarlierBatchIsReportedAtCommit) {
  auto late = store_->begin_submission(new_submission("hmip", "raced body"));
  late->add_error(record_error(2));
  const auto first = submit("hmip", "raced body", 1, 0);
  try {
    late->commit(completion(Verdict::partial, 0, 1));
    FAIL() << "the same body was committed twice";
  } catch (const DuplicateSubmission& duplicate) {
    EXPECT_EQ(duplicate.existing().id, first.id);
  }
  EXPECT_EQ(count_rows(dir_.path(), "record_errors"), 0);
  EXPECT_EQ(count_rows(dir_.path(), "submissions"), 1);
}

}  // namespace
}  // namespace opcat::store::testing
