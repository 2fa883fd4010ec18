// How the store's domain structs map to rows: one place for column lists, shared by the store's
// queries and the submission writer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gateway/store/sqlite/connection.hpp"

namespace opcat::store::sqlite {

// "SELECT <submission columns> FROM submissions "; read_submission reads a row of it.
extern const std::string kSelectSubmission;
SubmissionSummary read_submission(const Statement& row);

void insert_submission(Connection& connection, const SubmissionSummary& submission);
// The member's committed submission with this body or this idempotency key (either may have
// made a new one a duplicate): what DuplicateSubmission carries.
std::optional<SubmissionSummary> find_same_body_or_key(Connection& connection,
                                                       std::string_view member,
                                                       std::string_view sha256,
                                                       const std::optional<std::string>& key);

extern const std::string kSelectTransfer;
TransferLogEntry read_transfer(const Statement& row);
// Appends the entry and extends the hash chain; returns its seq.
std::int64_t insert_transfer(Connection& connection, const TransferLogEntry& entry);
// Sets the hash chain of the entry `seq` (its prev_hash from the entry before it, its hash over
// the row as stored): at insert, and for entries written before the chain existed.
void chain_transfer(Connection& connection, std::int64_t seq);

// The SQL of list_transfers for the filters the query sets: one statement per combination
// rather than "(?3 IS NULL OR member = ?3)", which would keep SQLite from using the indexes.
// Parameters (only those of the filters set appear): ?1 after_seq, ?2 limit, ?3 member,
// ?4 status, ?5 recipient, ?6 direction, ?7 before_seq.
std::string transfer_query_sql(const TransferQuery& query);

// Store::records_per_day. Parameter ?1: since. Columns: day, member, records accepted, records
// rejected, submissions.
extern const std::string kSelectRecordsPerDay;

// "SELECT <operator account columns> FROM operator_accounts "; read_operator_account reads a
// row of it.
extern const std::string kSelectOperatorAccount;
OperatorAccount read_operator_account(const Statement& row);

// The query behind Store::for_each_current_record. Parameters: ?1 first day, ?2 last day (both
// NULL: no period). Columns: submission_id, member, record_type, record_id, body.
extern const std::string kSelectCurrentRecords;

}  // namespace opcat::store::sqlite
