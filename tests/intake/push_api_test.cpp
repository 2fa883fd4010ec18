// POST /v1/submissions and the reads around it, over real mutual TLS against a whole Gateway
// (real SQLite in a temp directory, real mappings, real signing certificate), port 0.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <boost/beast/http/read.hpp>

#include <fstream>
#include <iterator>
#include <thread>

#include "adapters/core/sha256.hpp"
#include "gateway/app/gateway.hpp"
#include "gateway/signing/base64.hpp"
#include "gateway/signing/verifier.hpp"
#include "tests/support/member_samples.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/tls_client.hpp"

namespace opcat::app {
namespace {

using namespace std::chrono_literals;
using opcat::adapters::sha256_hex;
using opcat::testing::ClientOptions;
using opcat::testing::IssuedCertificate;
using opcat::testing::Request;
using opcat::testing::Response;
using opcat::testing::TempDir;
using opcat::testing::TestPki;
using opcat::testing::TlsClient;
namespace beast_http = boost::beast::http;

const std::filesystem::path kFixtures =
    std::filesystem::path(OPCAT_SOURCE_DIR) / "tests/fixtures/members";


std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::size_t count_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::size_t lines = 0;
  for (std::string line; std::getline(in, line);) lines += line.empty() ? 0 : 1;
  return lines;
}

std::string unbase64(std::string_view text) {
  return signing::base64_decode(text).value_or(std::string());
}

class PushApiTest : public ::testing::Test {
 protected:
  PushApiTest() : pki_(dir_.path() / "pki") {
    const auto server = pki_.issue_server();
    const auto signing = pki_.issue_signing();
    config_.listen = {"127.0.0.1", 0};
    config_.admin.listen = {"127.0.0.1", 0};
    config_.threads = 2;
    config_.data_dir = dir_.path() / "data";
    config_.tls.certificate = server.certificate;
    config_.tls.private_key = server.private_key;
    config_.tls.client_ca = config_.admin.client_ca = pki_.ca_certificate();
    config_.tls.crl = config_.admin.crl = pki_.crl();
    config_.signing = config::SigningSettings{signing.certificate, signing.private_key, {}};
    config_.intake.workers = 2;
    config_.timeouts.grace = 10s;
    for (const char* code : {"hmip", "imb", "icva", "cqc", "ofsted", "ci", "cjini", "nipb-icvs"}) {
      config_.members[code] = {code, code, {code, {}}, {}};
      members_[code] = pki_.issue_client(code);
    }
  }

  ~PushApiTest() override { stop(); }

  void start() {
    gateway_ = std::make_unique<Gateway>(config_);
    thread_ = std::thread([this] { gateway_->run(/*handle_signals=*/false); });
  }

  void stop() {
    if (!gateway_) return;
    gateway_->shutdown();
    thread_.join();
    gateway_.reset();
  }

  ClientOptions as(const std::string& member) const {
    ClientOptions options;
    options.ca = pki_.ca_certificate();
    options.certificate = members_.at(member).certificate;
    options.private_key = members_.at(member).private_key;
    return options;
  }

  Response push(const std::string& member, std::string body, std::string content_type = {},
                std::optional<std::string> key = std::nullopt) {
    TlsClient client(gateway_->server().member_endpoint(), as(member));
    EXPECT_FALSE(client.connect());
    Request request{beast_http::verb::post, "/v1/submissions", 11};
    if (!content_type.empty()) request.set(beast_http::field::content_type, content_type);
    if (key) request.set("Idempotency-Key", *key);
    request.body() = std::move(body);
    Response response;
    const auto ec = client.exchange(std::move(request), response);
    EXPECT_FALSE(ec) << ec.message();
    return response;
  }

  Response get(const std::string& member, const std::string& target) {
    TlsClient client(gateway_->server().member_endpoint(), as(member));
    EXPECT_FALSE(client.connect());
    Response response;
    const auto ec = client.get(target, response);
    EXPECT_FALSE(ec) << ec.message();
    return response;
  }

  static rapidjson::Document json(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    EXPECT_FALSE(document.HasParseError()) << body;
    return document;
  }

