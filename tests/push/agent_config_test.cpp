#include "gateway/push/agent_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "gateway/config/config.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::push {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

class AgentConfigTest : public ::testing::Test {
 protected:
  AgentConfigTest() {
    for (const char* name : {"hmip.crt", "hmip.key", "ca.pem"}) std::ofstream(dir_.path() / name) << "x";
  }

  // The message of the ConfigError that parsing `text` throws.
  std::string error_of(const std::string& text) {
    try {
      parse_agent_config(text, dir_.path());
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no error for: " << text;
    return {};
  }

  testing::TempDir dir_;
};

TEST_F(AgentConfigTest, ReadsEveryKeyAndResolvesPathsAgainstTheFilesFolder) {
  const fs::path file = dir_.path() / "agent.toml";
  std::ofstream(file) << R"(
url = "https://gateway.npm.example:8443"
certificate = "hmip.crt"
private_key = "hmip.key"
ca = "ca.pem"
adapter = "inspections"
watch = "outbox"
settle_seconds = 0.5
interval_seconds = 2
backoff_base_seconds = 1
backoff_cap_seconds = 300
retries = 7
connect_timeout_seconds = 10
request_timeout_seconds = 600
)";
  const AgentConfig agent = load_agent_config(file);
  EXPECT_EQ(agent.url, "https://gateway.npm.example:8443");
  EXPECT_EQ(agent.certificate, dir_.path() / "hmip.crt");
  EXPECT_EQ(agent.private_key, dir_.path() / "hmip.key");
  EXPECT_EQ(agent.ca, dir_.path() / "ca.pem");
  EXPECT_EQ(agent.adapter, "inspections");
  EXPECT_EQ(agent.watch, dir_.path() / "outbox");
  EXPECT_EQ(agent.settle, 500ms);
  EXPECT_EQ(agent.interval, 2s);
  EXPECT_EQ(agent.backoff_base, 1s);
  EXPECT_EQ(agent.backoff_cap, 300s);
  EXPECT_EQ(agent.retries, 7u);
  EXPECT_EQ(agent.connect_timeout, 10s);
  EXPECT_EQ(agent.request_timeout, 600s);
}

TEST_F(AgentConfigTest, EveryKeyIsOptional) {
  const AgentConfig agent = parse_agent_config("", dir_.path());
  EXPECT_FALSE(agent.url);
  EXPECT_FALSE(agent.watch);
  EXPECT_FALSE(agent.settle);
}

TEST_F(AgentConfigTest, ErrorsNameTheKey) {
  EXPECT_THAT(error_of("settle_seconds = \"5s\""),
              HasSubstr("settle_seconds: expected a number, got a string"));
  EXPECT_THAT(error_of("url = \"http://gateway:8443\""), HasSubstr("url: "));
  EXPECT_THAT(error_of("certificate = \"missing.crt\""), HasSubstr("certificate: "));
  EXPECT_THAT(error_of("retries = -1"), HasSubstr("retries: must be between 0 and"));
  EXPECT_THAT(error_of("interval_seconds = 0"), HasSubstr("interval_seconds: must be between"));
  EXPECT_THAT(error_of("backoff_base_seconds = 10\nbackoff_cap_seconds = 1"),
              HasSubstr("backoff_cap_seconds: must not be less than backoff_base_seconds"));
}

TEST_F(AgentConfigTest, ATypoIsAnUnknownKeyWithASuggestion) {
  EXPECT_THAT(error_of("setle_seconds = 5"),
              HasSubstr("setle_seconds: unknown key; did you mean \"settle_seconds\"?"));
}

TEST_F(AgentConfigTest, ASyntaxErrorSaysWhere) {
  EXPECT_THAT(error_of("url = "), HasSubstr("TOML syntax error at line 1"));
}

}  // namespace
}  // namespace opcat::push
