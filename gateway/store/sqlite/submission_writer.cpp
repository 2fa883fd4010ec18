#include "gateway/store/sqlite/submission_writer.hpp"

#include <rapidjson/writer.h>
#include <sqlite3.h>

#include <stdexcept>

#include "gateway/store/sqlite/rows.hpp"
#include "gateway/store/submission_id.hpp"

namespace opcat::store::sqlite {
namespace {

std::string_view string_member(const rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return {};
  const auto found = object.FindMember(
      rapidjson::Value(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  if (found == object.MemberEnd() || !found->value.IsString()) return {};
  return {found->value.GetString(), found->value.GetStringLength()};
}

}  // namespace

SqliteSubmissionWriter::SqliteSubmissionWriter(GroupCommitter& committer,
                                               const std::filesystem::path& spool_dir,
                                               std::size_t spool_memory_limit,
                                               const NewSubmission& submission)
    : committer_(committer), spool_(spool_dir, spool_memory_limit) {
  summary_.id = new_submission_id();
  summary_.member = submission.member;
  summary_.sha256 = submission.sha256;
  summary_.size = submission.size;
  summary_.idempotency_key = submission.idempotency_key;
  summary_.received_at = submission.received_at;
  summary_.adapter = submission.adapter;
  summary_.mapping_version = submission.mapping_version;
}

void SqliteSubmissionWriter::add_record(const rapidjson::Value& record) {
  if (committed_) throw std::logic_error("SubmissionWriter::add_record after commit");
  buffer_.Clear();
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer_);
  record.Accept(writer);
  const std::string_view type = string_member(record, "record_type");
  // Every record type names its own id "<record_type>_id" (place_id, visit_id...).
  const std::string_view record_id =
      type.empty() ? std::string_view() : string_member(record, std::string(type) + "_id");
  spool_.add_record(type, record_id, std::string_view(buffer_.GetString(), buffer_.GetSize()));
}

void SqliteSubmissionWriter::add_error(const adapters::RecordError& error) {
  if (committed_) throw std::logic_error("SubmissionWriter::add_error after commit");
  spool_.add_error(error);
}

SubmissionSummary SqliteSubmissionWriter::commit(const SubmissionCompletion& completion) {
  if (committed_) throw std::logic_error("SubmissionWriter::commit twice");
  committed_ = true;
  summary_.status = status_of(completion.outcome.verdict);
  summary_.accepted = completion.outcome.accepted;
  summary_.rejected = completion.outcome.rejected;
  summary_.receipt_json = completion.receipt_json;
  summary_.receipt_signature = completion.receipt_signature;
  try {
    spool_.seal();
    committer_.run(spool_.size_bytes(),
                   [&](Connection& connection) { write(connection, completion); });
  } catch (...) {
    spool_.discard();  // committed or not, the spool has served
    throw;
  }
  spool_.discard();
  return summary_;
}

void SqliteSubmissionWriter::write(Connection& connection, const SubmissionCompletion& completion) {
  insert_submission_or_throw_duplicate(connection);

  // A rejected submission keeps its errors but none of its records: records read before the
  // verdict must not reach any recipient.
  const bool keep_records = summary_.status != SubmissionStatus::rejected;
  std::int64_t record_seq = 0;
  std::int64_t error_seq = 0;
  spool_.replay(
      [&](const SpooledRecord& record) {
        if (!keep_records) return;
        Statement statement = connection.prepare(
            "INSERT INTO records (submission_id, seq, record_type, record_id, body)"
            " VALUES (?1, ?2, ?3, ?4, ?5)");
        statement.bind(1, summary_.id)
            .bind(2, ++record_seq)
            .bind(3, record.record_type)
            .bind_or_null(4, record.record_id)
            .bind(5, record.body)
            .run();
      },
      [&](const adapters::RecordError& error) {
        Statement statement = connection.prepare(
            "INSERT INTO record_errors (submission_id, seq, locator, field, source_field, value,"
            " code, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        statement.bind(1, summary_.id)
            .bind(2, ++error_seq)
            .bind(3, error.locator)
            .bind(4, error.field)
            .bind(5, error.source_field)
            .bind(6, error.value)
            .bind(7, error.code)
            .bind(8, error.message)
            .run();
      });

  TransferLogEntry entry;
  entry.time = Clock::now();
  entry.direction = TransferDirection::in;
  entry.member = summary_.member;
  entry.submission_id = summary_.id;
  entry.bytes = summary_.size;
  entry.records = keep_records ? summary_.accepted : 0;
  entry.status = to_string(summary_.status);
  entry.http_status = completion.http_status;
  entry.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started_)
                          .count();
  entry.error = completion.outcome.reason;
  insert_transfer(connection, entry);
}

// The submission row goes first, so that the UNIQUE constraints settle a duplicate before a
// single record is written. begin_submission checked already, but another writer (of this batch
// or of an earlier one) may have committed the same body or key since.
void SqliteSubmissionWriter::insert_submission_or_throw_duplicate(Connection& connection) {
  try {
    insert_submission(connection, summary_);
  } catch (const SqliteError& e) {
    if (e.code() != SQLITE_CONSTRAINT_UNIQUE) throw;
    // Read in the same transaction: the original may be in this very batch, not yet committed.
    auto existing = find_same_body_or_key(connection, summary_.member, summary_.sha256,
                                          summary_.idempotency_key);
    if (!existing) throw;
    throw DuplicateSubmission(std::move(*existing));
  }
}

}  // namespace opcat::store::sqlite
