// Accepts TCP connections on one address and hands each to a Session, within the connection limit.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <memory>

#include "gateway/net/listener_state.hpp"

namespace opcat::net {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens at once, so that a busy port is reported before the gateway says it is
  // ready. Throws std::runtime_error naming the address.
  Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
           std::shared_ptr<ListenerState> state);

  boost::asio::ip::tcp::endpoint local_endpoint() const { return endpoint_; }
  ListenerState& state() { return *state_; }

  void run();   // starts accepting
  void stop();  // stops accepting; open sessions are left alone (see Connections::drain)

 private:
  void accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
  void refuse(boost::asio::ip::tcp::socket& socket);

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::shared_ptr<ListenerState> state_;
  std::chrono::steady_clock::time_point last_refusal_log_{};
  std::uint64_t refusals_since_log_ = 0;
};

}  // namespace opcat::net
