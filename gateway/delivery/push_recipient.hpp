// Push mode: the payload POSTed over mutual TLS to the recipient's endpoint (docs/protocol.md),
// with the reused push agent's HTTPS client; the answer classified, the receipt verified.
#pragma once

#include <memory>

#include "gateway/delivery/recipient.hpp"
#include "gateway/push/https_client.hpp"

namespace opcat::delivery {

// The headers of every attempt of one delivery (the same on each: Idempotency-Key is the id).
push::HeaderList delivery_headers(const store::Delivery& delivery);

// What an exchange means for the delivery: pure, so every status is tested without a socket.
// 200/201 with a valid receipt: delivered; 408, 429, 5xx, no answer, a bad receipt: retry;
// any other 4xx: failed.
Handover classify(const push::Exchange& exchange, const store::Delivery& delivery,
                  const std::filesystem::path& ca);

class PushRecipient final : public Recipient {
 public:
  explicit PushRecipient(const config::Recipient& settings);
  const std::string& name() const override { return name_; }
  Handover hand_over(const store::Delivery& delivery, std::stop_token stop) override;

 private:
  std::string name_;
  std::filesystem::path ca_;
  std::string api_path_;  // "" when the URL has a path (it is the base path), else "/"
  std::unique_ptr<push::HttpsClient> client_;
};

}  // namespace opcat::delivery
