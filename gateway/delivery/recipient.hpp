// A recipient the gateway hands deliveries over to itself: over HTTPS (push_recipient.hpp) or
// into a folder (folder_recipient.hpp). A pull-mode recipient has no implementation here: it
// fetches from the gateway (pull_api.hpp), so the deliverer never claims its deliveries.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "gateway/config/config.hpp"
#include "gateway/store/outbox.hpp"

namespace opcat::delivery {

// What one attempt came to.
struct Handover {
  enum class Result {
    delivered,  // the recipient has it and said so with a valid receipt
    retry,      // not now (down, 5xx, 408/429, an invalid receipt): try again later
    failed,     // refused for good (4xx): the dead letter
  };
  Result result = Result::retry;
  int http_status = 0;
  std::string error;  // empty when delivered
  std::string receipt;
  std::string receipt_signature;  // DER; empty when the recipient signs nothing (folder)
  std::optional<std::chrono::seconds> retry_after;  // the recipient's Retry-After
};

class Recipient {
 public:
  virtual ~Recipient() = default;
  virtual const std::string& name() const = 0;
  // One attempt; never throws for anything the recipient did (that is a Handover).
  virtual Handover hand_over(const store::Delivery& delivery, std::stop_token stop) = 0;
};

// The implementation for the configured mode; nullptr for pull mode. Throws std::runtime_error
// when a certificate or key cannot be loaded.
std::unique_ptr<Recipient> make_recipient(const config::Recipient& settings);

}  // namespace opcat::delivery
