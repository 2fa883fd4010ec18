// The Deliverer: one thread that takes due deliveries from the outbox and hands each to its
// recipient, until it is delivered (signed receipt), refused (4xx: dead letter), or retried for
// longer than the recipient's give_up_after (dead letter, "delivery_failed" alert). Waits between
// attempts are exponential with full jitter and a cap (push::Backoff), and live in the store as
// due times: a restart resumes exactly where the last run stopped.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/config/config.hpp"
#include "gateway/delivery/recipient.hpp"
#include "gateway/push/backoff.hpp"
#include "gateway/store/outbox.hpp"

namespace opcat::delivery {

struct DelivererOptions {
  // The outbox's clock (due times, give-up). Injected by tests to step through retries.
  std::function<store::Clock::time_point()> now = [] { return store::Clock::now(); };
  push::RandomSource random = push::system_random();
  // How long a claimed delivery is reserved for its attempt; longer than any exchange.
  std::chrono::milliseconds lease{std::chrono::minutes(30)};
  // The longest sleep with nothing due (a safety net: enqueue and requeue wake it at once).
  std::chrono::milliseconds idle_wait{std::chrono::seconds(60)};
  std::size_t batch = 16;
};

// A recipient the deliverer serves, with its retry policy.
struct ActiveRecipient {
  std::unique_ptr<Recipient> recipient;
  config::RetryPolicy retry;
};

class Deliverer {
 public:
  Deliverer(store::Outbox& outbox, std::vector<ActiveRecipient> recipients,
            DelivererOptions options = {});
  // Push and folder recipients of the config (pull recipients fetch by themselves).
  static std::vector<ActiveRecipient> from_config(
      const std::map<std::string, config::Recipient>& recipients);
  ~Deliverer();  // stops
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  // Releases leases left by a previous process, then starts the thread.
  void start();
  // Interrupts an exchange in progress (it is retried after a restart) and joins the thread.
  void stop();
  // Something became due (an enqueue, a requeue): look now rather than at the next due time.
  void wake();

  // An operator's second chance for a failed delivery: pending and due now. False unless failed.
  bool requeue(const std::string& id);

  // One pass: every delivery due now, each attempted once. Returns how many were attempted.
  // What the thread runs; tests call it directly with an injected clock.
  std::size_t run_once(std::stop_token stop = {});

 private:
  void run(std::stop_token stop);
  void attempt(const store::Delivery& delivery, const ActiveRecipient& target,
               std::stop_token stop);

  store::Outbox& outbox_;
  std::map<std::string, ActiveRecipient> recipients_;  // by name
  std::vector<std::string> names_;
  DelivererOptions options_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool woken_ = false;
  std::jthread thread_;
};

}  // namespace opcat::delivery
