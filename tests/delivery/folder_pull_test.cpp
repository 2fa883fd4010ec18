// The two other ways to hand a delivery over: a folder (air-gapped), and pull mode, where the
// recipient fetches from the gateway's listener with its own certificate and posts its receipt.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "gateway/delivery/pull_api.hpp"
#include "gateway/net/server.hpp"
#include "gateway/push/https_client.hpp"
#include "gateway/signing/base64.hpp"
#include "gateway/signing/verifier.hpp"
#include "tests/delivery/delivery_fixture.hpp"
#include "tests/signing/openssl_cli.hpp"

namespace opcat::testing {
namespace {

using ::testing::HasSubstr;
using store::DeliveryState;

class FolderDeliveryTest : public DeliveryFixture {};

TEST_F(FolderDeliveryTest, WritesPayloadSignatureAndManifestAtomically) {
  config::Recipient recipient;
  recipient.name = "archive";
  recipient.mode = config::DeliveryMode::folder;
  recipient.folder = dir() / "handover";
  const store::Delivery queued = enqueue(recipient);
  auto deliverer = deliverer_for(recipient);

  EXPECT_EQ(deliverer->run_once(), 1u);
  const store::Delivery done = get(queued.id);
  EXPECT_EQ(done.state, DeliveryState::delivered);

  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(recipient.folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  // No temporary name is left: each file was renamed into place whole.
  EXPECT_EQ(names, (std::vector<std::string>{queued.id + ".json", queued.id + ".json.p7s",
                                             queued.id + ".manifest.json"}));
  const std::string manifest = read_file(recipient.folder / (queued.id + ".manifest.json"));
  EXPECT_EQ(manifest, done.receipt);  // the manifest is what the outbox keeps as the receipt
  rapidjson::Document document;
  document.Parse(manifest.c_str());
  ASSERT_FALSE(document.HasParseError());
  EXPECT_EQ(std::string(document["delivery_id"].GetString()), queued.id);
  EXPECT_EQ(std::string(document["payload_sha256"].GetString()), queued.sha256);
  EXPECT_EQ(std::string(document["payload"].GetString()), queued.id + ".json");

  const auto verified = openssl_cms_verify(recipient.folder / (queued.id + ".json.p7s"),
                                           recipient.folder / (queued.id + ".json"),
                                           pki_.ca_certificate());
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

TEST_F(FolderDeliveryTest, ARetryAfterACrashCompletesAPartialSet) {
  config::Recipient recipient;
  recipient.name = "archive";
  recipient.mode = config::DeliveryMode::folder;
  recipient.folder = dir() / "handover";
  const store::Delivery queued = enqueue(recipient);
  // A crash after the payload was renamed into place, before the rest.
  std::filesystem::create_directories(recipient.folder);
  std::filesystem::copy_file(queued.payload, recipient.folder / (queued.id + ".json"));
  auto deliverer = deliverer_for(recipient);
  EXPECT_EQ(deliverer->run_once(), 1u);
  EXPECT_EQ(get(queued.id).state, DeliveryState::delivered);
  EXPECT_TRUE(std::filesystem::exists(recipient.folder / (queued.id + ".manifest.json")));
}

// The gateway's member listener with the pull routes, and the recipient as an HTTPS client.
class PullDeliveryTest : public DeliveryFixture {
 protected:
  PullDeliveryTest() {
    spt_.name = "spt";
    spt_.mode = config::DeliveryMode::pull;
    spt_.client_cn = "spt-inbox";
    spt_.ca = pki_.ca_certificate();
    recipients_.emplace("spt", spt_);

    const auto server_tls = pki_.issue_server("localhost");
    config_.listen = {"127.0.0.1", 0};
    config_.admin.listen = {"127.0.0.1", 0};
    config_.threads = 1;
    config_.tls = {server_tls.certificate, server_tls.private_key, pki_.ca_certificate(),
                   pki_.crl(), false};
    config_.admin.client_ca = pki_.ca_certificate();
    config_.admin.crl = pki_.crl();
    config_.timeouts.grace = std::chrono::seconds(2);
    config_.members.emplace("hmip", config::Member{"hmip", "HMIP", {"hmip", {}}, {}});
    net::ServerParts parts;
    delivery::add_pull_routes(parts.member_routes, outbox_, recipients_, [this] { return now_; });
    server_ = std::make_unique<net::Server>(config_, std::move(parts));
    thread_ = std::thread([this] { server_->run(false); });
  }
  ~PullDeliveryTest() override {
    server_->shutdown();
    thread_.join();
  }

  std::unique_ptr<push::HttpsClient> client(const std::string& cn) {
    const auto certificate = pki_.issue_client(cn);
    push::ClientSettings settings;
    settings.gateway =
        push::GatewayUrl::parse("https://localhost:" + std::to_string(server_->member_endpoint().port()));
    settings.certificate = certificate.certificate;
    settings.private_key = certificate.private_key;
    settings.ca = pki_.ca_certificate();
    return std::make_unique<push::HttpsClient>(settings);
  }

  // By value: the exchange is a temporary of the caller's expression.
  static push::HttpResponse response(push::Exchange exchange) {
    if (const auto* failure = std::get_if<push::TransportFailure>(&exchange)) {
      ADD_FAILURE() << failure->reason;
      return {};
    }
    return std::get<push::HttpResponse>(std::move(exchange));
  }

  push::Exchange post_receipt(const push::HttpsClient& client, const std::string& id,
                              const std::string& receipt, const std::string& signed_bytes) {
    const auto signer = signing::Signer::load(inbox_signing_.certificate, inbox_signing_.private_key);
    write_file(dir() / "receipt.json", receipt);
    return client.post_file(
        "/v1/outbox/" + id + "/receipt", dir() / "receipt.json",
        {{"Content-Type", "application/json"},
         {"Receipt-Signature", signing::base64_encode(signer.sign_detached(signed_bytes))}});
  }

  config::Recipient spt_;
  std::map<std::string, config::Recipient> recipients_;
  config::Config config_;
  std::unique_ptr<net::Server> server_;
  std::thread thread_;
};

TEST_F(PullDeliveryTest, TheRecipientFetchesVerifiesAndAcknowledges) {
  const store::Delivery queued = enqueue(spt_);
  auto spt = client("spt-inbox");

  // 1. The list of what is waiting.
  const auto list = response(spt->get("/v1/outbox?recipient=spt"));
  ASSERT_EQ(list.result_int(), 200u) << list.body();
  rapidjson::Document document;
  document.Parse(list.body().c_str());
  ASSERT_TRUE(document["deliveries"].IsArray());
  ASSERT_EQ(document["deliveries"].Size(), 1u);
  EXPECT_EQ(std::string(document["deliveries"][0]["delivery_id"].GetString()), queued.id);
  const std::string href = document["deliveries"][0]["href"].GetString();

  // 2. The payload, byte for byte, with a signature the recipient verifies.
  const auto payload = response(spt->get(href));
  ASSERT_EQ(payload.result_int(), 200u) << payload.body();
  EXPECT_EQ(payload.body(), read_file(queued.payload));
  EXPECT_EQ(std::string(payload["Payload-SHA256"]), queued.sha256);
  const auto signature = signing::base64_decode(std::string(payload["Payload-Signature"]));
  ASSERT_TRUE(signature.has_value());
  EXPECT_NO_THROW(signing::verify_detached(*signature, payload.body(), pki_.ca_certificate()));

  // 3. A tampered receipt is refused; the real one makes it delivered, once.
  const std::string receipt = R"({"delivery_id":")" + queued.id + R"(","payload_sha256":")" +
                              queued.sha256 + R"("})";
  const auto tampered = response(post_receipt(*spt, queued.id, receipt + " ", receipt));
  EXPECT_EQ(tampered.result_int(), 422u) << tampered.body();
  EXPECT_EQ(get(queued.id).state, DeliveryState::pending);

