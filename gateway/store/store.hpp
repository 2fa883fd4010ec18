// The gateway's durable state behind one interface: SQLite (sqlite/) is the embedded default,
// a PostgreSQL backend for several gateways sharing one database can be added beside it.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/core/diagnostics.hpp"
#include "gateway/store/operator_account.hpp"
#include "gateway/store/submission.hpp"
#include "gateway/store/transfer_log_entry.hpp"

namespace opcat::store {

// The database failed or holds something it should not: not the member's fault.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The member already has a submission with this body or idempotency key: found by
// begin_submission, or by commit when the other one was committed meanwhile. Intake answers
// with the original receipt (or 409 for another body).
class DuplicateSubmission : public StoreError {
 public:
  explicit DuplicateSubmission(SubmissionSummary existing);
  const SubmissionSummary& existing() const { return existing_; }

 private:
  SubmissionSummary existing_;
};

// One submission being written: records and errors are held aside (nothing is written, no lock
// is held, however long the intake takes) and written all together, made durable, by commit().
// Destroyed without commit (an error, a dropped connection), nothing of it remains.
class SubmissionWriter {
 public:
  virtual ~SubmissionWriter() = default;
  // The id the receipt names, known before commit so the receipt can be built first.
  virtual const std::string& id() const = 0;
  virtual void add_record(const rapidjson::Value& record) = 0;
  virtual void add_error(const adapters::RecordError& error) = 0;
  // Writes the records, errors, the submission row and its transfer-log entry (direction "in")
  // in one transaction and returns once it is durable: only then may the member be
  // acknowledged. A rejected submission keeps its errors but none of its records. Throws
  // DuplicateSubmission if the same body or key was committed since begin_submission; then
  // nothing of this submission is kept. Call it at most once.
  virtual SubmissionSummary commit(const SubmissionCompletion& completion) = 0;
};

// An inclusive range of calendar days, as ISO dates ("2025-04-01", "2026-03-31").
struct DateRange {
  std::string first;
  std::string last;
};

// Which of the current records for_each_current_record streams.
struct RecordQuery {
  // Only records dated in the range, each type by its own dates: a visit by start_date, a
  // population by date, an indicator when period_start..period_end overlaps the range. Places
  // and recommendations carry no date of their own and all come: a recommendation belongs to
  // the period of its visit, which the caller knows from the visits it has seen.
  std::optional<DateRange> dated_in;
};

// One current record, as for_each_current_record hands it over (valid during the call only).
struct CurrentRecord {
  std::string submission_id;
  std::string member;
  std::string record_type;
  std::optional<std::string> record_id;
  std::string body;  // the record's JSON text, as stored
};

// Submissions at a glance, per member and status (GET /metrics).
struct SubmissionTotals {
  std::string member;
  SubmissionStatus status = SubmissionStatus::complete;
  std::uint64_t submissions = 0;
  std::uint64_t records_accepted = 0;
  std::uint64_t records_rejected = 0;
  Clock::time_point last_received_at;  // the newest of these submissions
};

// One member's submissions of one UTC day (the console's activity chart). None of a rejected
// submission's records was kept, so all of them, accepted or not, count as rejected.
struct MemberDayRecords {
  std::string member;
  std::string day;  // "YYYY-MM-DD", UTC, of received_at
  std::uint64_t records_accepted = 0;
  std::uint64_t records_rejected = 0;
  std::uint64_t submissions = 0;
};

// Every query that names a member answers only with that member's data: isolation is in the
// query, so a handler cannot forget it.
class Store {
 public:
  virtual ~Store() = default;

  virtual std::optional<SubmissionSummary> find_by_body(std::string_view member,
                                                        std::string_view sha256) = 0;
  virtual std::optional<SubmissionSummary> find_by_idempotency_key(std::string_view member,
                                                                   std::string_view key) = 0;
  // Throws DuplicateSubmission if the member already has this body or key. The returned
  // writer holds no lock: any number may be open at once, on any threads.
  virtual std::unique_ptr<SubmissionWriter> begin_submission(const NewSubmission& submission) = 0;

