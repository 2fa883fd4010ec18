// The few fields of the gateway's JSON answers that the agent reads, for its logs, messages and
// the error report. The receipt itself is always kept as the exact bytes that came: those are
// what the signature covers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace opcat::push {

struct ReceiptSummary {
  std::string submission_id;
  std::string member;
  std::string status;  // "complete", "partial" or "rejected"
  std::string reason;  // why an export was rejected as a whole, when it was
  std::string sha256;
  std::uint64_t records_accepted = 0;
  std::uint64_t records_rejected = 0;
  std::uint64_t errors_total = 0;
  std::string first_error;  // the message of errors.first[0], when there is one
  std::string errors_href;  // where the full error list is read, when there is one
};

// Nothing when the body is not a JSON object; absent or mistyped fields read as empty / zero.
std::optional<ReceiptSummary> read_receipt(std::string_view body);

// "code: message" from the gateway's error shape {"error":{"code","message"}}; nothing otherwise.
std::optional<std::string> read_error(std::string_view body);

// The JSON on a single line, for stdout's one-receipt-per-line: returned as it is when it already
// is one line, written compactly otherwise (same content, not the same bytes).
std::string on_one_line(std::string_view json);

}  // namespace opcat::push
