#include "gateway/store/sqlite/submission_writer.hpp"

#include <rapidjson/writer.h>

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

SqliteSubmissionWriter::SqliteSubmissionWriter(Connection& connection, WriteGateHold gate,
                                               std::unique_ptr<Transaction> transaction,
                                               const NewSubmission& submission)
    : connection_(connection), gate_(std::move(gate)), transaction_(std::move(transaction)) {
  summary_.id = new_submission_id();
  summary_.member = submission.member;
  summary_.sha256 = submission.sha256;
  summary_.size = submission.size;
  summary_.idempotency_key = submission.idempotency_key;
  summary_.received_at = submission.received_at;
  summary_.adapter = submission.adapter;
  summary_.mapping_version = submission.mapping_version;
}

SqliteSubmissionWriter::~SqliteSubmissionWriter() {
  transaction_.reset();  // rolls back unless committed
  gate_.release();
}

void SqliteSubmissionWriter::add_record(const rapidjson::Value& record) {
  if (!transaction_) throw std::logic_error("SubmissionWriter::add_record after commit");
  buffer_.Clear();
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer_);
  record.Accept(writer);
  const std::string_view type = string_member(record, "record_type");
  // Every record type names its own id "<record_type>_id" (place_id, visit_id...).
  const std::string_view record_id =
      type.empty() ? std::string_view() : string_member(record, std::string(type) + "_id");

  Statement statement = connection_.prepare(
      "INSERT INTO records (submission_id, seq, record_type, record_id, body)"
      " VALUES (?1, ?2, ?3, ?4, ?5)");
  statement.bind(1, summary_.id)
      .bind(2, ++record_seq_)
      .bind(3, type)
      .bind_or_null(4, record_id)
      .bind(5, std::string_view(buffer_.GetString(), buffer_.GetSize()))
      .run();
}

void SqliteSubmissionWriter::add_error(const adapters::RecordError& error) {
  if (!transaction_) throw std::logic_error("SubmissionWriter::add_error after commit");
  Statement statement = connection_.prepare(
      "INSERT INTO record_errors (submission_id, seq, locator, field, source_field, value, code,"
      " message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  statement.bind(1, summary_.id)
      .bind(2, ++error_seq_)
      .bind(3, error.locator)
      .bind(4, error.field)
      .bind(5, error.source_field)
      .bind(6, error.value)
      .bind(7, error.code)
      .bind(8, error.message)
      .run();
}

SubmissionSummary SqliteSubmissionWriter::commit(const SubmissionCompletion& completion) {
  if (!transaction_) throw std::logic_error("SubmissionWriter::commit twice");
  summary_.status = status_of(completion.outcome.verdict);
  summary_.accepted = completion.outcome.accepted;
  summary_.rejected = completion.outcome.rejected;
  summary_.receipt_json = completion.receipt_json;
  insert_submission(connection_, summary_);
  if (summary_.status == SubmissionStatus::rejected) {
    // Rejected as a whole: records read before the verdict must not reach any recipient.
    Statement statement = connection_.prepare("DELETE FROM records WHERE submission_id = ?1");
    statement.bind(1, summary_.id).run();
  }

  TransferLogEntry entry;
  entry.time = Clock::now();
  entry.direction = TransferDirection::in;
  entry.member = summary_.member;
  entry.submission_id = summary_.id;
  entry.bytes = summary_.size;
  entry.records = summary_.status == SubmissionStatus::rejected ? 0 : summary_.accepted;
  entry.status = to_string(summary_.status);
  entry.http_status = completion.http_status;
  entry.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started_)
                          .count();
  entry.error = completion.outcome.reason;
  insert_transfer(connection_, entry);

  transaction_->commit();  // synchronous=FULL: durable when this returns
  transaction_.reset();
  gate_.release();
  return summary_;
}

}  // namespace opcat::store::sqlite
