#include "gateway/push/gateway_url.hpp"

#include <charconv>
#include <stdexcept>

namespace opcat::push {
namespace {

void check_port(std::string_view port, std::string_view url) {
  unsigned value = 0;
  const char* end = port.data() + port.size();
  const auto [stop, error] = std::from_chars(port.data(), end, value);
  if (port.empty() || error != std::errc{} || stop != end || value == 0 || value > 65535) {
    throw std::invalid_argument("\"" + std::string(url) + "\": port must be 1 to 65535");
  }
}

}  // namespace

GatewayUrl GatewayUrl::parse(std::string_view text) {
  constexpr std::string_view kScheme = "https://";
  if (!text.starts_with(kScheme)) {
    throw std::invalid_argument("\"" + std::string(text) +
                                "\": expected an https:// URL (the gateway only speaks TLS)");
  }
  std::string_view rest = text.substr(kScheme.size());
  const std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) {
    throw std::invalid_argument("\"" + std::string(text) + "\": no query or fragment, please");
  }
  if (authority.find('@') != std::string_view::npos) {
    throw std::invalid_argument("\"" + std::string(text) +
                                "\": no user name in the URL; the client certificate identifies you");
  }

  GatewayUrl url;
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      throw std::invalid_argument("\"" + std::string(text) + "\": unclosed '[' in the host");
    }
    url.host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        throw std::invalid_argument("\"" + std::string(text) + "\": expected ':' after ']'");
      }
      port = after.substr(1);
      check_port(port, text);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      check_port(port, text);
    }
  }
  if (url.host.empty()) throw std::invalid_argument("\"" + std::string(text) + "\": no host");
  url.port = port.empty() ? "443" : std::string(port);
  while (path.ends_with('/')) path.remove_suffix(1);
  url.base_path = path;
  return url;
}

std::string GatewayUrl::target(std::string_view api_path) const {
  return base_path + std::string(api_path);
}

std::string GatewayUrl::authority() const {
  std::string text = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != "443") text += ":" + port;
  return text;
}

std::string GatewayUrl::to_string() const { return "https://" + authority() + base_path; }

}  // namespace opcat::push
