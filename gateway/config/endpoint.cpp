// Endpoint: the "host:port" text of a listening address.
#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "gateway/config/config.hpp"

namespace opcat::config {
namespace {

bool is_ipv6_literal(const std::string& host) {
  // A zone ("fe80::1%eth0") is legal in a bind address but unknown to inet_pton.
  const std::string address = host.substr(0, host.find('%'));
  in6_addr parsed{};
  return inet_pton(AF_INET6, address.c_str(), &parsed) == 1;
}

// A DNS name or an IPv4 address: what may be written without brackets.
bool is_plain_host(const std::string& host) {
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
}

unsigned short parse_port(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end || value > 65535) {
    throw std::invalid_argument("port must be a number from 0 to 65535, got \"" +
                                std::string(text) + "\"");
  }
  return static_cast<unsigned short>(value);
}

}  // namespace

std::string Endpoint::to_string() const {
  const std::string port_text = std::to_string(port);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port_text;
  return host + ":" + port_text;
}

Endpoint Endpoint::parse(const std::string& text) {
  const std::string shape = "expected \"host:port\" or \"[IPv6]:port\", got \"" + text + "\"";
  Endpoint endpoint;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      throw std::invalid_argument(shape);
    }
    endpoint.host = text.substr(1, close - 1);
    if (!is_ipv6_literal(endpoint.host)) {
      throw std::invalid_argument("\"" + endpoint.host + "\" is not an IPv6 address");
    }
    port_text = std::string_view(text).substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument(shape);
    endpoint.host = text.substr(0, colon);
    if (endpoint.host.find(':') != std::string::npos) {
      throw std::invalid_argument("an IPv6 address must be in brackets, as in \"[::1]:8443\"");
    }
    if (endpoint.host.empty()) {
      throw std::invalid_argument(
          "the host is missing (use 0.0.0.0 or [::] to listen on every address)");
    }
    if (!is_plain_host(endpoint.host)) {
      throw std::invalid_argument("\"" + endpoint.host + "\" is not a host name or address");
    }
    port_text = std::string_view(text).substr(colon + 1);
  }
  endpoint.port = parse_port(port_text);
  return endpoint;
}

}  // namespace opcat::config
