// The reference inbox's handler without sockets: header checks before the body, then digest,
// signature and schema (JSON and XML, checked from disk), storage once per delivery id, and the
// signed receipt.
#include "gateway/inbox/inbox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "adapters/core/sha256.hpp"
#include "gateway/consolidation/consolidator.hpp"
#include "gateway/inbox/inbox_config.hpp"
#include "gateway/signing/base64.hpp"
#include "gateway/signing/verifier.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/support/consolidated_payloads.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::inbox {
namespace {

using opcat::testing::TempDir;
using opcat::testing::TestPki;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
namespace fs = std::filesystem;

const fs::path kSource = OPCAT_SOURCE_DIR;
const fs::path kSchemas = kSource / "schemas";

const opcat::testing::ConsolidatedPayloads& payloads() {
  return opcat::testing::consolidated_payloads();
}

// `text` with the first `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class InboxTest : public ::testing::Test {
 protected:
  InboxTest()
      : pki_(dir_.path() / "pki"),
        gateway_signing_(pki_.issue_signing("Gateway payloads")),
        inbox_signing_(pki_.issue_signing("Inbox receipts")),
        gateway_signer_(
            signing::Signer::load(gateway_signing_.certificate, gateway_signing_.private_key)),
        inbox_signer_(
            signing::Signer::load(inbox_signing_.certificate, inbox_signing_.private_key)),
        store_(dir_.path() / "inbox") {
    caller_.certificate.subject_cn = "gateway";
    caller_.identity =
        identity::Identity{identity::Identity::Kind::member, "gateway", "gateway", {}};
  }

  void SetUp() override {
    inbox_ = std::make_unique<Inbox>(
        inbox_signer_, store_,
        Inbox::Options{.payload_ca = pki_.ca_certificate(), .schemas = kSchemas});
  }

  http::Request request(const std::string& id, const std::string& payload,
                        const std::string& content_type = "application/json") const {
    http::Request r{http::Verb::post, "/v1/deliveries", 11};
    r.set("Idempotency-Key", id);
    r.set("Content-Type", content_type);
    r.set("Payload-SHA256", adapters::sha256_hex(payload));
    r.set("Payload-Signature", signing::base64_encode(gateway_signer_.sign_detached(payload)));
    return r;
  }

