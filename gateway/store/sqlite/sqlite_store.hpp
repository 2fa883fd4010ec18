// The embedded store: one SQLite database, <data_dir>/gateway.sqlite3.
//
// Threads: the store may be shared by any number of threads. It keeps two connections.
// - The write connection is used by one writer at a time: begin_submission and append_transfer
//   take the write gate, and a SubmissionWriter keeps it until commit or destruction. SQLite
//   allows only one write transaction anyway; queuing on our gate instead of SQLite's busy
//   handler means a writer waits as long as it must and never sees SQLITE_BUSY. The gate is a
//   semaphore, not a mutex, so a writer may be finished on another thread than it began on
//   (an Asio handler resuming elsewhere). A writer held open while a slow client trickles its
//   body blocks other writers: receive the body into the BodyArchive first, then feed the
//   writer from the archived file.
// - The read connection serves the queries under a mutex, one at a time; in WAL mode it reads
//   the last committed state while a writer is busy, never waiting for it.
#pragma once

#include <filesystem>
#include <mutex>
#include <semaphore>

#include "gateway/store/sqlite/connection.hpp"
#include "gateway/store/store.hpp"

namespace opcat::store::sqlite {

class SqliteStore final : public Store {
 public:
  static constexpr const char* kFileName = "gateway.sqlite3";

  // Creates the data directory and database if needed and migrates it to the newest schema.
  // Throws StoreError if the database is from a newer gateway.
  explicit SqliteStore(const std::filesystem::path& data_dir);

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
  std::int64_t append_transfer(const TransferLogEntry& entry) override;
  std::vector<TransferLogEntry> list_transfers(const TransferQuery& query) override;

 private:
  std::optional<SubmissionSummary> find_one(const std::string& where, std::string_view a,
                                            std::string_view b);
  bool owns(std::string_view member, std::string_view id);  // read_mutex_ held

  Connection write_;
  std::binary_semaphore write_gate_{1};
  std::mutex read_mutex_;
  Connection read_;
};

}  // namespace opcat::store::sqlite
