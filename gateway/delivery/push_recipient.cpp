#include "gateway/delivery/push_recipient.hpp"

#include <charconv>

#include "adapters/core/utf8_text.hpp"
#include "gateway/delivery/folder_recipient.hpp"
#include "gateway/delivery/receipt_check.hpp"
#include "gateway/push/gateway_url.hpp"
#include "gateway/signing/base64.hpp"

namespace opcat::delivery {
namespace {

std::optional<std::chrono::seconds> retry_after_of(const push::HttpResponse& response) {
  const auto it = response.find("Retry-After");
  if (it == response.end()) return std::nullopt;
  const std::string_view text = it->value();
  long seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

// The first words of the recipient's error body, for the transfer log.
// The start of a recipient's error body, for the delivery's last_error and the transfer log
// (shown as JSON by the admin API: cut on a character boundary, invalid UTF-8 replaced).
std::string excerpt(const std::string& body) { return adapters::utf8_excerpt(body, 300); }

}  // namespace

push::HeaderList delivery_headers(const store::Delivery& delivery) {
  return {{"Idempotency-Key", delivery.id},
          {"Content-Type", delivery.content_type},
          {"Payload-SHA256", delivery.sha256},
          {"Payload-Signature", signing::base64_encode(delivery.signature)}};
}

Handover classify(const push::Exchange& exchange, const store::Delivery& delivery,
                  const std::filesystem::path& ca) {
  Handover handover;
  if (const auto* failure = std::get_if<push::TransportFailure>(&exchange)) {
    handover.error = std::string(push::to_string(failure->stage)) + ": " + failure->reason;
    return handover;  // retry
  }
  const auto& response = std::get<push::HttpResponse>(exchange);
  const int status = static_cast<int>(response.result_int());
  handover.http_status = status;
  if (status == 200 || status == 201) {
    std::string signature;
    if (const auto it = response.find("Receipt-Signature"); it != response.end()) {
      signature = signing::base64_decode(it->value()).value_or("");
    }
    if (auto problem = receipt_problem(response.body(), signature, delivery, ca)) {
      handover.error = "invalid receipt: " + *problem;
      return handover;  // retry: the recipient's dedup answers again with the original receipt
    }
    handover.result = Handover::Result::delivered;
    handover.receipt = response.body();
    handover.receipt_signature = std::move(signature);
    return handover;
  }
  handover.error = "HTTP " + std::to_string(status) + ": " + excerpt(response.body());
  if (status == 408 || status == 429 || status >= 500) {
    handover.retry_after = retry_after_of(response);
    return handover;
  }
  // Any other 4xx says the request itself is wrong: the same bytes will never be accepted.
  if (status >= 400 && status < 500) handover.result = Handover::Result::failed;
  return handover;
}

PushRecipient::PushRecipient(const config::Recipient& settings) : name_(settings.name), ca_(settings.ca) {
  push::ClientSettings client;
  client.gateway = push::GatewayUrl::parse(settings.url);
  client.certificate = settings.certificate;
  client.private_key = settings.private_key;
  client.ca = settings.ca;
  api_path_ = client.gateway.base_path.empty() ? "/" : "";
  client_ = std::make_unique<push::HttpsClient>(std::move(client));
}

Handover PushRecipient::hand_over(const store::Delivery& delivery, std::stop_token stop) {
  return classify(client_->post_file(api_path_, delivery.payload, delivery_headers(delivery), stop),
                  delivery, ca_);
}

std::unique_ptr<Recipient> make_recipient(const config::Recipient& settings) {
  switch (settings.mode) {
    case config::DeliveryMode::push:
      return std::make_unique<PushRecipient>(settings);
    case config::DeliveryMode::folder:
      return std::make_unique<FolderRecipient>(settings);
    case config::DeliveryMode::pull:
      return nullptr;
  }
  return nullptr;
}

}  // namespace opcat::delivery
