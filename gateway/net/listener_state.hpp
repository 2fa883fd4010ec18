// What the sessions of one listener share: immutable settings, the table of open connections
// (for the connection limit and for a graceful drain) and the listener's counters.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
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
  // executor their handlers run on, away from the I/O threads. Null on a listener without.
  std::shared_ptr<const store::BodyArchive> archive = nullptr;
  boost::asio::any_io_executor work = {};
};

// Counters for operators (the metrics endpoint of a later issue reads them).
struct ListenerStats {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused_over_limit{0};  // closed at accept: listener full
  std::atomic<std::uint64_t> tls_failures{0};
  std::atomic<std::uint64_t> timeouts{0};  // any deadline that cut a connection
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> uploads{0};  // upload bodies received whole
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
