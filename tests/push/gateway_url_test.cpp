#include "gateway/push/gateway_url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace opcat::push {
namespace {

TEST(GatewayUrl, ReadsHostPortAndBasePath) {
  const auto url = GatewayUrl::parse("https://gateway.npm.example:8443/opcat/");
  EXPECT_EQ(url.host, "gateway.npm.example");
  EXPECT_EQ(url.port, "8443");
  EXPECT_EQ(url.base_path, "/opcat");
  EXPECT_EQ(url.target("/v1/submissions"), "/opcat/v1/submissions");
  EXPECT_EQ(url.authority(), "gateway.npm.example:8443");
}

TEST(GatewayUrl, DefaultsToPort443) {
  const auto url = GatewayUrl::parse("https://gateway.npm.example");
  EXPECT_EQ(url.port, "443");
  EXPECT_EQ(url.authority(), "gateway.npm.example");
  EXPECT_EQ(url.target("/v1/submissions"), "/v1/submissions");
}

TEST(GatewayUrl, ReadsAnIpv6Literal) {
  const auto url = GatewayUrl::parse("https://[::1]:8443");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.authority(), "[::1]:8443");
}

TEST(GatewayUrl, RefusesWhatIsNotAnHttpsGateway) {
  for (const char* text : {"http://gateway:8443", "gateway:8443", "https://", "https://host:0",
                           "https://host:99999", "https://host:port", "https://[::1",
                           "https://user@host", "https://host/path?query"}) {
    EXPECT_THROW(GatewayUrl::parse(text), std::invalid_argument) << text;
  }
}

}  // namespace
}  // namespace opcat::push
