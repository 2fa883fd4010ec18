#include "gateway/net/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include <stdexcept>

#include "gateway/log/log.hpp"
#include "gateway/net/session.hpp"

namespace opcat::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

Listener::Listener(asio::io_context& ioc, const tcp::endpoint& endpoint,
                   std::shared_ptr<ListenerState> state)
    : ioc_(ioc),
      strand_(asio::make_strand(ioc)),
      acceptor_(strand_),
      backoff_(strand_),
      state_(std::move(state)) {
  beast::error_code ec;
  const auto where = [&](const char* step) {
    return state_->settings.name + " listener: cannot " + step + " " +
           endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ": " +
           ec.message();
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) throw std::runtime_error(where("open"));
  if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true), ec);
  if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) {
    throw std::runtime_error(where("configure"));
  }
  if (acceptor_.bind(endpoint, ec); ec) throw std::runtime_error(where("bind"));
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
    throw std::runtime_error(where("listen on"));
  }
  endpoint_ = acceptor_.local_endpoint();
}

void Listener::run() {
  asio::dispatch(strand_, [self = shared_from_this()] { self->accept(); });
}

void Listener::stop() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    beast::error_code ignored;
    self->backoff_.cancel();
    self->acceptor_.close(ignored);
  });
}

void Listener::accept() {
  // Each connection gets its own strand: its handlers never run concurrently, on any thread.
  acceptor_.async_accept(asio::make_strand(ioc_),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open()) return;  // stopped
  if (ec) {
    // Typically out of file descriptors: pause instead of spinning on the same error.
    log::error("accept_failed").field("listener", state_->settings.name).field("reason", ec.message());
    backoff_.expires_after(std::chrono::milliseconds(100));
    backoff_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->accept();
    });
    return;
  }
  ++state_->stats.accepted;
  if (state_->connections.size() >= state_->settings.limits.max_connections) {
    refuse(socket);
  } else {
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<Session>(std::move(socket), state_)->run();
  }
  accept();
}

void Listener::refuse(tcp::socket& socket) {
  // Refused before the TLS handshake: a full listener spends nothing on the newcomer.
  ++state_->stats.refused_over_limit;
  ++refusals_since_log_;
  beast::error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);  // RST: no TIME_WAIT pile-up
  socket.close(ignored);
  // A flood of refusals must not become a flood of log lines: at most one a second.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ >= std::chrono::seconds(1)) {
    log::warn("connection_refused")
        .field("listener", state_->settings.name)
        .field("reason", "connection limit reached")
        .field("limit", static_cast<std::uint64_t>(state_->settings.limits.max_connections))
        .field("refused", refusals_since_log_)
        .field("refused_total", state_->stats.refused_over_limit.load());
    last_refusal_log_ = now;
    refusals_since_log_ = 0;
  }
}

}  // namespace opcat::net
