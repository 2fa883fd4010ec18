// The reference inbox's handler without sockets: header checks before the body, then digest,
// signature, JSON and schema, storage once per delivery id, and the signed receipt.
#include "gateway/inbox/inbox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>

#include "gateway/delivery/payload.hpp"
#include "gateway/inbox/inbox_config.hpp"
#include "gateway/signing/base64.hpp"
#include "gateway/signing/verifier.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::inbox {
namespace {

using ::testing::HasSubstr;
using opcat::testing::TempDir;
using opcat::testing::TestPki;
namespace fs = std::filesystem;

class InboxTest : public ::testing::Test {
 protected:
  InboxTest()
      : pki_(dir_.path() / "pki"),
        gateway_signing_(pki_.issue_signing("Gateway payloads")),
        inbox_signing_(pki_.issue_signing("Inbox receipts")),
        gateway_signer_(signing::Signer::load(gateway_signing_.certificate, gateway_signing_.private_key)),
        inbox_signer_(signing::Signer::load(inbox_signing_.certificate, inbox_signing_.private_key)),
        store_(dir_.path() / "inbox") {
    caller_.certificate.subject_cn = "gateway";
    caller_.identity = identity::Identity{identity::Identity::Kind::member, "gateway", "gateway", {}};
  }

  // Built here rather than in the constructor, where schema_path() would not be virtual yet.
  void SetUp() override {
    inbox_ = std::make_unique<Inbox>(
        inbox_signer_, store_,
        Inbox::Options{.payload_ca = pki_.ca_certificate(), .schema = schema_path()});
  }
  virtual fs::path schema_path() const { return {}; }

  http::Request request(const std::string& id, const std::string& payload,
                        const std::string& content_type = "application/json") const {
    http::Request r{http::Verb::post, "/v1/deliveries", 11};
    r.set("Idempotency-Key", id);
    r.set("Content-Type", content_type);
    r.set("Payload-SHA256", delivery::sha256_hex(payload));
    r.set("Payload-Signature", signing::base64_encode(gateway_signer_.sign_detached(payload)));
    return r;
  }

  // The body as the upload route leaves it: on disk with its digest.
  http::ReceivedBody body(const std::string& payload) {
    const fs::path path = dir_.path() / ("body-" + std::to_string(++bodies_));
    std::ofstream(path, std::ios::binary) << payload;
    return {path, delivery::sha256_hex(payload), payload.size(), std::chrono::system_clock::now()};
  }

  http::Response post(const http::Request& r, const std::string& payload) {
    const http::Context context{r, caller_, {}, "/v1/deliveries", ""};
    if (auto answer = inbox_->check(context)) return *answer;
    return inbox_->receive(context, body(payload));
  }

  static std::string code_of(const http::Response& response) {
    rapidjson::Document d;
    d.Parse(response.body().c_str());
    if (d.HasParseError() || !d.HasMember("error")) return {};
    return d["error"]["code"].GetString();
  }

