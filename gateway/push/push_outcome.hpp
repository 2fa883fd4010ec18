// What the gateway's answer (or the lack of one) means for an export: it is in, it will never be
// in as it is, or we try again later. Pure functions: every status is tested without a network.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "gateway/push/https_client.hpp"

namespace opcat::push {

enum class Verdict {
  accepted,     // 200 or 202: a receipt came, the export needs no more pushing
  rejected,     // a final answer (422, 409, 4xx): pushing the same file again cannot help
  retry_later,  // 408, 429, 5xx, or no answer at all: the same file may well go through later
};
std::string_view to_string(Verdict verdict);

struct PushOutcome {
  Verdict verdict = Verdict::retry_later;
  unsigned http_status = 0;       // 0 when no answer came
  bool already_accepted = false;  // 200: the gateway had this export already (same receipt)
  // The answer's body exactly as it came: the receipt for 200, 202 and 422, an error otherwise.
  std::string body;
  // The receipt's detached CMS signature (DER), decoded from Receipt-Signature; empty when the
  // header was absent or not base64.
  std::string receipt_signature;
  std::string location;                          // Location: /v1/submissions/<id>
  std::optional<std::chrono::seconds> retry_after;  // Retry-After, in seconds, when given
  std::string reason;  // in words, for logs and messages
  // The body is a (signed) receipt: always for 200 and 202; for 422 when the gateway got as far as
  // reading the export (a 422 refusing it beforehand, "no_adapter", carries an error instead).
  bool body_is_receipt = false;

  bool has_receipt() const { return body_is_receipt; }
};

// The gateway asking for longer than this is more likely mistaken than right; we come back then.
inline constexpr std::chrono::seconds kLongestRetryAfter{3600};

PushOutcome classify(const HttpResponse& response);
PushOutcome classify(const TransportFailure& failure);
PushOutcome classify(const Exchange& exchange);

// Standard base64 (RFC 4648, padded) to bytes; nothing when the text is not base64.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace opcat::push
