#include "gateway/app/metrics.hpp"

#include <cstdio>
#include <functional>
#include <map>
#include <sstream>

namespace opcat::app {
namespace {

class Exposition {
 public:
  // Every family once, with its help and type, before its samples.
  void family(const char* name, const char* type, const char* help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  }
  void sample(const std::string& name, const std::string& labels, double value) {
    char number[32];
    std::snprintf(number, sizeof number, "%.17g", value);
    out_ << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << number << '\n';
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string label(const char* key, std::string_view value) {
  return std::string(key) + "=\"" + escape_label(value) + "\"";
}

void latency_samples(Exposition& text, const std::string& listener, const net::ListenerStats& s) {
  const auto cumulative = s.latency.cumulative();
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    char bound[32];
    if (i < net::LatencyHistogram::kBounds.size()) {
      std::snprintf(bound, sizeof bound, "%g", net::LatencyHistogram::kBounds[i]);
    } else {
      std::snprintf(bound, sizeof bound, "+Inf");
    }
    text.sample("opcat_request_duration_seconds_bucket", listener + "," + label("le", bound),
                static_cast<double>(cumulative[i]));
  }
  text.sample("opcat_request_duration_seconds_sum", listener, s.latency.sum_seconds());
  text.sample("opcat_request_duration_seconds_count", listener,
              static_cast<double>(s.latency.count()));
}

// A family of the listeners' counters: its samples for one listener.
struct ListenerFamily {
  const char* name;
  const char* type;
  const char* help;
  std::function<void(Exposition&, const std::string& listener, const net::ListenerStats&)> samples;
};

// A plain counter of ListenerStats.
ListenerFamily counter(const char* name, const char* help,
                       const std::atomic<std::uint64_t> net::ListenerStats::*field) {
  return {name, "counter", help,
          [name, field](Exposition& text, const std::string& listener, const net::ListenerStats& s) {
            text.sample(name, listener, static_cast<double>((s.*field).load()));
          }};
}

}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_metrics(const MetricsSources& sources) {
  Exposition text;

  const auto submissions = sources.store.submission_totals();
  text.family("opcat_submissions_total", "counter", "Submissions stored, by member and status.");
  for (const auto& t : submissions) {
    text.sample("opcat_submissions_total",
                label("member", t.member) + "," + label("status", store::to_string(t.status)),
                static_cast<double>(t.submissions));
  }
  text.family("opcat_records_total", "counter",
              "Records of stored submissions, by member and outcome (accepted or rejected).");
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> records;  // member -> (ok, bad)
  for (const auto& t : submissions) {
    records[t.member].first += t.records_accepted;
    records[t.member].second += t.records_rejected;
  }
  for (const auto& [member, counts] : records) {
    text.sample("opcat_records_total", label("member", member) + ",outcome=\"accepted\"",
                static_cast<double>(counts.first));
    text.sample("opcat_records_total", label("member", member) + ",outcome=\"rejected\"",
                static_cast<double>(counts.second));
  }

  const auto deliveries = sources.outbox.delivery_totals();
  text.family("opcat_deliveries", "gauge", "Deliveries in the outbox, by recipient and state.");
  for (const auto& t : deliveries) {
    text.sample("opcat_deliveries",
                label("recipient", t.recipient) + "," + label("state", store::to_string(t.state)),
                static_cast<double>(t.count));
  }
  text.family("opcat_outbox_pending", "gauge", "Deliveries not yet delivered nor failed.");
  text.family("opcat_outbox_oldest_pending_age_seconds", "gauge",
              "Age of the oldest undelivered delivery, 0 when there is none.");
  for (const std::string& recipient : sources.recipients) {
    double pending = 0;
    double age = 0;
    for (const auto& t : deliveries) {
      if (t.recipient != recipient || t.state != store::DeliveryState::pending) continue;
      pending = static_cast<double>(t.count);
      age = std::chrono::duration<double>(sources.now - t.oldest_created).count();
    }
    text.sample("opcat_outbox_pending", label("recipient", recipient), pending);
    text.sample("opcat_outbox_oldest_pending_age_seconds", label("recipient", recipient),
                age > 0 ? age : 0);
  }

  text.family("opcat_alerts_active", "gauge", "Alerts raised and not yet cleared, by kind.");
  std::map<std::string, std::uint64_t> active;
  for (const char* kind : {"delivery_failed", "member_overdue", "outbox_age"}) active[kind] = 0;
  for (const auto& alert : sources.store.list_alerts(/*active_only=*/true, 100'000)) {
    ++active[alert.kind];
  }
  for (const auto& [kind, count] : active) {
    text.sample("opcat_alerts_active", label("kind", kind), static_cast<double>(count));
  }

  const ListenerFamily families[] = {
      counter("opcat_connections_accepted_total", "TCP connections accepted.",
              &net::ListenerStats::accepted),
      counter("opcat_connections_refused_total",
              "Connections closed at accept: the listener was full.",
              &net::ListenerStats::refused_over_limit),
      {"opcat_tls_handshake_failures_total", "counter", "TLS handshakes that failed, by reason.",
       [](Exposition& text, const std::string& listener, const net::ListenerStats& s) {
         for (const auto& [reason, count] : s.tls_failures_by_reason()) {
           text.sample("opcat_tls_handshake_failures_total",
                       listener + "," + label("reason", reason), static_cast<double>(count));
         }
       }},
      counter("opcat_deadline_timeouts_total",
              "Connections cut by a deadline (handshake, header, body, write).",
              &net::ListenerStats::timeouts),
      counter("opcat_requests_total", "HTTP requests answered.", &net::ListenerStats::requests),
      {"opcat_request_duration_seconds", "histogram",
       "From a request's first byte to its response written.", latency_samples},
  };
  for (const ListenerFamily& family : families) {
    text.family(family.name, family.type, family.help);
    family.samples(text, label("listener", "member"), sources.member_listener);
    family.samples(text, label("listener", "admin"), sources.admin_listener);
  }
  return text.str();
}

}  // namespace opcat::app