  TempDir dir_{"opcat-inbox"};
  TestPki pki_;
  opcat::testing::IssuedCertificate gateway_signing_, inbox_signing_;
  signing::Signer gateway_signer_, inbox_signer_;
  InboxStore store_;
  std::unique_ptr<Inbox> inbox_;
  http::Caller caller_;
  int bodies_ = 0;
};

const std::string kPayload = R"({"submission":"consolidated"})";

TEST_F(InboxTest, StoresOnceAndAnswersWithASignedReceipt) {
  const auto response = post(request("dlv_one", kPayload), kPayload);
  ASSERT_EQ(response.result_int(), 201u) << response.body();
  rapidjson::Document receipt;
  receipt.Parse(response.body().c_str());
  EXPECT_EQ(std::string(receipt["delivery_id"].GetString()), "dlv_one");
  EXPECT_EQ(std::string(receipt["payload_sha256"].GetString()), delivery::sha256_hex(kPayload));
  EXPECT_EQ(receipt["size"].GetUint64(), kPayload.size());
  EXPECT_EQ(std::string(receipt["stored_as"].GetString()), "deliveries/dlv_one/payload.json");
  EXPECT_TRUE(receipt.HasMember("received_at"));
  const auto signature = signing::base64_decode(std::string(response["Receipt-Signature"]));
  ASSERT_TRUE(signature.has_value());
  EXPECT_NO_THROW(signing::verify_detached(*signature, response.body(), pki_.ca_certificate()));

  // A retry gets the original receipt, byte for byte, and nothing is stored twice.
  const auto retry = post(request("dlv_one", kPayload), kPayload);
  EXPECT_EQ(retry.result_int(), 200u);
  EXPECT_EQ(retry.body(), response.body());
  EXPECT_EQ(std::string(retry["Receipt-Signature"]), std::string(response["Receipt-Signature"]));
  EXPECT_EQ(store_.ids(), std::vector<std::string>{"dlv_one"});
  const fs::path folder = store_.folder_of("dlv_one");
  for (const char* name : {"payload.json", "payload.p7s", "receipt.json", "receipt.p7s"}) {
    EXPECT_TRUE(fs::exists(folder / name)) << name;
  }
}

TEST_F(InboxTest, TheSameIdWithAnotherPayloadIsAConflict) {
  ASSERT_EQ(post(request("dlv_one", kPayload), kPayload).result_int(), 201u);
  const std::string other = R"({"submission":"another"})";
  const auto response = post(request("dlv_one", other), other);
  EXPECT_EQ(response.result_int(), 409u);
  EXPECT_EQ(code_of(response), "delivery_id_reused");
}

TEST_F(InboxTest, HeadersAreCheckedBeforeTheBody) {
  auto r = request("../escape", kPayload);
  EXPECT_EQ(code_of(post(r, kPayload)), "bad_delivery_id");
  r = request("dlv_one", kPayload);
  r.set("Payload-SHA256", "nothex");
  EXPECT_EQ(code_of(post(r, kPayload)), "bad_payload_sha256");
  r = request("dlv_one", kPayload);
  r.set("Payload-Signature", "not base64!");
  EXPECT_EQ(code_of(post(r, kPayload)), "bad_payload_signature");
  const auto unsupported = post(request("dlv_one", kPayload, "text/csv"), kPayload);
  EXPECT_EQ(unsupported.result_int(), 415u);
  EXPECT_TRUE(store_.ids().empty());
}

TEST_F(InboxTest, ATamperedPayloadIsRefused) {
  const std::string tampered = R"({"submission":"consolidatee"})";
  // Digest of the original in the header, other bytes on the wire.
  const auto mismatch = post(request("dlv_one", kPayload), tampered);
  EXPECT_EQ(mismatch.result_int(), 422u);
  EXPECT_EQ(code_of(mismatch), "payload_digest_mismatch");
  // Digest updated, signature still over the original.
  auto r = request("dlv_two", kPayload);
  r.set("Payload-SHA256", delivery::sha256_hex(tampered));
  const auto forged = post(r, tampered);
  EXPECT_EQ(forged.result_int(), 422u);
  EXPECT_EQ(code_of(forged), "payload_signature_invalid");
  EXPECT_TRUE(store_.ids().empty());
}

TEST_F(InboxTest, APayloadThatIsNotJsonIsRefused) {
  const std::string broken = R"({"submission":)";
  const auto response = post(request("dlv_one", broken), broken);
  EXPECT_EQ(response.result_int(), 422u);
  EXPECT_EQ(code_of(response), "payload_invalid");
}

class InboxSchemaTest : public InboxTest {
 protected:
  fs::path schema_path() const override {
    const fs::path path = fs::temp_directory_path() / "opcat-inbox-test-schema.json";
    std::ofstream(path) << R"({"type":"object","required":["submission"]})";
    return path;
  }
};

TEST_F(InboxSchemaTest, PayloadsAreValidatedAgainstTheSchemaWhenItExists) {
  EXPECT_EQ(post(request("dlv_one", kPayload), kPayload).result_int(), 201u);
  const std::string missing = R"({"other":1})";
  const auto response = post(request("dlv_two", missing), missing);
  EXPECT_EQ(response.result_int(), 422u);
  EXPECT_THAT(response.body(), HasSubstr("does not match the schema"));
}

TEST(InboxConfigTest, ReadsTheFileAndNamesMissingKeys) {
  TempDir dir("opcat-inbox-config");
  for (const char* name : {"s.crt", "s.key", "ca.crt", "ca.crl", "sig.crt", "sig.key"}) {
    std::ofstream(dir.path() / name) << "";
  }
  const std::string tls = R"(
[tls]
certificate = "s.crt"
private_key = "s.key"
client_ca = "ca.crt"
crl = "ca.crl"
[signing]
certificate = "sig.crt"
private_key = "sig.key"
)";
  const InboxConfig config = parse_inbox_config(R"(
listen = "127.0.0.1:9444"
data_dir = "spt-data"
allowed_senders = ["gateway"]
payload_ca = "ca.crt"
schema = "../schemas/consolidated.schema.json"
)" + tls, dir.path());
  EXPECT_EQ(config.listen.port, 9444);
  EXPECT_EQ(config.data_dir, dir.path() / "spt-data");
  EXPECT_EQ(config.allowed_senders, std::vector<std::string>{"gateway"});
  const config::Config server = config.server_config();
  ASSERT_EQ(server.members.size(), 1u);
  EXPECT_EQ(*server.members.at("gateway").certificate.cn, "gateway");
  EXPECT_TRUE(server.operators.empty());

  try {
    parse_inbox_config("data_dir = \"x\"\npayload_ca = \"ca.crt\"\n" + tls, dir.path());
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("allowed_senders: required key is missing"));
  }
}

}  // namespace
}  // namespace opcat::inbox
