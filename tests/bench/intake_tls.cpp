#include "tests/bench/intake_tls.hpp"

#include <sys/resource.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fstream>
#include <stdexcept>

namespace opcat::bench {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;

[[noreturn]] void tls_setup_failed(const std::string& what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  throw std::runtime_error(what + ": " + (reason != nullptr ? reason : "no detail from OpenSSL"));
}

}  // namespace

std::unique_ptr<ssl::context> member_tls_context(const MemberIdentity& member,
                                                 const std::filesystem::path& ca) {
  auto tls = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* ctx = tls->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
    tls_setup_failed("cannot load the CA bundle " + ca.string());
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, member.certificate.c_str()) != 1) {
    tls_setup_failed("cannot load the certificate " + member.certificate.string());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, member.private_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    tls_setup_failed("cannot use the private key " + member.private_key.string());
  }
  return tls;
}

asio::awaitable<void> open_connection(TlsStream& stream, const push::GatewayUrl& gateway,
                                      std::chrono::milliseconds timeout) {
  using asio::use_awaitable;
  asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
  const auto addresses = co_await resolver.async_resolve(gateway.host, gateway.port, use_awaitable);
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback(ssl::host_name_verification(gateway.host));
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await beast::get_lowest_layer(stream).async_connect(addresses, use_awaitable);
  beast::get_lowest_layer(stream).socket().set_option(asio::ip::tcp::no_delay(true));
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await stream.async_handshake(ssl::stream_base::client, use_awaitable);
}

std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one;
  file >> one;
  return one.empty() ? "?" : one;
}

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace opcat::bench
