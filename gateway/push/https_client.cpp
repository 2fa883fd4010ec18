#include "gateway/push/https_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <optional>

namespace opcat::push {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// After a failed send, how long to look for an answer the gateway may have given before it stopped
// reading (a 413 decided on Content-Length alone).
constexpr std::chrono::milliseconds kEarlyAnswerWait{5'000};
// A polite TLS close after the answer is read; nothing depends on it, so it is kept short.
constexpr std::chrono::milliseconds kShutdownWait{2'000};

std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no detail from OpenSSL";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "OpenSSL error " + std::to_string(code);
}

[[noreturn]] void setup_failed(const std::string& what) {
  throw ClientSetupError(what + ": " + openssl_reason());
}

bool is_ip_address(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// Beast's host_name_verification only answers yes or no; recording why in the verify context
// makes the failed handshake say "hostname mismatch" instead of a bare "certificate verify failed".
class HostNameCheck {
 public:
  explicit HostNameCheck(const std::string& host) : check_(host), is_ip_(is_ip_address(host)) {}
  bool operator()(bool preverified, ssl::verify_context& context) const {
    const bool matches = check_(preverified, context);
    if (preverified && !matches) {
      X509_STORE_CTX_set_error(context.native_handle(), is_ip_ ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                                               : X509_V_ERR_HOSTNAME_MISMATCH);
    }
    return matches;
  }

 private:
  ssl::host_name_verification check_;
  bool is_ip_;
};

std::string seconds_text(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// One exchange: its own io_context and stream, so that nothing (a pending handler, a stop
// request posted late) can outlive it or leak into the next exchange.
class Connection {
 public:
  Connection(const ClientSettings& settings, ssl::context& tls, std::stop_token stop)
      : settings_(settings), stream_(ioc_, tls), stop_(std::move(stop)) {}

  std::optional<TransportFailure> open() {
    const GatewayUrl& gateway = settings_.gateway;
    // Server Name Indication carries DNS names only; an IP literal is verified without it.
    if (!is_ip_address(gateway.host) &&
        SSL_set_tlsext_host_name(stream_.native_handle(), gateway.host.c_str()) != 1) {
      return TransportFailure{FailureStage::tls_handshake, "cannot set SNI: " + openssl_reason()};
    }
    stream_.set_verify_mode(ssl::verify_peer);
    stream_.set_verify_callback(HostNameCheck(gateway.host));

    tcp::resolver resolver(ioc_);
    tcp::resolver::results_type addresses;
    error_code ec = asio::error::would_block;
    resolver.async_resolve(gateway.host, gateway.port,
                           [&](error_code result, tcp::resolver::results_type found) {
                             ec = result;
                             addresses = std::move(found);
                           });
    // The resolver is not a tcp_stream: its deadline is the time we let the loop run.
    ioc_.restart();
    ioc_.run_for(settings_.connect_timeout);
    if (ec == asio::error::would_block) {
      resolver.cancel();
      ioc_.restart();
      ioc_.run();
      ec = beast::error::timeout;
    }
    if (ec) return failure(FailureStage::resolve, ec, settings_.connect_timeout);

    ec = run(settings_.connect_timeout, [&](auto handler) {
      beast::get_lowest_layer(stream_).async_connect(addresses, std::move(handler));
    });
    if (ec) return failure(FailureStage::connect, ec, settings_.connect_timeout);

    ec = run(settings_.connect_timeout, [&](auto handler) {
      stream_.async_handshake(ssl::stream_base::client, std::move(handler));
    });
    if (ec) return failure(FailureStage::tls_handshake, ec, settings_.connect_timeout);
    return std::nullopt;
  }

  // Writes the request piece by piece, each piece under the request deadline: a big export on a
  // slow line is fine as long as it moves; a gateway that stops reading is not.
  template <class Body>
  std::optional<TransportFailure> send(http::request<Body>& request) {
    http::request_serializer<Body> serializer(request);
    while (!serializer.is_done()) {
      const error_code ec = run(settings_.request_timeout, [&](auto handler) {
        http::async_write_some(stream_, serializer, std::move(handler));
      });
      if (ec) return failure(FailureStage::send, ec, settings_.request_timeout);
    }
    return std::nullopt;
  }

  std::optional<TransportFailure> receive(HttpResponse& response,
                                          std::chrono::milliseconds deadline) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(settings_.response_body_limit);
    const error_code ec = run(deadline, [&](auto handler) {
      http::async_read(stream_, buffer_, parser, std::move(handler));
    });
    if (ec) return failure(FailureStage::receive, ec, deadline);
    response = parser.release();
    return std::nullopt;
  }

  void close() {
    if (stop_.stop_requested()) return;
    run(kShutdownWait, [&](auto handler) { stream_.async_shutdown(std::move(handler)); });
  }

  // Called from whichever thread requests the stop: the socket is closed on the exchange's own
  // loop, which makes the pending operation finish with an error at once.
  void abandon() {
    asio::post(ioc_, [this] { beast::get_lowest_layer(stream_).close(); });
  }

 private:
  template <class Start>
  error_code run(std::chrono::milliseconds deadline, Start&& start) {
    if (stop_.stop_requested()) return asio::error::operation_aborted;
    error_code result = asio::error::would_block;
    beast::get_lowest_layer(stream_).expires_after(deadline);
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  TransportFailure failure(FailureStage stage, const error_code& ec,
                           std::chrono::milliseconds deadline) {
    if (stop_.stop_requested()) return {FailureStage::stopped, "stopped before the exchange ended"};
    if (ec == beast::error::timeout) {
      return {stage, "no progress within " + seconds_text(deadline)};
    }
    if (ec == ssl::error::stream_truncated) {
      return {stage, "the gateway closed the connection without a TLS close_notify"};
    }
    if (ec.category() == asio::error::get_ssl_category()) {
      const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
      std::string text = reason != nullptr ? reason : ec.message();
      const long verify = SSL_get_verify_result(stream_.native_handle());
      if (verify != X509_V_OK) {
        text += std::string(": ") + X509_verify_cert_error_string(verify) +
                " (the gateway's certificate is not trusted by the --cacert bundle)";
      }
      return {stage, text};
    }
    return {stage, ec.message()};
  }

  const ClientSettings& settings_;
  // Declared before the stream: destroyed after it, with any handler still queued unrun.
  asio::io_context ioc_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::stop_token stop_;
};

// Connect, send, receive, close, with a stop request abandoning whichever step is under way.
template <class Body>
Exchange exchange(const ClientSettings& settings, ssl::context& tls, http::request<Body>& request,
                  std::stop_token stop) {
  if (stop.stop_requested()) {
    return TransportFailure{FailureStage::stopped, "stopped before the exchange began"};
  }
  try {
    Connection connection(settings, tls, stop);
    // Destroyed before the connection: a callback running concurrently is waited for.
    std::stop_callback on_stop(stop, [&connection] { connection.abandon(); });
    if (auto failed = connection.open()) return *failed;
    if (auto failed = connection.send(request)) {
      // The gateway may have answered and stopped reading (413 on Content-Length alone): that
      // answer is final, while the broken send alone would look temporary.
      HttpResponse early;
      if (failed->stage != FailureStage::stopped && !connection.receive(early, kEarlyAnswerWait)) {
        return early;
      }
      return *failed;
    }
    HttpResponse response;
    if (auto failed = connection.receive(response, settings.request_timeout)) return *failed;
    connection.close();
    return response;
  } catch (const std::exception& e) {
    // Out of memory or OpenSSL unable to make a session: no exchange, and no crash either.
    return TransportFailure{FailureStage::connect, e.what()};
  }
}

template <class Body>
void set_common_headers(http::request<Body>& request, const GatewayUrl& gateway) {
  request.set(http::field::host, gateway.authority());
  request.set(http::field::user_agent, "opcat-gateway-push");
  // One exchange per connection keeps the client simple and every exchange independent.
  request.set(http::field::connection, "close");
}

// The request target for an href the gateway gave: an API path is taken under the base path; a
// full URL must point at the same gateway (we never send the member's certificate elsewhere).
std::optional<std::string> target_of(std::string_view href, const GatewayUrl& gateway) {
  if (href.starts_with('/')) return gateway.target(href);
  const std::string origin = gateway.to_string();
  if (href.starts_with(origin) && href.size() > origin.size() && href[origin.size()] == '/') {
    return std::string(href.substr(origin.size() - gateway.base_path.size()));
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(FailureStage stage) {
  switch (stage) {
    case FailureStage::resolve: return "resolve";
    case FailureStage::connect: return "connect";
    case FailureStage::tls_handshake: return "tls_handshake";
    case FailureStage::send: return "send";
    case FailureStage::receive: return "receive";
    case FailureStage::local_file: return "local_file";
    case FailureStage::stopped: return "stopped";
  }
  return "connect";
}

HttpsClient::HttpsClient(ClientSettings settings)
    : settings_(std::move(settings)),
      tls_(std::make_unique<ssl::context>(ssl::context::tls_client)) {
  SSL_CTX* ctx = tls_->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_load_verify_locations(ctx, settings_.ca.c_str(), nullptr) != 1) {
    setup_failed("cannot load the CA bundle " + settings_.ca.string());
  }
  if (settings_.certificate.empty()) return;  // a server that asks for no client certificate
  if (SSL_CTX_use_certificate_chain_file(ctx, settings_.certificate.c_str()) != 1) {
    setup_failed("cannot load the certificate " + settings_.certificate.string());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, settings_.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    setup_failed("cannot load the private key " + settings_.private_key.string());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    setup_failed(settings_.private_key.string() + " does not belong to " +
                 settings_.certificate.string());
  }
}

HttpsClient::~HttpsClient() = default;

Exchange HttpsClient::post_file(std::string_view api_path, const std::filesystem::path& file,
                                const HeaderList& headers, std::stop_token stop) const {
  http::request<http::file_body> request{http::verb::post, settings_.gateway.target(api_path), 11};
  error_code ec;
  request.body().open(file.c_str(), beast::file_mode::scan, ec);
  if (ec) return TransportFailure{FailureStage::local_file, file.string() + ": " + ec.message()};
  set_common_headers(request, settings_.gateway);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.prepare_payload();
  return exchange(settings_, *tls_, request, std::move(stop));
}

Exchange HttpsClient::post_text(std::string_view api_path, std::string body,
                               std::string_view content_type, std::stop_token stop) const {
  std::string target = settings_.gateway.target(api_path);
  if (target.empty()) target = "/";  // a URL with no path (a webhook's root)
  http::request<http::string_body> request{http::verb::post, target, 11};
  set_common_headers(request, settings_.gateway);
  request.set(http::field::content_type, content_type);
  request.body() = std::move(body);
  request.prepare_payload();
  return exchange(settings_, *tls_, request, std::move(stop));
}

Exchange HttpsClient::get(std::string_view href, std::stop_token stop) const {
  const auto target = target_of(href, settings_.gateway);
  if (!target) {
    return TransportFailure{FailureStage::connect,
                            "refusing to follow \"" + std::string(href) + "\": not on " +
                                settings_.gateway.to_string()};
  }
  http::request<http::empty_body> request{http::verb::get, *target, 11};
  set_common_headers(request, settings_.gateway);
  request.set(http::field::accept, "application/json");
  return exchange(settings_, *tls_, request, std::move(stop));
}

}  // namespace opcat::push
