#include "gateway/push/push_outcome.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

#include "gateway/push/receipt.hpp"

namespace opcat::push {
namespace {

namespace http = boost::beast::http;

// Delta-seconds only (RFC 9110 section 10.2.3); the HTTP-date form is left to our own backoff.
std::optional<std::chrono::seconds> retry_after(const HttpResponse& response) {
  const auto found = response.find(http::field::retry_after);
  if (found == response.end()) return std::nullopt;
  const std::string_view text = found->value();
  std::uint64_t seconds = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return std::min(std::chrono::seconds(std::min<std::uint64_t>(seconds, 1ull << 32)),
                  kLongestRetryAfter);
}

std::string header(const HttpResponse& response, std::string_view name) {
  const auto found = response.find(name);
  return found == response.end() ? std::string() : std::string(found->value());
}

// "422 rejected as a whole (3 errors; first: ...)" or "413 body_too_large: ...".
std::string rejection_reason(unsigned status, const std::string& body) {
  const std::string prefix = std::to_string(status) + " ";
  if (auto receipt = read_receipt(body); receipt && !receipt->status.empty()) {
    std::string text = prefix + "rejected as a whole";
    if (!receipt->reason.empty()) text += ": " + receipt->reason;
    if (receipt->errors_total > 0) {
      text += " (" + std::to_string(receipt->errors_total) + " errors";
      if (!receipt->first_error.empty()) text += "; first: " + receipt->first_error;
      text += ")";
    }
    return text;
  }
  if (auto error = read_error(body)) return prefix + *error;
  return prefix + std::string(http::obsolete_reason(static_cast<http::status>(status)));
}

bool is_temporary(unsigned status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::accepted: return "accepted";
    case Verdict::rejected: return "rejected";
    case Verdict::retry_later: return "retry_later";
  }
  return "retry_later";
}

PushOutcome classify(const HttpResponse& response) {
  PushOutcome outcome;
  outcome.http_status = response.result_int();
  outcome.body = response.body();
  outcome.location = header(response, "Location");
  const unsigned status = outcome.http_status;
  const auto receipt = read_receipt(outcome.body);
  outcome.body_is_receipt =
      status == 200 || status == 202 || (status == 422 && receipt && !receipt->submission_id.empty());
  if (outcome.body_is_receipt) {
    outcome.receipt_signature = decode_base64(header(response, "Receipt-Signature")).value_or("");
  }

  if ((status == 200 || status == 202) && receipt && receipt->status == "rejected") {
    // Not what the contract says the gateway does (it answers 422), but a receipt that says
    // "rejected" must never put the export in sent/.
    outcome.verdict = Verdict::rejected;
    outcome.reason = rejection_reason(status, outcome.body);
  } else if (status == 200 || status == 202) {
    outcome.verdict = Verdict::accepted;
    outcome.already_accepted = status == 200;
    outcome.reason = status == 200 ? "already accepted earlier" : "accepted";
  } else if (is_temporary(status)) {
    outcome.verdict = Verdict::retry_later;
    outcome.retry_after = retry_after(response);
    std::string detail = read_error(outcome.body).value_or(
        std::string(http::obsolete_reason(response.result())));
    outcome.reason = std::to_string(status) + " " + detail;
  } else {
    // 422, 409, 400, 403, 404, 413, 415 and anything the contract does not name (a redirect, an
    // unexpected 2xx): sending the same bytes again would get the same answer.
    outcome.verdict = Verdict::rejected;
    outcome.reason = rejection_reason(status, outcome.body);
  }
  return outcome;
}

PushOutcome classify(const TransportFailure& failure) {
  PushOutcome outcome;
  outcome.verdict = Verdict::retry_later;
  outcome.reason = std::string(to_string(failure.stage)) + ": " + failure.reason;
  return outcome;
}

PushOutcome classify(const Exchange& exchange) {
  return std::visit([](const auto& result) { return classify(result); }, exchange);
}

std::optional<std::string> decode_base64(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact.push_back(c);
  }
  if (compact.size() % 4 != 0) return std::nullopt;
  std::string bytes(compact.size() / 4 * 3, '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                      reinterpret_cast<const unsigned char*>(compact.data()),
                                      static_cast<int>(compact.size()));
  if (written < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as decoded zero bytes.
  const std::size_t padding = compact.ends_with("==") ? 2 : compact.ends_with('=') ? 1 : 0;
  bytes.resize(static_cast<std::size_t>(written) - padding);
  return bytes;
}

}  // namespace opcat::push
