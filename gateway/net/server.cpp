#include "gateway/net/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <stdexcept>
#include <thread>
#include <vector>

#include "gateway/log/log.hpp"
#include "gateway/net/tls_context.hpp"

namespace opcat::net {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

unsigned thread_count(unsigned configured) {
  if (configured > 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

}  // namespace

tcp::endpoint resolve(const config::Endpoint& endpoint) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(endpoint.host, ec);
  if (!ec) return {address, endpoint.port};
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  const auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port),
                                        tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    throw std::runtime_error("cannot resolve " + endpoint.to_string() + ": " + ec.message());
  }
  return results.begin()->endpoint();
}

Server::Server(const config::Config& config, ServerParts parts)
    : config_(config),
      ioc_(static_cast<int>(thread_count(config.threads))),
      strand_(asio::make_strand(ioc_)),
      signals_(strand_),
      grace_timer_(strand_) {
  // TLS contexts are complete before any thread runs (ssl::context setup is not thread-safe).
  auto member_state = std::make_shared<ListenerState>(ListenerSettings{
      "member", make_server_tls(config.tls, config.tls.client_ca, config.tls.crl),
      std::move(parts.member_routes), identity::Directory::of_members(config), config.limits,
      config.timeouts, std::move(parts.archive), parts.work});
  auto admin_state = std::make_shared<ListenerState>(ListenerSettings{
      "admin", make_server_tls(config.tls, config.admin.client_ca, config.admin.crl,
                               config.admin.console ? ClientCertificate::optional
                                                    : ClientCertificate::required),
      std::move(parts.admin_routes), identity::Directory::of_operators(config), config.limits,
      config.timeouts, nullptr, parts.work});
  member_ = std::make_shared<Listener>(ioc_, resolve(config.listen), std::move(member_state));
  admin_ = std::make_shared<Listener>(ioc_, resolve(config.admin.listen), std::move(admin_state));
}

Server::~Server() {
  // Sessions cut by the grace period die with the io_context, after this object's strand: they
  // must not report back to it.
  member_->state().connections.abandon_drain();
  admin_->state().connections.abandon_drain();
}

void Server::run(bool handle_signals) {
  if (handle_signals) {
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    signals_.async_wait([this](boost::system::error_code ec, int signal) {
      if (!ec) begin_shutdown(signal == SIGTERM ? "SIGTERM" : "SIGINT");
    });
  }
  member_->run();
  admin_->run();
  const unsigned threads = thread_count(config_.threads);
  log::info("listening")
      .field("member", endpoint_text(member_endpoint()))
      .field("admin", endpoint_text(admin_endpoint()))
      .field("threads", threads)
      .field("members", static_cast<std::uint64_t>(config_.members.size()))
      .field("operators", static_cast<std::uint64_t>(config_.operators.size()));

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& thread : pool) thread.join();
  log::info("stopped");
}

void Server::shutdown() {
  asio::dispatch(strand_, [this] { begin_shutdown("requested"); });
}

void Server::begin_shutdown(const char* cause) {
  if (shutting_down_) return;
  shutting_down_ = true;
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  log::info("draining")
      .field("cause", cause)
      .field("open_member_connections",
             static_cast<std::uint64_t>(member_->state().connections.size()))
      .field("open_admin_connections", static_cast<std::uint64_t>(admin_->state().connections.size()))
      .field("grace_ms", static_cast<std::int64_t>(config_.timeouts.grace.count()));

  member_->stop();
  admin_->stop();

  grace_timer_.expires_after(config_.timeouts.grace);
  grace_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // every connection closed in time
    log::warn("grace_period_over")
        .field("cut_member_connections",
               static_cast<std::uint64_t>(member_->state().connections.size()))
        .field("cut_admin_connections",
               static_cast<std::uint64_t>(admin_->state().connections.size()));
    ioc_.stop();
  });

  listeners_draining_ = 2;
  const auto drained = [this] { asio::post(strand_, [this] { on_drained(); }); };
  member_->state().connections.drain(drained);
  admin_->state().connections.drain(drained);
}

void Server::on_drained() {
  if (--listeners_draining_ > 0) return;
  grace_timer_.cancel();  // nothing left: run() returns once the last handlers have run
}

}  // namespace opcat::net
