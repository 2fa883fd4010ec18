// The alert webhook posting to a real HTTPS endpoint: the gateway's own TLS server with a route
// that records what arrives (and refuses the first tries when told to), on the test PKI.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "gateway/app/alert_webhook.hpp"
#include "gateway/http/json_response.hpp"
#include "gateway/net/server.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::app {
namespace {

using namespace std::chrono_literals;
using opcat::testing::eventually;

class AlertWebhookTest : public ::testing::Test {
 protected:
  AlertWebhookTest() : pki_(dir_.path() / "pki") {
    const auto server = pki_.issue_server();
    client_ = pki_.issue_client("alerts");
    config_.listen = {"127.0.0.1", 0};
    config_.admin.listen = {"127.0.0.1", 0};
    config_.threads = 1;
    config_.tls.certificate = server.certificate;
    config_.tls.private_key = server.private_key;
    config_.tls.client_ca = config_.admin.client_ca = pki_.ca_certificate();
    config_.tls.crl = config_.admin.crl = pki_.crl();
    net::ServerParts parts;
    parts.member_routes.add(
        http::Verb::post, "/hooks/opcat", http::Access::any_certificate,
        [this](const http::Context& c) {
          std::lock_guard lock(mutex_);
          if (refusals_ > 0) {
            --refusals_;
            return http::error_response(http::Status::service_unavailable, "busy", "later",
                                        c.request);
          }
          received_.push_back(c.request.body());
          content_types_.emplace_back(c.request[boost::beast::http::field::content_type]);
          return http::json_response(http::Status::ok, "{}", c.request);
        });
    server_ = std::make_unique<net::Server>(config_, std::move(parts));
    thread_ = std::thread([this] { server_->run(false); });
  }

  ~AlertWebhookTest() override {
    server_->shutdown();
    thread_.join();
  }

  WebhookSettings settings() const {
    return {.url = "https://localhost:" + std::to_string(server_->member_endpoint().port()) +
                   "/hooks/opcat",
            .ca = pki_.ca_certificate(),
            .certificate = client_.certificate,
            .private_key = client_.private_key,
            .attempts = 3,
            .first_retry = 10ms};
  }

  std::vector<std::string> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  static store::Alert overdue() {
    store::Alert alert;
    alert.key = "member_overdue:hmip";
    alert.kind = "member_overdue";
    alert.subject = "hmip";
    alert.message = "hmip has not pushed since ... (synthetic)";
    alert.raised_at = store::Clock::time_point{} + 1'760'000'000s;
    return alert;
  }

  opcat::testing::TempDir dir_{"opcat-webhook"};
  opcat::testing::TestPki pki_;
  opcat::testing::IssuedCertificate client_;
  config::Config config_;
  std::unique_ptr<net::Server> server_;
  std::thread thread_;
  std::mutex mutex_;
  int refusals_ = 0;
  std::vector<std::string> received_;
  std::vector<std::string> content_types_;
};

TEST_F(AlertWebhookTest, EachRaiseAndClearArrivesOnceAsJson) {
  AlertWebhook webhook(settings());
  store::Alert alert = overdue();
  webhook.notify(alert, true);
  alert.cleared_at = alert.raised_at + 1h;
  webhook.notify(alert, false);
  ASSERT_TRUE(eventually([&] { return received().size() == 2; })) << received().size();
  const auto bodies = received();
  rapidjson::Document raised, cleared;
  raised.Parse(bodies[0].data(), bodies[0].size());
  cleared.Parse(bodies[1].data(), bodies[1].size());
  ASSERT_TRUE(raised.IsObject() && cleared.IsObject()) << bodies[0] << bodies[1];
  EXPECT_STREQ(raised["event"].GetString(), "alert_raised");
  EXPECT_STREQ(raised["alert"]["kind"].GetString(), "member_overdue");
  EXPECT_STREQ(raised["alert"]["subject"].GetString(), "hmip");
  EXPECT_TRUE(raised["alert"]["cleared_at"].IsNull());
  EXPECT_STREQ(cleared["event"].GetString(), "alert_cleared");
  EXPECT_STREQ(cleared["alert"]["cleared_at"].GetString(), "2025-10-09T09:53:20.000Z");
  std::lock_guard lock(mutex_);
  EXPECT_EQ(content_types_.at(0), "application/json");
}

TEST_F(AlertWebhookTest, ARefusingEndpointIsTriedAgain) {
  {
    std::lock_guard lock(mutex_);
    refusals_ = 2;  // the third and last try is taken
  }
  AlertWebhook webhook(settings());
  webhook.notify(overdue(), true);
  ASSERT_TRUE(eventually([&] { return received().size() == 1; }));
  std::lock_guard lock(mutex_);
  EXPECT_EQ(refusals_, 0);
}

TEST_F(AlertWebhookTest, ABadUrlOrCaStopsItAtOnce) {
  WebhookSettings bad = settings();
  bad.url = "http://localhost/hooks";
  EXPECT_THROW(AlertWebhook{bad}, std::invalid_argument);
  bad = settings();
  bad.ca = dir_.path() / "missing.crt";
  EXPECT_ANY_THROW(AlertWebhook{bad});
}

TEST_F(AlertWebhookTest, StoppingDoesNotWaitForAnUnreachableEndpoint) {
  WebhookSettings unreachable = settings();
  {
    std::lock_guard lock(mutex_);
    refusals_ = 1000;  // always refuses: the webhook would wait between tries
  }
  unreachable.first_retry = 1h;
  auto webhook = std::make_unique<AlertWebhook>(unreachable);
  webhook->notify(overdue(), true);
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex_);
    return refusals_ < 1000;
  }));
  webhook.reset();  // returns although the next try is an hour away
  EXPECT_TRUE(received().empty());
}

}  // namespace
}  // namespace opcat::app
