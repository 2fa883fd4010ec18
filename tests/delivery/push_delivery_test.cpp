// Push delivery end to end over real mutual TLS and a real SQLite outbox: the reference inbox
// in-process, or a scripted fake recipient (tests/push/fake_gateway.hpp) for the answers an
// inbox would not give on its own. The clock is the test's: no sleeps, every retry is stepped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "adapters/core/sha256.hpp"
#include "gateway/delivery/push_recipient.hpp"
#include "gateway/signing/base64.hpp"
#include "gateway/signing/verifier.hpp"
#include "tests/delivery/delivery_fixture.hpp"
#include "tests/push/fake_gateway.hpp"
#include "tests/signing/openssl_cli.hpp"

namespace opcat::testing {
namespace {

using ::testing::HasSubstr;
using store::DeliveryState;
using namespace std::chrono_literals;

std::string receipt_for(const store::Delivery& d, const std::string& id_override = {}) {
  return R"({"receipt":"opcat-inbox/delivery-receipt/1","delivery_id":")" +
         (id_override.empty() ? d.id : id_override) + R"(","payload_sha256":")" + d.sha256 +
         R"(","size":)" + std::to_string(d.size) + "}";
}

class PushDeliveryTest : public DeliveryFixture {
 protected:
  // The inbox's receipt signer, for receipts the fake recipient answers with.
  signing::Signer inbox_signer() const {
    return signing::Signer::load(inbox_signing_.certificate, inbox_signing_.private_key);
  }
  ScriptedReply signed_receipt(unsigned status, const std::string& receipt,
                               const std::string& signed_bytes = {}) const {
    const std::string signature =
        inbox_signer().sign_detached(signed_bytes.empty() ? receipt : signed_bytes);
    return ScriptedReply::respond(status, receipt,
                                  {{"Content-Type", "application/json"},
                                   {"Receipt-Signature", signing::base64_encode(signature)}});
  }
};

TEST_F(PushDeliveryTest, DeliveredOnceWithASignedReceiptThatOpensslAccepts) {
  RunningInbox inbox(inbox_config());
  const auto recipient = push_recipient(inbox.port());
  const store::Delivery queued = enqueue(recipient);
  auto deliverer = deliverer_for(recipient);

  EXPECT_EQ(deliverer->run_once(), 1u);

  const store::Delivery done = get(queued.id);
  EXPECT_EQ(done.state, DeliveryState::delivered);
  EXPECT_EQ(done.attempts, 1u);
  EXPECT_THAT(done.receipt, HasSubstr(queued.id));
  EXPECT_THAT(done.receipt, HasSubstr(queued.sha256));
  EXPECT_EQ(inbox.store().ids(), std::vector<std::string>{queued.id});
  EXPECT_EQ(read_file(inbox.store().folder_of(queued.id) / "payload.json"),
            read_file(queued.payload));
  EXPECT_EQ(deliverer->run_once(), 0u);  // nothing left to do

  // The transfer log: one entry, direction out, in the attempt's transaction.
  const auto log = store_.list_transfers({});
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].direction, store::TransferDirection::out);
  EXPECT_EQ(log[0].recipient, "npm");
  EXPECT_EQ(log[0].delivery_id, queued.id);
  EXPECT_EQ(log[0].bytes, queued.size);
  EXPECT_EQ(log[0].status, "delivered");
  EXPECT_EQ(log[0].http_status, 201);

  // Stock OpenSSL accepts both signatures: the gateway's over the payload, the inbox's receipt.
  write_file(dir() / "payload.p7s", queued.signature);
  const auto payload = openssl_cms_verify(dir() / "payload.p7s", queued.payload, pki_.ca_certificate());
  EXPECT_EQ(payload.exit_code, 0) << payload.output;
  write_file(dir() / "receipt.json", done.receipt);
  write_file(dir() / "receipt.p7s", done.receipt_signature);
  const auto receipt =
      openssl_cms_verify(dir() / "receipt.p7s", dir() / "receipt.json", pki_.ca_certificate());
  EXPECT_EQ(receipt.exit_code, 0) << receipt.output;
}

