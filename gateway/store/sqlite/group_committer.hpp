// Group commit: every write of the store goes through here, several to a transaction.
//
// A commit with synchronous=FULL costs an fsync of the WAL, whatever it writes; that, not the
// inserts, bounds how many submissions a second one connection can make durable. So writes
// queue, and whoever finds no batch in progress leads: it takes the queued units (up to the
// limits), runs them in ONE transaction, each in its own savepoint, commits once, and hands
// every unit its own outcome. The others (followers) just wait; a follower left in the queue
// when the batch ends leads the next one. No committer thread: a unit always runs on some
// caller's thread, and an idle store has no thread at all.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "gateway/store/sqlite/connection.hpp"

namespace opcat::store::sqlite {

// How much one transaction takes on: a bound on how long a batch keeps the others waiting and
// on how much a failed COMMIT takes down with it.
struct BatchLimits {
  std::size_t units = 64;
  std::uint64_t bytes = std::uint64_t{64} << 20;  // as the units declare them (spooled data)
};

class GroupCommitter {
 public:
  using Unit = std::function<void(Connection&)>;

  // The connection is used only by the leader of the moment, one batch at a time.
  GroupCommitter(Connection& connection, BatchLimits limits);
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Runs unit inside its own savepoint of a batch transaction and returns once that transaction
  // is committed: durable. If unit throws, only its savepoint is undone and its exception is
  // rethrown here, once the rest of the batch is committed. If the batch transaction fails
  // (BEGIN, COMMIT, or SQLite abandoning it), every unit of the batch throws a StoreError,
  // whatever it did: nothing of the batch is durable. bytes counts against BatchLimits::bytes.
  void run(std::uint64_t bytes, const Unit& unit);

  std::uint64_t transactions_committed() const;
  std::size_t queued() const;  // units waiting for a batch to take them

  // While a Pause lives no batch starts and units queue up: lets a test build a batch of known
  // content without depending on thread timing.
  class [[nodiscard]] Pause {
   public:
    ~Pause();
    Pause(const Pause&) = delete;
    Pause& operator=(const Pause&) = delete;

   private:
    friend class GroupCommitter;
    explicit Pause(GroupCommitter& committer);
    GroupCommitter& committer_;
  };
  Pause pause() { return Pause(*this); }

 private:
  struct Ticket;
  class HandOff;

  void lead(std::unique_lock<std::mutex>& lock);
  std::vector<Ticket*> take_batch();  // mutex_ held
  void commit(const std::vector<Ticket*>& batch);
  void run_in_savepoint(Ticket& ticket);

  Connection& connection_;
  const BatchLimits limits_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;  // a batch ended, or a pause was lifted
  std::deque<Ticket*> queue_;     // each ticket lives on its waiting caller's stack
  bool leading_ = false;
  int pauses_ = 0;
  std::atomic<std::uint64_t> transactions_committed_{0};
};

}  // namespace opcat::store::sqlite
