#include "gateway/app/alert_watch.hpp"

#include "gateway/log/log.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::app {
namespace {

store::Alert alert(std::string kind, std::string subject, std::string message,
                   store::Clock::time_point now) {
  store::Alert a;
  a.key = kind + ":" + subject;
  a.kind = std::move(kind);
  a.subject = std::move(subject);
  a.message = std::move(message);
  a.raised_at = now;
  return a;
}

std::string hours_text(std::chrono::hours hours) {
  return std::to_string(hours.count()) + (hours.count() == 1 ? " hour" : " hours");
}

}  // namespace

AlertWatch::AlertWatch(store::Store& store, store::Outbox& outbox, const config::Config& config,
                       Notify notify)
    : store_(store), outbox_(outbox), config_(config), notify_(std::move(notify)) {}

std::map<std::string, store::Alert> AlertWatch::conditions(store::Clock::time_point now) {
  std::map<std::string, store::Alert> found;
  const auto add = [&](store::Alert a) { found.emplace(a.key, std::move(a)); };

  // A dead letter: until an operator re-queues it (or it is delivered after all).
  store::DeliveryQuery failed;
  failed.state = store::DeliveryState::failed;
  failed.limit = 1000;
  for (const store::Delivery& d : outbox_.list_deliveries(failed)) {
    add(alert("delivery_failed", d.id,
              "delivery " + d.id + " to " + d.recipient + " failed for good: " + d.failure_reason,
              now));
  }

  // Each watched member's newest submission against its expected interval.
  std::map<std::string, store::Clock::time_point> last_push;
  for (const auto& t : store_.submission_totals()) {
    auto& last = last_push[t.member];
    last = std::max(last, t.last_received_at);
  }
  for (const auto& [code, member] : config_.members) {
    if (!member.expected_interval) continue;
    const auto last = last_push.find(code);
    if (last == last_push.end()) {
      add(alert("member_overdue", code,
                member.name + " has never pushed (expected every " +
                    hours_text(*member.expected_interval) + ")",
                now));
    } else if (now - last->second > *member.expected_interval) {
      add(alert("member_overdue", code,
                member.name + " has not pushed since " + store::format_utc(last->second) +
                    " (expected every " + hours_text(*member.expected_interval) + ")",
                now));
    }
  }

  // A recipient's oldest undelivered delivery.
  if (config_.alerts.outbox_age.count() > 0) {
    for (const auto& t : outbox_.delivery_totals()) {
      if (t.state != store::DeliveryState::pending) continue;
      const auto age = std::chrono::duration_cast<std::chrono::minutes>(now - t.oldest_created);
      if (age > config_.alerts.outbox_age) {
        add(alert("outbox_age", t.recipient,
                  std::to_string(t.count) + " deliveries to " + t.recipient +
                      " waiting, the oldest for " + std::to_string(age.count()) +
                      " minutes (threshold " + std::to_string(config_.alerts.outbox_age.count()) +
                      ")",
                  now));
      }
    }
  }
  return found;
}

std::size_t AlertWatch::evaluate(store::Clock::time_point now) {
  now = std::chrono::floor<std::chrono::milliseconds>(now);
  const auto holding = conditions(now);
  std::size_t changed = 0;
  for (const store::Alert& active : store_.list_alerts(/*active_only=*/true, 100'000)) {
    if (holding.contains(active.key)) continue;
    if (store_.clear_alert(active.key, now)) {
      ++changed;
      log::info("alert_cleared")
          .field("alert", active.key)
          .field("kind", active.kind)
          .field("subject", active.subject);
      if (notify_) {
        store::Alert cleared = active;
        cleared.cleared_at = now;
        notify_(cleared, false);
      }
    }
  }
  for (const auto& [key, condition] : holding) {
    if (store_.raise_alert(condition)) {
      ++changed;
      log::warn("alert_raised")
          .field("alert", key)
          .field("kind", condition.kind)
          .field("subject", condition.subject)
          .field("message", condition.message);
      if (notify_) notify_(condition, true);
    }
  }
  return changed;
}

}  // namespace opcat::app
