// The gateway's address as the member writes it: https://gateway.example.org:8443, optionally
// with a path prefix when the gateway sits behind a reverse proxy (https://host/opcat).
#pragma once

#include <string>
#include <string_view>

namespace opcat::push {

struct GatewayUrl {
  std::string host;       // DNS name or IP address, without IPv6 brackets
  std::string port;       // "443" when the URL names none
  std::string base_path;  // "" or "/opcat": never ends with '/'

  // Parses an https URL; throws std::invalid_argument saying what is wrong. Plain http is refused:
  // the gateway only speaks mutual TLS.
  static GatewayUrl parse(std::string_view text);

  // The request target for an API path ("/v1/submissions") under the base path.
  std::string target(std::string_view api_path) const;
  // The Host header: the port is left out when it is the default.
  std::string authority() const;
  // "https://host:port/base", for messages.
  std::string to_string() const;
};

}  // namespace opcat::push