  // The body as the upload route leaves it: on disk with its digest.
  http::ReceivedBody body(const std::string& payload) {
    const fs::path path = dir_.path() / ("body-" + std::to_string(++bodies_));  // atomic: threads
    std::ofstream(path, std::ios::binary) << payload;
    return {path, adapters::sha256_hex(payload), payload.size(), std::chrono::system_clock::now()};
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
  std::atomic<int> bodies_ = 0;
  const std::string& json_ = payloads().json;  // a valid consolidated payload
};

TEST_F(InboxTest, StoresOnceAndAnswersWithASignedReceipt) {
  const auto response = post(request("dlv_one", json_), json_);
  ASSERT_EQ(response.result_int(), 201u) << response.body();
  rapidjson::Document receipt;
  receipt.Parse(response.body().c_str());
  EXPECT_EQ(std::string(receipt["delivery_id"].GetString()), "dlv_one");
  EXPECT_EQ(std::string(receipt["payload_sha256"].GetString()), adapters::sha256_hex(json_));
  EXPECT_EQ(receipt["size"].GetUint64(), json_.size());
  EXPECT_EQ(std::string(receipt["stored_as"].GetString()), "deliveries/dlv_one/payload.json");
  EXPECT_TRUE(receipt.HasMember("received_at"));
  const auto signature = signing::base64_decode(std::string(response["Receipt-Signature"]));
  ASSERT_TRUE(signature.has_value());
  EXPECT_NO_THROW(signing::verify_detached(*signature, response.body(), pki_.ca_certificate()));

  // A retry gets the original receipt, byte for byte, and nothing is stored twice.
  const auto retry = post(request("dlv_one", json_), json_);
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
  ASSERT_EQ(post(request("dlv_one", json_), json_).result_int(), 201u);
  const std::string other = R"({"submission":"another"})";
  const auto response = post(request("dlv_one", other), other);
  EXPECT_EQ(response.result_int(), 409u);
  EXPECT_EQ(code_of(response), "delivery_id_reused");
}

TEST_F(InboxTest, HeadersAreCheckedBeforeTheBody) {
  auto r = request("../escape", json_);
  EXPECT_EQ(code_of(post(r, json_)), "bad_delivery_id");
  r = request("dlv_one", json_);
  r.set("Payload-SHA256", "nothex");
  EXPECT_EQ(code_of(post(r, json_)), "bad_payload_sha256");
  r = request("dlv_one", json_);
  r.set("Payload-Signature", "not base64!");
  EXPECT_EQ(code_of(post(r, json_)), "bad_payload_signature");
  const auto unsupported = post(request("dlv_one", json_, "text/csv"), json_);
  EXPECT_EQ(unsupported.result_int(), 415u);
  EXPECT_TRUE(store_.ids().empty());
}

TEST_F(InboxTest, ATamperedPayloadIsRefused) {
  const std::string tampered = replaced(json_, "HMP Zedwick", "HMP Zedwicc");
  // Digest of the original in the header, other bytes on the wire.
  const auto mismatch = post(request("dlv_one", json_), tampered);
  EXPECT_EQ(mismatch.result_int(), 422u);
  EXPECT_EQ(code_of(mismatch), "payload_digest_mismatch");
  // Digest updated, signature still over the original.
  auto r = request("dlv_two", json_);
  r.set("Payload-SHA256", adapters::sha256_hex(tampered));
  const auto forged = post(r, tampered);
  EXPECT_EQ(forged.result_int(), 422u);
  EXPECT_EQ(code_of(forged), "payload_signature_invalid");
  EXPECT_TRUE(store_.ids().empty());
}

TEST_F(InboxTest, APayloadThatIsNotJsonIsRefused) {
  const std::string broken = json_.substr(0, json_.size() / 2);
  const auto response = post(request("dlv_one", broken), broken);
  EXPECT_EQ(response.result_int(), 422u);
  EXPECT_EQ(code_of(response), "payload_invalid");
  EXPECT_THAT(response.body(), HasSubstr("not well-formed JSON"));
}

TEST_F(InboxTest, SignedJsonThatDoesNotMatchTheSchemaIsRefused) {
  const std::string invalid = replaced(json_, R"("start_date":)", R"("started_on":)");
  const auto response = post(request("dlv_one", invalid), invalid);
  EXPECT_EQ(response.result_int(), 422u);
  EXPECT_EQ(code_of(response), "payload_invalid");
  EXPECT_THAT(response.body(), HasSubstr("the payload does not match consolidated.schema.json: "
                                         "#/visits/0/started_on: additionalProperties"));
  EXPECT_TRUE(store_.ids().empty());
}

TEST_F(InboxTest, AValidXmlPayloadIsAccepted) {
  const std::string& xml = payloads().xml;
  const auto response = post(request("dlv_xml", xml, "application/xml"), xml);
  ASSERT_EQ(response.result_int(), 201u) << response.body();
  rapidjson::Document receipt;
  receipt.Parse(response.body().c_str());
  EXPECT_EQ(std::string(receipt["stored_as"].GetString()), "deliveries/dlv_xml/payload.xml");
  EXPECT_EQ(std::string(receipt["content_type"].GetString()), "application/xml");
  std::ifstream stored(store_.folder_of("dlv_xml") / "payload.xml", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(stored), {}), xml);
}

