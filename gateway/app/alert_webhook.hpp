// Alerts POSTed to the operators' own webhook ([alerts] webhook_url): each raise and each clear,
// once, as JSON (alert_notification). Sent from a thread of its own, so a slow or absent endpoint
// never holds up the housekeeping that raises alerts; a notification is retried a few times with
// a growing wait, then dropped with a warning. Nothing is lost by dropping: the alert itself is
// in the store, the log, GET /v1/alerts, the metrics and the console regardless.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "gateway/store/transfer_log_entry.hpp"

namespace opcat::push {
class HttpsClient;
}

namespace opcat::app {

struct WebhookSettings {
  std::string url;                    // https://host[:port]/path
  std::filesystem::path ca;           // verifies the endpoint's certificate
  std::filesystem::path certificate;  // a client certificate to present; empty: none
  std::filesystem::path private_key;
  unsigned attempts = 4;                         // per notification
  std::chrono::milliseconds first_retry{2'000};  // then doubled each time
  std::size_t max_queued = 1'000;                // beyond: the newest is dropped, with a warning
};

// {"event":"alert_raised"|"alert_cleared","alert":{"kind","subject","message","raised_at",
//  "cleared_at"},"source":"opcat-gateway"}
std::string alert_notification(const store::Alert& alert, bool raised);

class AlertWebhook {
 public:
  // Throws std::invalid_argument for a bad URL, push::ClientSetupError for unusable files.
  explicit AlertWebhook(WebhookSettings settings);
  ~AlertWebhook();  // stops at once: what is still queued is dropped (and logged)
  AlertWebhook(const AlertWebhook&) = delete;
  AlertWebhook& operator=(const AlertWebhook&) = delete;

  // Queues the notification and returns at once.
  void notify(const store::Alert& alert, bool raised);

 private:
  void run(std::stop_token stop);

  const WebhookSettings settings_;
  std::unique_ptr<push::HttpsClient> client_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<std::string> queued_;
  std::jthread thread_;  // last: started once everything above exists
};

}  // namespace opcat::app
