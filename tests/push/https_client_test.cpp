// The client against the fake gateway over real mutual TLS.
#include "gateway/push/https_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "tests/push/push_fixture.hpp"

namespace opcat::push {
namespace {

namespace fs = std::filesystem;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using testing::ScriptedReply;
using namespace std::chrono_literals;

class HttpsClientTest : public PushFixture {};

TEST_F(HttpsClientTest, PostsAFileOverMutualTlsWithItsHeaders) {
  start_gateway();
  const HttpsClient client(client_settings());
  const fs::path file = write_file(dir_.path() / "visits.csv", "a,b\n1,2\n");
  const Exchange exchange = client.post_file("/v1/submissions", file, {{"X-Test", "yes"}});
  ASSERT_TRUE(std::holds_alternative<HttpResponse>(exchange))
      << std::get<TransportFailure>(exchange).reason;
  EXPECT_EQ(std::get<HttpResponse>(exchange).result_int(), 202u);

  const auto seen = gateway_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/v1/submissions");
  EXPECT_EQ(seen[0].client_cn, "hmip");
  EXPECT_EQ(seen[0].header("x-test"), "yes");
  EXPECT_EQ(seen[0].header("content-length"), "8");
  EXPECT_EQ(seen[0].header("host"), "127.0.0.1:" + std::to_string(gateway_->port()));
  EXPECT_EQ(seen[0].body_sha256, testing::sha256_hex("a,b\n1,2\n"));
}

TEST_F(HttpsClientTest, ASeveralMegabyteBodyArrivesIntact) {
  start_gateway();
  const HttpsClient client(client_settings());
  std::string bytes(6 * 1024 * 1024 + 123, '\0');
  std::mt19937 random(42);
  for (char& c : bytes) c = static_cast<char>(random());
  const fs::path file = write_file(dir_.path() / "big.bin", bytes);
  const Exchange exchange = client.post_file("/v1/submissions", file, {});
  ASSERT_TRUE(std::holds_alternative<HttpResponse>(exchange))
      << std::get<TransportFailure>(exchange).reason;
  const auto seen = gateway_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].body_complete);
  EXPECT_EQ(seen[0].body_size, bytes.size());
  EXPECT_EQ(seen[0].body_sha256, testing::sha256_hex(bytes));
}

TEST_F(HttpsClientTest, AHostNameInTheUrlIsVerifiedAgainstTheCertificate) {
  start_gateway();
  // TestPki's server certificate names localhost: the name resolves, the name matches.
  const HttpsClient client(client_settings("https://localhost:" + std::to_string(gateway_->port())));
  const Exchange exchange = client.get("/v1/anything");
  ASSERT_TRUE(std::holds_alternative<HttpResponse>(exchange))
      << std::get<TransportFailure>(exchange).reason;
  EXPECT_EQ(std::get<HttpResponse>(exchange).result_int(), 404u);
}

TEST_F(HttpsClientTest, AServerCertificateFromAnotherCaIsRefusedWithAClearReason) {
  testing::TestPki other(dir_.path() / "other", "Other CA");
  testing::FakeGateway impostor(other.issue_server(), pki_.ca_certificate());
  const HttpsClient client(client_settings(impostor.url()));
  const Exchange exchange = client.post_file("/v1/submissions",
                                             write_file(dir_.path() / "v.csv", "x"), {});
  ASSERT_TRUE(std::holds_alternative<TransportFailure>(exchange));
  const auto& failure = std::get<TransportFailure>(exchange);
  EXPECT_EQ(failure.stage, FailureStage::tls_handshake);
  EXPECT_THAT(failure.reason, HasSubstr("certificate verify failed"));
  EXPECT_THAT(failure.reason, HasSubstr("unable to get local issuer certificate"));
  EXPECT_EQ(impostor.request_count(), 0u);
}

