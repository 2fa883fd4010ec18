// The alerts operators are told about (issue 6): a delivery that failed for good, a member that
// has not pushed within its expected interval, a recipient's outbox older than a threshold. Each
// is raised once when its condition arises and cleared once when it ends, however often it is
// evaluated: the store keeps at most one active alert per condition (store::Alert), so a restart
// neither repeats nor forgets one. Raised and cleared alerts are logged (alert_raised at warn,
// alert_cleared at info), listed by GET /v1/alerts and counted in GET /metrics.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "gateway/config/config.hpp"
#include "gateway/store/outbox.hpp"
#include "gateway/store/store.hpp"

namespace opcat::app {

class AlertWatch {
 public:
  // Told of each alert raised (true) or cleared (false), once, as it happens (the webhook).
  using Notify = std::function<void(const store::Alert& alert, bool raised)>;

  // `store`, `outbox` and `config` must outlive the watch.
  AlertWatch(store::Store& store, store::Outbox& outbox, const config::Config& config,
             Notify notify = {});

  // Compares the conditions now with the active alerts: raises the new, clears the ended.
  // Returns how many alerts it raised or cleared. Runs every minute (Gateway's housekeeping).
  std::size_t evaluate(store::Clock::time_point now);

 private:
  // The conditions that hold now, by alert key.
  std::map<std::string, store::Alert> conditions(store::Clock::time_point now);

  store::Store& store_;
  store::Outbox& outbox_;
  const config::Config& config_;
  Notify notify_;
};

}  // namespace opcat::app