TEST_F(InboxTest, SignedXmlThatDoesNotMatchTheXsdIsRefused) {
  // Correctly signed and well-formed, but a visit without its start date.
  const std::size_t start = payloads().xml.find("<start_date>");
  const std::size_t end = payloads().xml.find("</start_date>");
  ASSERT_NE(start, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  std::string invalid = payloads().xml;
  invalid.erase(start, end + std::string("</start_date>").size() - start);
  const auto response = post(request("dlv_xml", invalid, "application/xml"), invalid);
  EXPECT_EQ(response.result_int(), 422u);
  EXPECT_EQ(code_of(response), "payload_invalid");
  EXPECT_THAT(response.body(),
              MatchesRegex(".*the payload does not match consolidated.xsd: line [0-9]+: "
                           "Element '[a-z_]+': This element is not expected. Expected is .*"
                           "start_date.*"));
  EXPECT_TRUE(store_.ids().empty());

  // A JSON payload sent as XML is no XML at all.
  const auto mislabelled = post(request("dlv_json", json_, "application/xml"), json_);
  EXPECT_EQ(mislabelled.result_int(), 422u);
  EXPECT_THAT(mislabelled.body(), HasSubstr("consolidated.xsd: line 1: "));
}

TEST_F(InboxTest, AnXmlPayloadWithADoctypeIsRefused) {
  const std::string xml =
      replaced(payloads().xml, "<consolidated_submission",
               "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">]>\n<consolidated_submission");
  const auto response = post(request("dlv_xml", xml, "application/xml"), xml);
  EXPECT_EQ(response.result_int(), 422u);
  EXPECT_THAT(response.body(), HasSubstr("a DOCTYPE is not allowed"));
}

TEST_F(InboxTest, ReceivesOnSeveralWorkersAtOnce) {
  // Each check borrows its own schema (RapidJSON's validator is not thread-safe).
  constexpr int kThreads = 6;
  std::vector<http::Response> responses(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, &responses, t] {
      const bool xml = t % 2 == 1;
      const std::string& payload = xml ? payloads().xml : payloads().json;
      responses[t] = post(request("dlv_" + std::to_string(t), payload,
                                  xml ? "application/xml" : "application/json"),
                          payload);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(responses[t].result_int(), 201u) << responses[t].body();
  EXPECT_EQ(store_.ids().size(), static_cast<std::size_t>(kThreads));
}

TEST_F(InboxTest, SchemasThatCannotBeReadStopTheInboxAtStart) {
  const fs::path empty = dir_.path() / "no-schemas";
  fs::create_directory(empty);
  try {
    Inbox inbox(inbox_signer_, store_, {.payload_ca = pki_.ca_certificate(), .schemas = empty});
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(empty.string()));
  }
}

TEST(InboxConfigTest, ReadsTheFileAndNamesMissingKeys) {
  TempDir dir("opcat-inbox-config");
  fs::create_directory(dir.path() / "schemas");
  for (const char* name : {"s.crt", "s.key", "ca.crt", "ca.crl", "sig.crt", "sig.key",
                           "schemas/consolidated.schema.json", "schemas/consolidated.xsd"}) {
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
schemas = "schemas"
)" + tls,
                                                dir.path());
  EXPECT_EQ(config.listen.port, 9444);
  EXPECT_EQ(config.data_dir, dir.path() / "spt-data");
  EXPECT_EQ(config.allowed_senders, std::vector<std::string>{"gateway"});
  EXPECT_EQ(config.schemas, dir.path() / "schemas");
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

  const std::string minimal =
      "data_dir = \"x\"\npayload_ca = \"ca.crt\"\nallowed_senders = [\"gateway\"]\n";
  EXPECT_EQ(parse_inbox_config(minimal + tls, dir.path()).schemas, fs::path())
      << "absent: the gateway's own schemas/";
  try {
    parse_inbox_config(minimal + "schemas = \"elsewhere\"\n" + tls, dir.path());
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("schemas: " + (dir.path() / "elsewhere").string() +
                                    "/consolidated.schema.json does not exist"));
  }
  try {
    parse_inbox_config(minimal + "schema = \"consolidated.schema.json\"\n" + tls, dir.path());
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("schema: replaced by `schemas`"));
  }
}

}  // namespace
}  // namespace opcat::inbox
