#include "gateway/delivery/deliverer.hpp"

#include <algorithm>

#include "gateway/log/log.hpp"

namespace opcat::delivery {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

push::Backoff backoff_for(const config::RetryPolicy& retry, const push::RandomSource& random) {
  return push::Backoff(push::BackoffPolicy{retry.initial, retry.max}, random);
}

}  // namespace

Deliverer::Deliverer(store::Outbox& outbox, std::vector<ActiveRecipient> recipients,
                     DelivererOptions options)
    : outbox_(outbox), options_(std::move(options)) {
  for (ActiveRecipient& active : recipients) {
    const std::string name = active.recipient->name();
    names_.push_back(name);
    recipients_.emplace(name, std::move(active));
  }
}

std::vector<ActiveRecipient> Deliverer::from_config(
    const std::map<std::string, config::Recipient>& recipients) {
  std::vector<ActiveRecipient> active;
  for (const auto& [name, settings] : recipients) {
    if (auto recipient = make_recipient(settings)) {
      active.push_back({std::move(recipient), settings.retry});
    }
  }
  return active;
}

Deliverer::~Deliverer() { stop(); }

void Deliverer::start() {
  if (thread_.joinable()) return;
  // No attempt of this process is in flight yet: any lease in the store is a dead process's.
  outbox_.release_claims();
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void Deliverer::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

void Deliverer::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

bool Deliverer::requeue(const std::string& id) {
  const bool requeued = outbox_.requeue(id, options_.now());
  if (requeued) {
    log::info("delivery_requeued").field("delivery_id", id);
    wake();
  }
  return requeued;
}

std::size_t Deliverer::run_once(std::stop_token stop) {
  std::size_t attempted = 0;
  for (;;) {
    const auto due = outbox_.claim_due(names_, options_.now(), options_.lease, options_.batch);
    if (due.empty()) return attempted;
    for (const store::Delivery& delivery : due) {
      if (stop.stop_requested()) return attempted;  // leased ones are released at next start
      attempt(delivery, recipients_.at(delivery.recipient), stop);
      ++attempted;
    }
  }
}

void Deliverer::run(std::stop_token stop) {
  log::info("deliverer_started").field("recipients", static_cast<std::uint64_t>(names_.size()));
  while (!stop.stop_requested()) {
    try {
      run_once(stop);
    } catch (const std::exception& e) {
      // The store failed (disk full...): nothing was lost, the deliveries are still pending.
      log::error("deliverer_error").field("reason", e.what());
    }
    // Sleep until the next due time, a wake(), or the idle safety net, whichever comes first.
    milliseconds wait = options_.idle_wait;
    try {
      if (const auto next = outbox_.next_due(names_)) {
        wait = std::clamp(duration_cast<milliseconds>(*next - options_.now()) + milliseconds(1),
                          milliseconds(0), options_.idle_wait);
      }
    } catch (const std::exception&) {
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, stop, wait, [this] { return woken_; });
    woken_ = false;
  }
  log::info("deliverer_stopped");
}

void Deliverer::attempt(const store::Delivery& delivery, const ActiveRecipient& target,
                        std::stop_token stop) {
  const auto started = std::chrono::steady_clock::now();
  store::DeliveryAttempt attempt;
  attempt.delivery_id = delivery.id;
  attempt.time = options_.now();
  Handover handover;
  try {
    handover = target.recipient->hand_over(delivery, stop);
  } catch (const std::exception& e) {
    handover.error = e.what();  // retry
  }
  attempt.http_status = handover.http_status;
  attempt.error = handover.error;
  attempt.duration_ms =
      duration_cast<milliseconds>(std::chrono::steady_clock::now() - started).count();
  const unsigned attempts = delivery.attempts + 1;

  switch (handover.result) {
    case Handover::Result::delivered:
      outbox_.mark_delivered(attempt, handover.receipt, handover.receipt_signature);
      log::info("delivery_delivered")
          .field("delivery_id", delivery.id)
          .field("recipient", delivery.recipient)
          .field("attempts", attempts)
          .field("http_status", handover.http_status);
      return;
    case Handover::Result::failed:
      outbox_.mark_failed(attempt, handover.error);
      // The alert: a dead letter needs an operator (requeue after the cause is fixed).
      log::error("delivery_failed")
          .field("delivery_id", delivery.id)
          .field("recipient", delivery.recipient)
          .field("attempts", attempts)
          .field("http_status", handover.http_status)
          .field("reason", handover.error);
      return;
    case Handover::Result::retry:
      break;
  }
  if (stop.stop_requested() && handover.http_status == 0) {
    // Abandoned by a shutdown, not refused by the recipient: due again at the next start.
    outbox_.record_retry(attempt, attempt.time);
    return;
  }
  const auto now = options_.now();
  if (now - delivery.retry_since >= target.retry.give_up_after) {
    const std::string reason = "gave up after " +
                               std::to_string(target.retry.give_up_after.count()) +
                               " hours; last error: " + handover.error;
    outbox_.mark_failed(attempt, reason);
    log::error("delivery_failed")
        .field("delivery_id", delivery.id)
        .field("recipient", delivery.recipient)
        .field("attempts", attempts)
        .field("reason", reason);
    return;
  }
  const milliseconds wait =
      backoff_for(target.retry, options_.random).delay(attempts, handover.retry_after);
  outbox_.record_retry(attempt, now + wait);
  log::warn("delivery_retry")
      .field("delivery_id", delivery.id)
      .field("recipient", delivery.recipient)
      .field("attempts", attempts)
      .field("http_status", handover.http_status)
      .field("error", handover.error)
      .field("wait_ms", static_cast<std::int64_t>(wait.count()));
}

}  // namespace opcat::delivery