TEST_F(PushDeliveryTest, RecipientDownThenUpIsDeliveredOnce) {
  unsigned short port = 0;
  { port = RunningInbox(inbox_config()).port(); }  // a port that was free a moment ago
  const auto recipient = push_recipient(port);
  const store::Delivery queued = enqueue(recipient);
  auto deliverer = deliverer_for(recipient);

  EXPECT_EQ(deliverer->run_once(), 1u);
  store::Delivery waiting = get(queued.id);
  EXPECT_EQ(waiting.state, DeliveryState::pending);
  EXPECT_EQ(waiting.attempts, 1u);
  EXPECT_THAT(waiting.last_error, HasSubstr("connect"));
  EXPECT_EQ(waiting.due_at, now_ + recipient.retry.initial);  // jitter pinned to the ceiling
  EXPECT_EQ(deliverer->run_once(), 0u);                       // not due yet

  RunningInbox inbox(inbox_config(port));
  now_ += recipient.retry.initial;
  EXPECT_EQ(deliverer->run_once(), 1u);
  EXPECT_EQ(get(queued.id).state, DeliveryState::delivered);
  EXPECT_EQ(inbox.store().ids().size(), 1u);

  const auto attempts = outbox_.list_attempts(queued.id);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].http_status, 0);
  EXPECT_EQ(attempts[1].http_status, 201);
  const auto log = store_.list_transfers({});
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].status, "retry");
  EXPECT_FALSE(log[0].error.empty());
  EXPECT_EQ(log[1].status, "delivered");
}

TEST_F(PushDeliveryTest, ServerErrorThenCreatedTakesTwoLoggedAttempts) {
  FakeGateway fake(inbox_tls_, pki_.ca_certificate());
  const auto recipient = push_recipient(fake.port(), "127.0.0.1");
  const store::Delivery queued = enqueue(recipient);
  fake.script(ScriptedReply::respond(500, "{\"error\":{\"code\":\"oops\",\"message\":\"down\"}}"));
  fake.script(signed_receipt(201, receipt_for(queued)));
  auto deliverer = deliverer_for(recipient);

  EXPECT_EQ(deliverer->run_once(), 1u);
  EXPECT_EQ(get(queued.id).state, DeliveryState::pending);
  now_ += recipient.retry.initial;
  EXPECT_EQ(deliverer->run_once(), 1u);
  EXPECT_EQ(get(queued.id).state, DeliveryState::delivered);

  const auto attempts = outbox_.list_attempts(queued.id);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].http_status, 500);
  EXPECT_EQ(attempts[1].http_status, 201);
  EXPECT_EQ(store_.list_transfers({}).size(), 2u);

  // Both attempts carried the same delivery id, digest and a signature that holds.
  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const SeenRequest& request : requests) {
    EXPECT_EQ(request.target, "/v1/deliveries");
    EXPECT_EQ(request.client_cn, "gateway");
    EXPECT_EQ(request.header("idempotency-key"), queued.id);
    EXPECT_EQ(request.header("payload-sha256"), queued.sha256);
    EXPECT_EQ(request.header("content-type"), "application/json");
    EXPECT_EQ(request.body_sha256, queued.sha256);
    const auto signature = signing::base64_decode(request.header("payload-signature"));
    ASSERT_TRUE(signature.has_value());
    EXPECT_NO_THROW(signing::verify_detached(*signature, read_file(queued.payload),
                                             pki_.ca_certificate()));
  }
}