  TempDir dir_{"opcat-push-api"};
  TestPki pki_;
  std::map<std::string, IssuedCertificate> members_;
  config::Config config_;
  std::unique_ptr<Gateway> gateway_;
  std::thread thread_;
};

TEST_F(PushApiTest, EveryMembersSampleIsStoredAndItsReceiptVerifies) {
  start();
  for (const auto& sample : opcat::testing::member_samples()) {
    SCOPED_TRACE(sample.member);
    const std::string body = read_file(kFixtures / sample.file);
    const Response response = push(sample.member, body, sample.content_type);
    ASSERT_EQ(response.result_int(), 202) << response.body();

    const auto receipt = json(response.body());
    EXPECT_STREQ(receipt["member"].GetString(), sample.member.c_str());
    EXPECT_EQ(receipt["sha256"].GetString(), sha256_hex(body));
    EXPECT_EQ(receipt["size"].GetUint64(), body.size());
    const std::string id = receipt["submission_id"].GetString();
    EXPECT_EQ(response[beast_http::field::location], "/v1/submissions/" + id);

    // The member's proof: the signature covers the body's exact bytes.
    const std::string signature = unbase64(response["Receipt-Signature"]);
    EXPECT_NO_THROW(signing::verify_detached(signature, response.body(), pki_.ca_certificate()));
    EXPECT_THROW(signing::verify_detached(signature, response.body() + " ", pki_.ca_certificate()),
                 signing::SignatureError);

    // What the store holds is what normalise produces offline (the golden file).
    const auto expected = count_lines(kFixtures / (sample.file + ".expected.jsonl"));
    EXPECT_EQ(receipt["records"]["accepted"].GetUint64(), expected);
    const auto records = gateway_->store().list_records(sample.member, id, 0, 1'000'000);
    ASSERT_TRUE(records);
    EXPECT_EQ(records->size(), expected);
  }
}

TEST_F(PushApiTest, ARetryGetsTheOriginalReceiptAndNoSecondCopy) {
  start();
  const std::string body = read_file(kFixtures / "imb/annual-reports-2024-25.json");
  const Response first = push("imb", body, "application/json", "export-42");
  ASSERT_EQ(first.result_int(), 202) << first.body();
  const Response by_key = push("imb", body, "application/json", "export-42");
  const Response by_body = push("imb", body, "application/json");
  for (const Response* again : {&by_key, &by_body}) {
    EXPECT_EQ(again->result_int(), 200) << again->body();
    EXPECT_EQ(again->body(), first.body());
    EXPECT_EQ((*again)["Receipt-Signature"], first["Receipt-Signature"]);
  }
  EXPECT_EQ(gateway_->store().list_submissions("imb", {}, 10).size(), 1u);

  const Response other = push("imb", "[]", "application/json", "export-42");
  EXPECT_EQ(other.result_int(), 409) << other.body();
  EXPECT_STREQ(json(other.body())["error"]["code"].GetString(), "idempotency_key_reused");
}

TEST_F(PushApiTest, AMemberSeesOnlyItsOwnSubmissions) {
  start();
  const Response pushed =
      push("icva", read_file(kFixtures / "icva/custody-visits-2024-25.csv"), "text/csv");
  ASSERT_EQ(pushed.result_int(), 202);
  const std::string id = json(pushed.body())["submission_id"].GetString();

  EXPECT_EQ(get("icva", "/v1/submissions/" + id).result_int(), 200);
  for (const std::string suffix : {"", "/errors", "/receipt.p7s"}) {
    const Response theirs = get("hmip", "/v1/submissions/" + id + suffix);
    EXPECT_EQ(theirs.result_int(), 404) << suffix;
    EXPECT_EQ(theirs.body().find("icva"), std::string::npos);
  }
  EXPECT_EQ(json(get("hmip", "/v1/submissions").body())["submissions"].Size(), 0u);
  const auto mine = json(get("icva", "/v1/submissions?since=2000-01-01T00%3A00%3A00.000Z").body());
  ASSERT_EQ(mine["submissions"].Size(), 1u);
  EXPECT_EQ(mine["submissions"][0]["submission_id"].GetString(), id);
}

TEST_F(PushApiTest, ErrorsArePagedInTheMembersOwnTerms) {
  start();
  const Response pushed =
      push("icva", read_file(kFixtures / "icva/custody-visits-2024-25.csv"), "text/csv");
  ASSERT_EQ(pushed.result_int(), 202);
  const auto receipt = json(pushed.body());
  const std::uint64_t total = receipt["errors"]["total"].GetUint64();
  ASSERT_GE(total, 2u);

  std::uint64_t seen = 0;
  std::string next = std::string(receipt["errors"]["href"].GetString()) + "?limit=1";
  while (!next.empty()) {
    const Response page = get("icva", next);
    ASSERT_EQ(page.result_int(), 200) << page.body();
    const auto document = json(page.body());
    for (const auto& error : document["errors"].GetArray()) {
      ++seen;
      EXPECT_EQ(error["seq"].GetInt64(), static_cast<std::int64_t>(seen));
      EXPECT_TRUE(error["source_field"].IsString());
      EXPECT_TRUE(error["locator"].IsString());
    }
    next = document["next"].IsNull() ? "" : document["next"].GetString();
    ASSERT_LE(seen, total + 1);
  }
  EXPECT_EQ(seen, total);
}

TEST_F(PushApiTest, ARejectedExportIsAnsweredWith422AndASignedReceipt) {
  start();
  const Response response = push("imb", "{\"not\": [\"the imb export\"", "application/json");
  ASSERT_EQ(response.result_int(), 422) << response.body();
  const auto receipt = json(response.body());
  EXPECT_STREQ(receipt["status"].GetString(), "rejected");
  EXPECT_TRUE(receipt["reason"].IsString());
  EXPECT_NO_THROW(signing::verify_detached(unbase64(response["Receipt-Signature"]),
                                           response.body(), pki_.ca_certificate()));
}

TEST_F(PushApiTest, WhatCannotBeReadIsRefusedBeforeItsBody) {
  start();
  const Response png = push("icva", std::string(1000, 'x'), "image/png");
  EXPECT_EQ(png.result_int(), 415) << png.body();
  EXPECT_STREQ(json(png.body())["error"]["code"].GetString(), "unsupported_type");

  const Response bad_key = push("icva", "a,b\n", "text/csv", "has space");
  EXPECT_EQ(bad_key.result_int(), 400);
  EXPECT_EQ(gateway_->store().list_submissions("icva", {}, 10).size(), 0u);
}

TEST_F(PushApiTest, ABodyOverTheLimitIsRefusedAndNothingIsKept) {
  config_.limits.body_limit = 4096;
  start();
  const Response response = push("icva", std::string(10'000, 'a'), "text/csv");
  EXPECT_EQ(response.result_int(), 413) << response.body();
  EXPECT_EQ(gateway_->store().list_submissions("icva", {}, 10).size(), 0u);

  // Chunked, so the size is only known as it arrives: refused all the same, no temp file left.
  TlsClient client(gateway_->server().member_endpoint(), as("icva"));
  ASSERT_FALSE(client.connect());
  std::string chunked =
      "POST /v1/submissions HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/csv\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) chunked += "3e8\r\n" + std::string(1000, 'b') + "\r\n";
  chunked += "0\r\n\r\n";
  ASSERT_FALSE(client.write(chunked));
  Response refused;
  ASSERT_FALSE(client.read(refused));
  EXPECT_EQ(refused.result_int(), 413);
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(config_.data_dir / "bodies")) {
    EXPECT_FALSE(entry.is_regular_file()) << "left behind: " << entry.path();
  }
}

TEST_F(PushApiTest, ExpectContinueGetsA100BeforeTheBodyIsSent) {
  start();
  const std::string body = read_file(kFixtures / "icva/custody-visits-2024-25.csv");
  TlsClient client(gateway_->server().member_endpoint(), as("icva"));
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write("POST /v1/submissions HTTP/1.1\r\nHost: localhost\r\n"
                            "Content-Type: text/csv\r\nExpect: 100-continue\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n"));
  Response interim;
  ASSERT_FALSE(client.read(interim));
  EXPECT_EQ(interim.result_int(), 100);
  ASSERT_FALSE(client.write(body));
  Response final_response;
  ASSERT_FALSE(client.read(final_response));
  EXPECT_EQ(final_response.result_int(), 202) << final_response.body();
}

}  // namespace
}  // namespace opcat::app