  const auto accepted = response(post_receipt(*spt, queued.id, receipt, receipt));
  EXPECT_EQ(accepted.result_int(), 200u) << accepted.body();
  const store::Delivery done = get(queued.id);
  EXPECT_EQ(done.state, DeliveryState::delivered);
  EXPECT_EQ(done.receipt, receipt);
  const auto log = store_.list_transfers({});
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].status, "delivered");
  EXPECT_EQ(log[0].recipient, "spt");

  // Nothing is waiting any more.
  const auto after = response(spt->get("/v1/outbox?recipient=spt"));
  EXPECT_THAT(after.body(), HasSubstr("\"deliveries\":[]"));
}

TEST_F(PullDeliveryTest, OnlyTheRecipientsCertificateMayFetch) {
  const store::Delivery queued = enqueue(spt_);
  auto member = client("hmip");  // a member of the NPM, not the recipient
  EXPECT_EQ(response(member->get("/v1/outbox?recipient=spt")).result_int(), 403u);
  EXPECT_EQ(response(member->get("/v1/outbox/" + queued.id)).result_int(), 403u);
  auto stranger = client("someone");
  EXPECT_EQ(response(stranger->get("/v1/outbox/" + queued.id)).result_int(), 403u);
  auto spt = client("spt-inbox");
  EXPECT_EQ(response(spt->get("/v1/outbox/dlv_doesnotexist")).result_int(), 404u);
}

}  // namespace
}  // namespace opcat::testing