TEST_F(PushDeliveryTest, BadRequestFailsAtOnceAndAnOperatorRequeues) {
  CapturedLog log;
  FakeGateway fake(inbox_tls_, pki_.ca_certificate());
  const auto recipient = push_recipient(fake.port(), "127.0.0.1");
  const store::Delivery queued = enqueue(recipient);
  fake.script(ScriptedReply::error(400, "bad_request", "we cannot read this"));
  fake.script(signed_receipt(201, receipt_for(queued)));
  auto deliverer = deliverer_for(recipient);

  EXPECT_EQ(deliverer->run_once(), 1u);
  const store::Delivery failed = get(queued.id);
  EXPECT_EQ(failed.state, DeliveryState::failed);
  EXPECT_THAT(failed.failure_reason, HasSubstr("HTTP 400"));
  EXPECT_TRUE(log.contains("\"delivery_failed\""));
  now_ += 1h;
  EXPECT_EQ(deliverer->run_once(), 0u);  // a dead letter is never retried on its own

  EXPECT_TRUE(deliverer->requeue(queued.id));
  EXPECT_FALSE(deliverer->requeue(queued.id));  // only a failed delivery can be re-queued
  EXPECT_EQ(deliverer->run_once(), 1u);
  EXPECT_EQ(get(queued.id).state, DeliveryState::delivered);
  EXPECT_EQ(store_.list_transfers({}).size(), 2u);
}

TEST_F(PushDeliveryTest, TooManyRequestsIsRetriedAfterTheRecipientsRetryAfter) {
  FakeGateway fake(inbox_tls_, pki_.ca_certificate());
  const auto recipient = push_recipient(fake.port(), "127.0.0.1");
  const store::Delivery queued = enqueue(recipient);
  fake.script(ScriptedReply::respond(429, "{}", {{"Retry-After", "120"}}));
  auto deliverer = deliverer_for(recipient);
  EXPECT_EQ(deliverer->run_once(), 1u);
  const store::Delivery waiting = get(queued.id);
  EXPECT_EQ(waiting.state, DeliveryState::pending);
  EXPECT_EQ(waiting.due_at, now_ + 120s);
}

TEST_F(PushDeliveryTest, RetriesPastGiveUpAfterBecomeADeadLetterWithAnAlert) {
  CapturedLog log;
  unsigned short port = 0;
  { port = RunningInbox(inbox_config()).port(); }
  auto recipient = push_recipient(port);
  recipient.retry.give_up_after = 1h;
  const store::Delivery queued = enqueue(recipient);
  auto deliverer = deliverer_for(recipient);

  EXPECT_EQ(deliverer->run_once(), 1u);
  EXPECT_EQ(get(queued.id).state, DeliveryState::pending);
  now_ += 2h;
  EXPECT_EQ(deliverer->run_once(), 1u);
  const store::Delivery failed = get(queued.id);
  EXPECT_EQ(failed.state, DeliveryState::failed);
  EXPECT_THAT(failed.failure_reason, HasSubstr("gave up after 1 hours"));
  EXPECT_TRUE(log.contains("\"delivery_failed\""));
}

TEST_F(PushDeliveryTest, TamperedPayloadIsRefusedByTheInbox) {
  RunningInbox inbox(inbox_config());
  const auto recipient = push_recipient(inbox.port());
  const store::Delivery queued = enqueue(recipient, R"({"visits":1})");
  write_file(queued.payload, R"({"visits":2})");  // altered in the outbox after signing
  auto deliverer = deliverer_for(recipient);

  EXPECT_EQ(deliverer->run_once(), 1u);
  const store::Delivery failed = get(queued.id);
  EXPECT_EQ(failed.state, DeliveryState::failed);
  EXPECT_THAT(failed.failure_reason, HasSubstr("HTTP 422"));
  EXPECT_THAT(failed.failure_reason, HasSubstr("payload_digest_mismatch"));
  EXPECT_TRUE(inbox.store().ids().empty());
}

