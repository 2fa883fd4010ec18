#include "gateway/store/sqlite/group_committer.hpp"

#include <algorithm>
#include <exception>
#include <string>

namespace opcat::store::sqlite {
namespace {

std::string describe(const std::exception_ptr& error) {
  if (!error) return "a unit that ended it";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an unknown exception";
  }
}

}  // namespace

// One caller's unit and, once its batch has ended, the outcome the caller returns or throws.
struct GroupCommitter::Ticket {
  Ticket(const Unit& unit, std::uint64_t bytes) : unit(&unit), bytes(bytes) {}
  const Unit* unit;
  std::uint64_t bytes;
  std::exception_ptr error;  // the unit's own, or the batch's
  bool durable = false;      // the batch transaction committed and the unit did not throw
  bool done = false;         // the outcome is final: the caller may return (mutex_ held)
};

// However a leader leaves its batch (normally, or by an exception nobody expected), the batch's
// callers get an outcome and every waiting caller is woken, so one of them can lead next:
// nobody waits on a leader that is gone.
class GroupCommitter::HandOff {
 public:
  HandOff(GroupCommitter& committer, std::unique_lock<std::mutex>& lock,
          const std::vector<Ticket*>& batch)
      : committer_(committer), lock_(lock), batch_(batch) {}
  ~HandOff() {
    if (!lock_.owns_lock()) lock_.lock();
    for (Ticket* ticket : batch_) {
      if (!ticket->durable && !ticket->error) {
        ticket->error = std::make_exception_ptr(StoreError("the batch ended before its commit"));
      }
      ticket->done = true;
    }
    committer_.leading_ = false;
    committer_.wake_.notify_all();
  }
  HandOff(const HandOff&) = delete;
  HandOff& operator=(const HandOff&) = delete;

 private:
  GroupCommitter& committer_;
  std::unique_lock<std::mutex>& lock_;
  const std::vector<Ticket*>& batch_;
};

GroupCommitter::GroupCommitter(Connection& connection, BatchLimits limits)
    : connection_(connection), limits_(limits) {}

void GroupCommitter::run(std::uint64_t bytes, const Unit& unit) {
  Ticket ticket(unit, bytes);
  std::unique_lock lock(mutex_);
  queue_.push_back(&ticket);
  // Normally a batch takes the ticket out of the queue; if this caller leaves by an exception
  // before that, its ticket must not stay behind for a later leader to write into.
  struct Dequeue {
    GroupCommitter& committer;
    Ticket& ticket;
    ~Dequeue() { std::erase(committer.queue_, &ticket); }
  } dequeue{*this, ticket};

  while (!ticket.done) {
    if (leading_ || pauses_ > 0) {
      wake_.wait(lock);
    } else {
      lead(lock);  // the batch may or may not include this caller's own ticket
    }
  }
  if (ticket.error) std::rethrow_exception(ticket.error);
}

void GroupCommitter::lead(std::unique_lock<std::mutex>& lock) {
  const std::vector<Ticket*> batch = take_batch();
  leading_ = true;
  HandOff hand_off(*this, lock, batch);
  lock.unlock();  // callers may queue while the batch is written
  commit(batch);
}

std::vector<GroupCommitter::Ticket*> GroupCommitter::take_batch() {
  std::vector<Ticket*> batch;
  // Reserved first: once a ticket leaves the queue, nothing may throw before it is in the batch.
  batch.reserve(std::min(queue_.size(), limits_.units));
  std::uint64_t bytes = 0;
  while (!queue_.empty() && batch.size() < limits_.units) {
    Ticket* next = queue_.front();
    // A unit larger than the limit still gets a batch: its own.
    if (!batch.empty() && bytes + next->bytes > limits_.bytes) break;
    bytes += next->bytes;
    batch.push_back(next);
    queue_.pop_front();
  }
  return batch;
}

void GroupCommitter::commit(const std::vector<Ticket*>& batch) {
  try {
    Transaction transaction(connection_, Transaction::Kind::immediate);
    for (Ticket* ticket : batch) {
      run_in_savepoint(*ticket);
      // Some errors (I/O, a full disk, out of memory) make SQLite roll back the whole
      // transaction: the units before this one are gone too.
      if (!connection_.in_transaction()) {
        throw StoreError("SQLite abandoned the batch transaction after: " +
                         describe(ticket->error));
      }
    }
    transaction.commit();  // synchronous=FULL: durable when this returns
  } catch (...) {
    // Nothing of this batch is durable, whatever each unit did: all of them fail alike.
    std::exception_ptr failure;
    try {
      throw;
    } catch (const StoreError&) {
      failure = std::current_exception();
    } catch (const std::exception& e) {
      failure = std::make_exception_ptr(
          StoreError(std::string("the batch transaction failed: ") + e.what()));
    } catch (...) {
      failure = std::make_exception_ptr(StoreError("the batch transaction failed"));
    }
    for (Ticket* ticket : batch) ticket->error = failure;
    return;
  }
  ++transactions_committed_;
  for (Ticket* ticket : batch) ticket->durable = !ticket->error;
}

void GroupCommitter::run_in_savepoint(Ticket& ticket) {
  Savepoint savepoint(connection_);  // if even this fails, the batch fails
  try {
    (*ticket.unit)(connection_);
    savepoint.release();
    return;
  } catch (...) {
    ticket.error = std::current_exception();
  }
  // Undone here, not left to the destructor (which cannot report), so that failing to undo
  // fails the batch rather than committing half a unit. If SQLite has abandoned the whole
  // transaction there is nothing to undo; commit() reports that.
  if (connection_.in_transaction()) savepoint.rollback();
}

std::uint64_t GroupCommitter::transactions_committed() const {
  return transactions_committed_.load();
}

std::size_t GroupCommitter::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

GroupCommitter::Pause::Pause(GroupCommitter& committer) : committer_(committer) {
  std::lock_guard lock(committer_.mutex_);
  ++committer_.pauses_;
}

GroupCommitter::Pause::~Pause() {
  {
    std::lock_guard lock(committer_.mutex_);
    --committer_.pauses_;
  }
  committer_.wake_.notify_all();
}

}  // namespace opcat::store::sqlite