  virtual std::optional<SubmissionSummary> get_submission(std::string_view member,
                                                          std::string_view id) = 0;
  // Errors with seq > after, at most limit; nullopt if the submission is not this member's.
  virtual std::optional<std::vector<StoredRecordError>> list_errors(std::string_view member,
                                                                    std::string_view id,
                                                                    std::int64_t after,
                                                                    std::size_t limit) = 0;
  // Records with seq > after, at most limit; nullopt if the submission is not this member's.
  virtual std::optional<std::vector<StoredRecord>> list_records(std::string_view member,
                                                                std::string_view id,
                                                                std::int64_t after,
                                                                std::size_t limit) = 0;
  // The member's submissions received at or after since, oldest first.
  virtual std::vector<SubmissionSummary> list_submissions(std::string_view member,
                                                          Clock::time_point since,
                                                          std::size_t limit) = 0;

  // Streams the current records of every member, for consolidation. Current: accepted in a
  // submission that was not rejected, and not superseded. Members re-push whole-year exports,
  // so a record sent again in a member's later submission replaces the earlier version: records
  // are the same when they have the same member, record_type and id (a population: the same
  // place and date; an indicator: the same place, indicator and period), and only those of the
  // member's most recent submission holding one count. Nothing is read into memory: `visit`
  // sees one record at a time, all from one consistent snapshot of the database. Order
  // (deterministic, so that consolidation can merge as it streams): by record type in the
  // schema's order (place, visit, recommendation, population, indicator), then a visit by
  // start_date, a population by date, an indicator by period_start, then member, then a
  // recommendation by visit_id, then id (or the key above), submission and position. Does not
  // block other readers or writers while it runs.
  virtual void for_each_current_record(const RecordQuery& query,
                                       const std::function<void(const CurrentRecord&)>& visit) = 0;

  // For crossings other than intake (which commit() logs itself). Returns the entry's seq. Every
  // append (here, in commit(), in the outbox) extends the hash chain (transfer_log_chain.hpp).
  virtual std::int64_t append_transfer(const TransferLogEntry& entry) = 0;
  virtual std::vector<TransferLogEntry> list_transfers(const TransferQuery& query) = 0;
  // The newest entry, if any.
  virtual std::optional<TransferLogEntry> last_transfer() = 0;

  // For operators (not member-scoped: the admin listener's metrics).
  virtual std::vector<SubmissionTotals> submission_totals() = 0;
  // For operators (not member-scoped): per member and UTC day, the submissions received at or
  // after since; by day, then member.
  virtual std::vector<MemberDayRecords> records_per_day(Clock::time_point since) = 0;
  // For operators only: any member's submission. Member-facing code uses get_submission.
  virtual std::optional<SubmissionSummary> find_submission(std::string_view id) = 0;

  // Operator accounts of the console (not member-scoped). Every write is durable on return.
  // create writes nothing and returns false if the name is taken, even by a disabled account.
  virtual bool create_operator_account(const OperatorAccount& account) = 0;
  // Overwrites display_name, role and password_hash and enables the account again (a reset);
  // created_at and created_by stay. False if there is no account with that name.
  virtual bool replace_operator_account(const OperatorAccount& account) = 0;
  virtual std::optional<OperatorAccount> find_operator_account(std::string_view name) = 0;
  virtual std::vector<OperatorAccount> list_operator_accounts() = 0;  // by name
  // False if there is no such account or it is disabled already.
  virtual bool disable_operator_account(std::string_view name, Clock::time_point when) = 0;

  // Alerts. raise_alert stores it unless one with its key is active (false then); clear_alert
  // clears the active one with that key (false if none).
  virtual bool raise_alert(const Alert& alert) = 0;
  virtual bool clear_alert(std::string_view key, Clock::time_point when) = 0;
  // Newest first; only the active ones, or the last `limit` of all.
  virtual std::vector<Alert> list_alerts(bool active_only, std::size_t limit) = 0;

  // Signed checkpoints of the chain's head, oldest first.
  virtual void append_checkpoint(const TransferLogCheckpoint& checkpoint) = 0;
  virtual std::vector<TransferLogCheckpoint> list_checkpoints() = 0;
};

}  // namespace opcat::store