TEST_F(PushDeliveryTest, PayloadSignedByAnUntrustedKeyIsRefusedByTheInbox) {
  RunningInbox inbox(inbox_config());
  const auto recipient = push_recipient(inbox.port());
  TestPki other(dir() / "other-pki", "Another CA");
  const auto other_signing = other.issue_signing("Impostor");
  const auto impostor = signing::Signer::load(other_signing.certificate, other_signing.private_key);
  const std::string bytes = R"({"visits":1})";
  const auto path = dir() / "gateway" / "outbox" / "dlv_impostor.json";
  std::filesystem::create_directories(path.parent_path());
  write_file(path, bytes);
  store::NewDelivery forged;
  forged.id = "dlv_impostor";
  forged.recipient = "npm";
  forged.payload = path;
  forged.sha256 = adapters::sha256_hex(bytes);
  forged.size = bytes.size();
  forged.signature = impostor.sign_detached(bytes);
  forged.content_type = "application/json";
  forged.metadata_json = "{}";
  forged.created_at = now_;
  outbox_.enqueue(forged);

  auto deliverer = deliverer_for(recipient);
  EXPECT_EQ(deliverer->run_once(), 1u);
  const store::Delivery failed = get("dlv_impostor");
  EXPECT_EQ(failed.state, DeliveryState::failed);
  EXPECT_THAT(failed.failure_reason, HasSubstr("payload_signature_invalid"));
  EXPECT_TRUE(inbox.store().ids().empty());
}

TEST_F(PushDeliveryTest, TamperedReceiptIsNotTakenForDelivery) {
  FakeGateway fake(inbox_tls_, pki_.ca_certificate());
  const auto recipient = push_recipient(fake.port(), "127.0.0.1");
  const store::Delivery queued = enqueue(recipient);
  const std::string genuine = receipt_for(queued);
  std::string altered = genuine;
  altered.replace(altered.find("\"size\":"), 7, "\"size\":9");
  fake.script(signed_receipt(201, altered, genuine));  // signature over other bytes
  fake.script(signed_receipt(201, receipt_for(queued, "dlv_someoneelse")));  // not this delivery
  auto deliverer = deliverer_for(recipient);

  EXPECT_EQ(deliverer->run_once(), 1u);
  store::Delivery waiting = get(queued.id);
  EXPECT_EQ(waiting.state, DeliveryState::pending);
  EXPECT_THAT(waiting.last_error, HasSubstr("invalid receipt: receipt signature"));

  now_ += 1h;
  EXPECT_EQ(deliverer->run_once(), 1u);
  waiting = get(queued.id);
  EXPECT_EQ(waiting.state, DeliveryState::pending);
  EXPECT_THAT(waiting.last_error, HasSubstr("names delivery \"dlv_someoneelse\""));
  EXPECT_TRUE(waiting.receipt.empty());
}

TEST_F(PushDeliveryTest, TheDelivererThreadDeliversWhatIsEnqueued) {
  RunningInbox inbox(inbox_config());
  const auto recipient = push_recipient(inbox.port());
  std::vector<delivery::ActiveRecipient> active;
  active.push_back({delivery::make_recipient(recipient), recipient.retry});
  delivery::Deliverer deliverer(outbox_, std::move(active));  // real clock, real thread
  deliverer.start();
  const store::Delivery queued = enqueue(recipient);
  deliverer.wake();
  EXPECT_TRUE(eventually([&] { return get(queued.id).state == DeliveryState::delivered; }));
  deliverer.stop();
}

// ---- classify(): every answer without a socket --------------------------------------------

TEST(ClassifyTest, StatusesMapToRetryOrFailed) {
  store::Delivery d;
  d.id = "dlv_x";
  d.sha256 = std::string(64, 'a');
  const auto result_of = [&](unsigned status) {
    push::HttpResponse response{static_cast<boost::beast::http::status>(status), 11};
    return delivery::classify(response, d, "/nonexistent-ca.pem").result;
  };
  using R = delivery::Handover::Result;
  for (unsigned status : {408u, 429u, 500u, 502u, 503u, 504u}) EXPECT_EQ(result_of(status), R::retry) << status;
  for (unsigned status : {400u, 401u, 403u, 404u, 409u, 413u, 415u, 422u}) {
    EXPECT_EQ(result_of(status), R::failed) << status;
  }
  // A 201 without a receipt signature is not a delivery.
  EXPECT_EQ(result_of(201), R::retry);
  EXPECT_EQ(delivery::classify(push::TransportFailure{push::FailureStage::connect, "refused"}, d,
                               "/nonexistent-ca.pem")
                .result,
            R::retry);
}

}  // namespace
}  // namespace opcat::testing
