// [recipients.<name>]: modes, defaults, retry policy, schedule, and errors naming key and line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "gateway/config/config.hpp"

namespace opcat::config {
namespace {
namespace fs = std::filesystem;
using testing::HasSubstr;

class RecipientsConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("opcat-recipients-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "etc");
    for (const char* name : {"server.crt", "server.key", "ca.crt", "ca.crl", "inbox-ca.crt",
                             "client.crt", "client.key", "spt.toml", "pseudonym.key"}) {
      std::ofstream(dir_ / name) << "";
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  Config parse_with(const std::string& recipients) const {
    return parse(R"(
[tls]
certificate = "../server.crt"
private_key = "../server.key"
client_ca = "../ca.crt"
crl = "../ca.crl"

[members.hmip]
name = "HM Inspectorate of Prisons"
)" + recipients,
                 dir_ / "etc");
  }

  std::string error_with(const std::string& recipients) const {
    try {
      parse_with(recipients);
    } catch (const ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected a ConfigError";
    return {};
  }

  fs::path dir_;
};

TEST_F(RecipientsConfigTest, NoRecipientsIsFine) {
  EXPECT_TRUE(parse_with("").recipients.empty());
}

TEST_F(RecipientsConfigTest, PushRecipientWithDefaults) {
  const Config config = parse_with(R"(
[recipients.npm]
url = "https://localhost:9443/v1/deliveries"
ca = "../inbox-ca.crt"
)");
  ASSERT_EQ(config.recipients.size(), 1u);
  const Recipient& npm = config.recipients.at("npm");
  EXPECT_EQ(npm.name, "npm");
  EXPECT_EQ(npm.mode, DeliveryMode::push);
  EXPECT_EQ(npm.url, "https://localhost:9443/v1/deliveries");
  EXPECT_EQ(npm.ca, dir_ / "inbox-ca.crt");
  // The gateway presents its [tls] certificate unless told otherwise.
  EXPECT_EQ(npm.certificate, config.tls.certificate);
  EXPECT_EQ(npm.private_key, config.tls.private_key);
  EXPECT_EQ(npm.format, PayloadFormat::json);
  EXPECT_EQ(npm.retry.initial, std::chrono::seconds(2));
  EXPECT_EQ(npm.retry.max, std::chrono::seconds(900));
  EXPECT_EQ(npm.retry.give_up_after, std::chrono::hours(168));
  EXPECT_FALSE(npm.schedule.has_value());
}

TEST_F(RecipientsConfigTest, EveryKeyOfAPushRecipient) {
  const Config config = parse_with(R"(
[recipients.spt]
mode = "push"
url = "https://spt.example.org/opcat/v1/deliveries"
ca = "../inbox-ca.crt"
certificate = "../client.crt"
private_key = "../client.key"
format = "xml"
policy = "../spt.toml"
pseudonym_key = "../pseudonym.key"
schedule = "daily 02:30"
[recipients.spt.retry]
initial_seconds = 0.5
max_seconds = 60
give_up_after_hours = 24
)");
  const Recipient& spt = config.recipients.at("spt");
  EXPECT_EQ(spt.certificate, dir_ / "client.crt");
  EXPECT_EQ(spt.format, PayloadFormat::xml);
  EXPECT_EQ(spt.policy, dir_ / "spt.toml");
  EXPECT_EQ(spt.pseudonym_key, dir_ / "pseudonym.key");
  ASSERT_TRUE(spt.schedule.has_value());
  EXPECT_EQ(spt.schedule->hour, 2);
  EXPECT_EQ(spt.schedule->minute, 30);
  EXPECT_EQ(spt.schedule->to_string(), "daily 02:30");
  EXPECT_EQ(spt.retry.initial, std::chrono::milliseconds(500));
  EXPECT_EQ(spt.retry.max, std::chrono::seconds(60));
  EXPECT_EQ(spt.retry.give_up_after, std::chrono::hours(24));
}

TEST_F(RecipientsConfigTest, EmptyScheduleMeansOnDemand) {
  const Config config = parse_with(R"(
[recipients.npm]
url = "https://localhost:9443/"
ca = "../inbox-ca.crt"
schedule = ""
)");
  EXPECT_FALSE(config.recipients.at("npm").schedule.has_value());
}

TEST_F(RecipientsConfigTest, PullAndFolderRecipients) {
  const Config config = parse_with(R"(
[recipients.spt]
mode = "pull"
client_cn = "spt-inbox"
ca = "../inbox-ca.crt"

[recipients.archive]
mode = "folder"
folder = "../handover"
)");
  EXPECT_EQ(config.recipients.at("spt").mode, DeliveryMode::pull);
  EXPECT_EQ(config.recipients.at("spt").client_cn, "spt-inbox");
  EXPECT_EQ(config.recipients.at("archive").mode, DeliveryMode::folder);
  EXPECT_EQ(config.recipients.at("archive").folder, dir_ / "handover");
}

TEST_F(RecipientsConfigTest, ErrorsNameTheKeyAndTheLine) {
  EXPECT_THAT(error_with(R"(
[recipients.npm]
ca = "../inbox-ca.crt"
)"),
              HasSubstr("recipients.npm.url: required key is missing"));
  EXPECT_THAT(error_with(R"(
[recipients.npm]
url = "http://localhost:9443/"
ca = "../inbox-ca.crt"
)"),
              testing::AllOf(HasSubstr("recipients.npm.url: expected an https:// URL"),
                             HasSubstr("line 12")));
  EXPECT_THAT(error_with(R"(
[recipients.npm]
url = "https://localhost:9443/"
)"),
              HasSubstr("recipients.npm.ca: required key is missing"));
  EXPECT_THAT(error_with(R"(
[recipients.npm]
url = "https://localhost:9443/"
ca = "../missing.crt"
)"),
              HasSubstr("recipients.npm.ca: "));
  EXPECT_THAT(error_with(R"(
[recipients.npm]
mode = "email"
)"),
              HasSubstr("recipients.npm.mode: expected \"push\", \"pull\" or \"folder\""));
  EXPECT_THAT(error_with(R"(
[recipients.npm]
url = "https://localhost:9443/"
ca = "../inbox-ca.crt"
format = "csv"
)"),
              HasSubstr("recipients.npm.format: expected \"json\" or \"xml\""));
  EXPECT_THAT(error_with(R"(
[recipients.npm]
url = "https://localhost:9443/"
ca = "../inbox-ca.crt"
urll = "typo"
)"),
              HasSubstr("recipients.npm.urll"));
  EXPECT_THAT(error_with(R"(
[recipients.NPM]
url = "https://localhost:9443/"
ca = "../inbox-ca.crt"
)"),
              HasSubstr("recipients.NPM: the name must match"));
}

TEST_F(RecipientsConfigTest, ScheduleIsValidated) {
  for (const char* bad : {"weekly 02:00", "daily 2:00", "daily 24:00", "daily 12:60", "daily"}) {
    EXPECT_THAT(error_with(std::string(R"(
[recipients.npm]
url = "https://localhost:9443/"
ca = "../inbox-ca.crt"
schedule = ")") + bad + "\"\n"),
                HasSubstr("recipients.npm.schedule: "))
        << bad;
  }
}

TEST_F(RecipientsConfigTest, RetryIsValidated) {
  EXPECT_THAT(error_with(R"(
[recipients.npm]
url = "https://localhost:9443/"
ca = "../inbox-ca.crt"
[recipients.npm.retry]
initial_seconds = 10
max_seconds = 5
)"),
              HasSubstr("recipients.npm.retry.max_seconds: must not be less than initial_seconds"));
  EXPECT_THAT(error_with(R"(
[recipients.npm]
url = "https://localhost:9443/"
ca = "../inbox-ca.crt"
[recipients.npm.retry]
give_up_after_hours = 0
)"),
              HasSubstr("recipients.npm.retry.give_up_after_hours"));
}

TEST_F(RecipientsConfigTest, KeysOfAnotherModeAreRejected) {
  EXPECT_THAT(error_with(R"(
[recipients.npm]
url = "https://localhost:9443/"
ca = "../inbox-ca.crt"
folder = "../x"
)"),
              HasSubstr("recipients.npm.folder: only applies to mode = \"folder\""));
}

TEST_F(RecipientsConfigTest, PullClientCnMustNotBeAMembersCn) {
  EXPECT_THAT(error_with(R"(
[recipients.spt]
mode = "pull"
client_cn = "hmip"
ca = "../inbox-ca.crt"
)"),
              HasSubstr("recipients.spt.client_cn: CN \"hmip\" is also the certificate CN of "
                        "members.hmip"));
}

}  // namespace
}  // namespace opcat::config
