// The embedded store: one SQLite database, <data_dir>/gateway.sqlite3, and the spool of the
// submissions being received, <data_dir>/spool/.
//
// Threads: the store may be shared by any number of threads. It keeps two connections.
// - Writes. An intake may take minutes to read a large export, and SQLite has one writer at a
//   time: a writer holding the write transaction while it reads would queue every other intake
//   behind the slowest. So a SubmissionWriter writes nothing until commit(): its records and
//   errors go to its own spool (memory, then a temp file under spool/), and begin_submission
//   takes no lock at all. Every write then goes through the GroupCommitter on the write
//   connection: each commit() (and append_transfer) is a unit in one savepoint of a batch
//   transaction, and one COMMIT, one fsync of the WAL, makes a whole batch durable. Since the
//   fsync is what bounds commits per second (synchronous=FULL, because a receipt promises
//   durability), batching is what lets many intakes finish at once. Writers of this process
//   queue in the committer, never on SQLite's busy handler.
// - The read connection serves the queries under a mutex, one at a time; in WAL mode it reads
//   the last committed state while a batch is being written, never waiting for it.
//
// One store per data directory: spool files left in spool/ are taken for a crash's leftovers
// and removed when the store opens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>

#include "gateway/store/sqlite/connection.hpp"
#include "gateway/store/sqlite/group_committer.hpp"
#include "gateway/store/store.hpp"
#include "gateway/store/submission_spool.hpp"

namespace opcat::store::sqlite {

struct SqliteStoreOptions {
  // Spooled bytes a writer keeps in memory before it spills to a file.
  std::size_t spool_memory_limit = SubmissionSpool::kDefaultMemoryLimit;
  BatchLimits batch;
  // A reader beside a running gateway (`opcat-gateway consolidate`): the spool is left alone,
  // nothing is migrated (the database must be at this version), and both connections refuse
  // writes. Without it, opening would remove the running gateway's spool files.
  bool read_only = false;
};

class SqliteStore final : public Store {
 public:
  static constexpr const char* kFileName = "gateway.sqlite3";
  static constexpr const char* kSpoolDir = "spool";

  // Creates the data directory, the spool directory and the database if needed, removes
  // leftover spool files and migrates the database to the newest schema (unless read_only).
  // Throws StoreError if the database is from a newer gateway (or, read-only, another version).
  explicit SqliteStore(const std::filesystem::path& data_dir, SqliteStoreOptions options = {});

  std::optional<SubmissionSummary> find_by_body(std::string_view member,
                                                std::string_view sha256) override;
  std::optional<SubmissionSummary> find_by_idempotency_key(std::string_view member,
                                                           std::string_view key) override;
  std::unique_ptr<SubmissionWriter> begin_submission(const NewSubmission& submission) override;
  std::optional<SubmissionSummary> get_submission(std::string_view member,
                                                  std::string_view id) override;
  std::optional<std::vector<StoredRecordError>> list_errors(std::string_view member,
                                                            std::string_view id,
                                                            std::int64_t after,
                                                            std::size_t limit) override;
  std::optional<std::vector<StoredRecord>> list_records(std::string_view member,
                                                        std::string_view id, std::int64_t after,
                                                        std::size_t limit) override;
  std::vector<SubmissionSummary> list_submissions(std::string_view member,
                                                  Clock::time_point since,
                                                  std::size_t limit) override;
  void for_each_current_record(const RecordQuery& query,
                               const std::function<void(const CurrentRecord&)>& visit) override;
  std::int64_t append_transfer(const TransferLogEntry& entry) override;
  std::vector<TransferLogEntry> list_transfers(const TransferQuery& query) override;
  std::optional<TransferLogEntry> last_transfer() override;
  std::vector<SubmissionTotals> submission_totals() override;
  std::vector<MemberDayRecords> records_per_day(Clock::time_point since) override;
  std::optional<SubmissionSummary> find_submission(std::string_view id) override;
  bool create_operator_account(const OperatorAccount& account) override;
  bool replace_operator_account(const OperatorAccount& account) override;
  std::optional<OperatorAccount> find_operator_account(std::string_view name) override;
  std::vector<OperatorAccount> list_operator_accounts() override;
  bool disable_operator_account(std::string_view name, Clock::time_point when) override;
  bool raise_alert(const Alert& alert) override;
  bool clear_alert(std::string_view key, Clock::time_point when) override;
  std::vector<Alert> list_alerts(bool active_only, std::size_t limit) override;
  void append_checkpoint(const TransferLogCheckpoint& checkpoint) override;
  std::vector<TransferLogCheckpoint> list_checkpoints() override;

  // How many batch transactions have committed: fewer than the commits when batching works.
  std::uint64_t transactions_committed() const { return committer_.transactions_committed(); }
  std::size_t commits_waiting() const { return committer_.queued(); }
  // No batch starts while the pause lives (see GroupCommitter::Pause): for tests.
  GroupCommitter::Pause pause_commits() { return committer_.pause(); }

  // For what else lives in this database (the outbox, sqlite_outbox.hpp): a write unit runs
  // through the same group committer as every other write (its own savepoint, durable on
  // return), a read on the read connection under its mutex.
  void run_write(std::uint64_t bytes, const GroupCommitter::Unit& unit) {
    committer_.run(bytes, unit);
  }
  template <class Read>
  auto run_read(Read&& read) {
    std::lock_guard lock(read_mutex_);
    return read(read_);
  }

 private:
  void chain_unchained_entries();
  std::optional<SubmissionSummary> find_one(const std::string& where, std::string_view a,
                                            std::string_view b);
  bool owns(std::string_view member, std::string_view id);  // read_mutex_ held

  const std::filesystem::path spool_dir_;
  const std::size_t spool_memory_limit_;
  Connection write_;  // used only by the committer's leader of the moment
  GroupCommitter committer_;
  std::mutex read_mutex_;
  Connection read_;
};

}  // namespace opcat::store::sqlite
