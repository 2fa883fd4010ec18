// What the intake benchmark's two clients share: a member's TLS context, and opening a
// mutual-TLS connection to the gateway as a coroutine, every step under a deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "gateway/push/gateway_url.hpp"
#include "tests/bench/intake_client.hpp"

namespace opcat::bench {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
using BenchClock = std::chrono::steady_clock;

// TLS 1.2 or later, the member's certificate and key, the gateway verified against `ca`.
// Throws std::runtime_error naming the file that could not be used.
std::unique_ptr<boost::asio::ssl::context> member_tls_context(const MemberIdentity& member,
                                                              const std::filesystem::path& ca);

// Resolves, connects and completes the handshake (the gateway's certificate checked against the
// URL's host). Throws boost::system::system_error.
boost::asio::awaitable<void> open_connection(TlsStream& stream, const push::GatewayUrl& gateway,
                                             std::chrono::milliseconds timeout);

// The system's 1-minute load average, "?" when unknown.
std::string load_average();
// This process's CPU time so far (user + system), in seconds.
double process_cpu_seconds();

}  // namespace opcat::bench
