// The gateway's network side: the member and admin listeners on one multi-threaded io_context,
// and a graceful shutdown on SIGTERM/SIGINT.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <memory>

#include "gateway/config/config.hpp"
#include "gateway/http/admin_api.hpp"
#include "gateway/http/member_api.hpp"
#include "gateway/net/listener.hpp"

namespace opcat::net {

// What the rest of the gateway gives its network side: the routes of each listener and, for
// upload routes, where bodies are streamed to and where their handlers run.
struct ServerParts {
  http::Router member_routes = http::member_api();
  http::Router admin_routes = http::admin_api();
  std::shared_ptr<const store::BodyArchive> archive = nullptr;
  boost::asio::any_io_executor work = {};
};

class Server {
 public:
  // Builds the TLS contexts and binds both listeners; throws std::runtime_error on any failure
  // (unreadable key, busy port) before anything is served.
  explicit Server(const config::Config& config, ServerParts parts = {});
  ~Server();

  boost::asio::ip::tcp::endpoint member_endpoint() const { return member_->local_endpoint(); }
  boost::asio::ip::tcp::endpoint admin_endpoint() const { return admin_->local_endpoint(); }
  const ListenerStats& member_stats() const { return member_->state().stats; }
  const ListenerStats& admin_stats() const { return admin_->state().stats; }

  // Serves on config.threads threads (the caller's included) until a graceful shutdown has
  // finished. With `handle_signals`, SIGTERM and SIGINT start that shutdown.
  void run(bool handle_signals = true);

  // Starts the graceful shutdown from any thread: stop accepting, let requests in flight finish
  // within the grace period, close idle connections, then return from run().
  void shutdown();

 private:
  void begin_shutdown(const char* cause);
  void on_drained();

  const config::Config config_;
  boost::asio::io_context ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer grace_timer_;
  std::shared_ptr<Listener> member_;
  std::shared_ptr<Listener> admin_;
  bool shutting_down_ = false;  // on strand_
  int listeners_draining_ = 0;  // on strand_
};

// Resolves a configured endpoint ("localhost:8443") to the address to bind.
boost::asio::ip::tcp::endpoint resolve(const config::Endpoint& endpoint);

}  // namespace opcat::net
