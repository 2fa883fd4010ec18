// Several threads writing and reading one store at once: every writer commits, none sees
// SQLITE_BUSY, and readers are never blocked into failure.
#include <atomic>
#include <thread>

#include "tests/store/store_fixture.hpp"

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
// (or abandoned) on another, and the write gate opens either way.
TEST_F(StoreTest, AWriterMayFinishOnAnotherThread) {
  auto committed = store_->begin_submission(new_submission("hmip", "moved"));
  std::thread([&] { committed->commit(completion(Verdict::complete, 0, 0)); }).join();
  auto abandoned = store_->begin_submission(new_submission("hmip", "moved again"));
  std::thread([&] { abandoned.reset(); }).join();
  EXPECT_EQ(submit("hmip", "after", 1, 0).accepted, 1u);
}

}  // namespace
}  // namespace opcat::store::testing