TEST_F(HttpsClientTest, NothingListeningIsAConnectFailure) {
  start_gateway();
  const std::string url = gateway_->url();
  stop_gateway();
  const HttpsClient client(client_settings(url));
  const Exchange exchange = client.get("/v1/whoami");
  ASSERT_TRUE(std::holds_alternative<TransportFailure>(exchange));
  EXPECT_EQ(std::get<TransportFailure>(exchange).stage, FailureStage::connect);
  EXPECT_THAT(std::get<TransportFailure>(exchange).reason, HasSubstr("refused"));
}

TEST_F(HttpsClientTest, AConnectionDroppedMidRequestIsAFailureNotAnAnswer) {
  start_gateway();
  gateway_->script(ScriptedReply::drop());
  const HttpsClient client(client_settings());
  const fs::path file = write_file(dir_.path() / "big.bin", std::string(4 * 1024 * 1024, 'x'));
  const Exchange exchange = client.post_file("/v1/submissions", file, {});
  ASSERT_TRUE(std::holds_alternative<TransportFailure>(exchange));
  EXPECT_THAT(std::get<TransportFailure>(exchange).stage,
              AnyOf(FailureStage::send, FailureStage::receive));
}

TEST_F(HttpsClientTest, AGatewayThatNeverAnswersRunsIntoTheDeadline) {
  start_gateway();
  gateway_->script(ScriptedReply::hang());
  ClientSettings settings = client_settings();
  settings.request_timeout = 300ms;
  const HttpsClient client(settings);
  const Exchange exchange = client.post_file("/v1/submissions", write_file(dir_.path() / "v.csv", "x"), {});
  ASSERT_TRUE(std::holds_alternative<TransportFailure>(exchange));
  EXPECT_EQ(std::get<TransportFailure>(exchange).stage, FailureStage::receive);
  EXPECT_THAT(std::get<TransportFailure>(exchange).reason, HasSubstr("no progress within 300 ms"));
}

TEST_F(HttpsClientTest, AStopRequestAbandonsTheExchangeAtOnce) {
  start_gateway();
  gateway_->script(ScriptedReply::hang());
  const HttpsClient client(client_settings());  // a 10 s deadline: the stop must not wait for it
  std::stop_source stop;
  std::thread stopper([&] {
    gateway_->wait_for_requests(1);
    stop.request_stop();
  });
  const auto started = std::chrono::steady_clock::now();
  const Exchange exchange = client.post_file("/v1/submissions", write_file(dir_.path() / "v.csv", "x"),
                                             {}, stop.get_token());
  stopper.join();
  ASSERT_TRUE(std::holds_alternative<TransportFailure>(exchange));
  EXPECT_EQ(std::get<TransportFailure>(exchange).stage, FailureStage::stopped);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(HttpsClientTest, FollowsHrefsOnlyOnTheSameGateway) {
  start_gateway();
  gateway_->serve_get("/v1/submissions/s-1/errors?after=0", R"({"errors":[],"next":null})");
  const HttpsClient client(client_settings());
  const auto same = client.get(gateway_->url() + "/v1/submissions/s-1/errors?after=0");
  ASSERT_TRUE(std::holds_alternative<HttpResponse>(same));
  EXPECT_EQ(std::get<HttpResponse>(same).result_int(), 200u);
  const auto elsewhere = client.get("https://elsewhere.example/v1/steal");
  ASSERT_TRUE(std::holds_alternative<TransportFailure>(elsewhere));
  EXPECT_THAT(std::get<TransportFailure>(elsewhere).reason, HasSubstr("refusing to follow"));
}

TEST_F(HttpsClientTest, AKeyThatIsNotTheCertificatesIsASetupError) {
  ClientSettings settings = client_settings("https://127.0.0.1:1");
  settings.private_key = pki_.issue_client("other").private_key;
  EXPECT_THROW(HttpsClient{settings}, ClientSetupError);
  settings.private_key = dir_.path() / "missing.key";
  EXPECT_THROW(HttpsClient{settings}, ClientSetupError);
}

}  // namespace
}  // namespace opcat::push
