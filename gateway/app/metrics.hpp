// GET /metrics on the admin listener: the gateway's state in Prometheus's text format (0.0.4),
// read at scrape time from the listeners' counters and the store, so nothing is double-counted
// across restarts for what the store holds (submissions, records, deliveries) and the counters
// of this process are plain counters (they restart at zero, as Prometheus expects).
#pragma once

#include <string>
#include <vector>

#include "gateway/net/listener_state.hpp"
#include "gateway/store/outbox.hpp"
#include "gateway/store/store.hpp"

namespace opcat::app {

struct MetricsSources {
  const net::ListenerStats& member_listener;
  const net::ListenerStats& admin_listener;
  store::Store& store;
  store::Outbox& outbox;
  std::vector<std::string> recipients;  // configured: each gets its outbox gauges, 0 when empty
  store::Clock::time_point now;
};

std::string render_metrics(const MetricsSources& sources);

// A label value as the text format wants it: backslash, double quote and newline escaped.
std::string escape_label(std::string_view value);

}  // namespace opcat::app
