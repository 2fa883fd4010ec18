#include "tests/support/tls_client.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>

namespace opcat::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using boost::system::error_code;

TlsClient::TlsClient(asio::ip::tcp::endpoint server, ClientOptions options)
    : server_(server), options_(std::move(options)), tls_(asio::ssl::context::tls_client) {
  SSL_CTX* ctx = tls_.native_handle();
  if (options_.legacy) {
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
  }
  if (options_.min_version) SSL_CTX_set_min_proto_version(ctx, options_.min_version);
  if (options_.max_version) SSL_CTX_set_max_proto_version(ctx, options_.max_version);
  tls_.load_verify_file(options_.ca.string());
  tls_.set_verify_mode(asio::ssl::verify_peer);
  if (options_.certificate) tls_.use_certificate_chain_file(options_.certificate->string());
  if (options_.private_key) tls_.use_private_key_file(options_.private_key->string(), asio::ssl::context::pem);
}

template <class Start>
error_code TlsClient::run(Start&& start) {
  error_code result = asio::error::would_block;
  beast::get_lowest_layer(*stream_).expires_after(options_.timeout);
  start([&result](error_code ec, auto&&...) { result = ec; });
  ioc_.restart();
  ioc_.run();
  return result;
}

error_code TlsClient::connect() {
  stream_.emplace(ioc_, tls_);
  SSL_set_tlsext_host_name(stream_->native_handle(), "localhost");
  SSL_set1_host(stream_->native_handle(), "localhost");
  if (auto ec = run([&](auto handler) {
        beast::get_lowest_layer(*stream_).async_connect(server_, std::move(handler));
      })) {
    return ec;
  }
  return run([&](auto handler) {
    stream_->async_handshake(asio::ssl::stream_base::client, std::move(handler));
  });
}

error_code TlsClient::exchange(Request request, Response& response) {
  request.set(beast_http::field::host, "localhost");
  request.prepare_payload();
  if (auto ec = run([&](auto handler) { beast_http::async_write(*stream_, request, std::move(handler)); })) {
    return ec;
  }
  return read(response);
}

error_code TlsClient::get(const std::string& target, Response& response) {
  return exchange(Request{beast_http::verb::get, target, 11}, response);
}

error_code TlsClient::write(std::string_view bytes) {
  return run([&](auto handler) {
    asio::async_write(*stream_, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
  });
}

error_code TlsClient::read(Response& response) {
  response = {};
  return run([&](auto handler) { beast_http::async_read(*stream_, buffer_, response, std::move(handler)); });
}

error_code TlsClient::trickle(std::string_view bytes, std::chrono::milliseconds interval,
                              std::chrono::milliseconds& waited) {
  const auto start = std::chrono::steady_clock::now();
  Response response;
  asio::steady_timer timer(ioc_);
  std::size_t sent = 0;
  bool read_done = false;
  std::function<void()> send_next = [&] {
    if (read_done || sent == bytes.size()) return;
    asio::async_write(*stream_, asio::buffer(bytes.data() + sent, 1), [&](error_code ec, std::size_t) {
      if (ec) return;  // the server has cut us off; the read below reports how
      ++sent;
      timer.expires_after(interval);
      timer.async_wait([&](error_code wait_ec) {
        if (!wait_ec) send_next();
      });
    });
  };
  const auto result = run([&](auto handler) {
    beast_http::async_read(*stream_, buffer_, response,
                           [&, handler = std::move(handler)](error_code ec, std::size_t n) mutable {
                             read_done = true;
                             timer.cancel();
                             handler(ec, n);
                           });
    send_next();
  });
  waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return result;
}

error_code TlsClient::close() {
  return run([&](auto handler) { stream_->async_shutdown(std::move(handler)); });
}

std::string TlsClient::describe(const error_code& ec) const {
  if (ec.category() == asio::error::get_ssl_category()) {
    if (const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()))) {
      return reason;
    }
  }
  return ec.message();
}

}  // namespace opcat::testing
