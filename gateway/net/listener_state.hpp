// What the sessions of one listener share: immutable settings, the table of open connections
// (for the connection limit and for a graceful drain) and the listener's counters.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gateway/config/config.hpp"
#include "gateway/http/router.hpp"
#include "gateway/identity/directory.hpp"
#include "gateway/store/body_archive.hpp"

namespace opcat::net {

class Session;

// Set once at start, then read by sessions on every thread without locks.
struct ListenerSettings {
  std::string name;  // "member" or "admin": appears in every log line of the listener
  std::shared_ptr<boost::asio::ssl::context> tls;
  http::Router router;
  identity::Directory directory;
  config::Limits limits;
  config::Timeouts timeouts;
  // Uploads (routes added with Router::add_upload): where their bodies are streamed to, and the
  // executor their handlers (and those of routes added as Runs::on_worker) run on, away from
  // the I/O threads. Null on a listener without.
  std::shared_ptr<const store::BodyArchive> archive = nullptr;
  boost::asio::any_io_executor work = {};
};

// How long requests took, first byte to response written, in Prometheus's histogram form:
// cumulative counts per upper bound. Lock-free: every session adds to it.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 13> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                      1,     2.5,  5,     10,   30,  120};
  void record(double seconds);
  // Per bound (and a last one for +Inf), the requests that took at most that long.
  std::array<std::uint64_t, kBounds.size() + 1> cumulative() const;
  double sum_seconds() const;
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};  // not cumulative
  std::atomic<std::uint64_t> sum_microseconds_{0};
  std::atomic<std::uint64_t> count_{0};
};

// Counters for operators (GET /metrics on the admin listener).
struct ListenerStats {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused_over_limit{0};  // closed at accept: listener full
  std::atomic<std::uint64_t> tls_failures{0};
  std::atomic<std::uint64_t> timeouts{0};  // any deadline that cut a connection
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> uploads{0};  // upload bodies received whole
  LatencyHistogram latency;

  // Handshake failures by reason ("certificate has expired"): the reasons are OpenSSL's and few.
  void count_tls_failure(const std::string& reason);
  std::map<std::string, std::uint64_t> tls_failures_by_reason() const;

 private:
  mutable std::mutex reasons_mutex_;
  std::map<std::string, std::uint64_t> reasons_;
};

// The open sessions of a listener. Thread-safe.
class Connections {
 public:
  std::size_t size() const;
  // False once a drain has begun: a connection accepted in the moment before the acceptor
  // closed must not slip past the drain.
  bool add(std::uint64_t id, std::weak_ptr<Session> session);
  void remove(std::uint64_t id);

  // Asks every open session to finish the request it is serving and close. `on_empty` runs once,
  // as soon as no session is left (at once if there is none), on whichever thread closed the last.
  void drain(std::function<void()> on_empty);
  // Drops the callback of a drain that will not be waited for (the server is being destroyed).
  void abandon_drain();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions_;
  std::function<void()> on_empty_;  // set while draining
  bool draining_ = false;
};

struct ListenerState {
  explicit ListenerState(ListenerSettings s) : settings(std::move(s)) {}
  const ListenerSettings settings;
  Connections connections;
  ListenerStats stats;
};

}  // namespace opcat::net
