// The gateway's main job end to end, in one process and over real mutual TLS: members push their
// exports, an operator asks for a consolidation on the admin listener, and the NPM Secretariat's
// and the SPT's reference inboxes each receive one signed payload (the SPT's minimised by its
// data policy) and answer with a signed receipt that the gateway stores. Real SQLite, real
// mappings and schemas, a throwaway PKI, port 0 everywhere.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <boost/beast/http.hpp>

#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include "adapters/schema/record_schema.hpp"
#include "gateway/app/gateway.hpp"
#include "gateway/signing/verifier.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/member_samples.hpp"
#include "tests/support/running_inbox.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/tls_client.hpp"

namespace opcat::app {
namespace {

using namespace std::chrono_literals;
using opcat::testing::ClientOptions;
using opcat::testing::eventually;
using opcat::testing::IssuedCertificate;
using opcat::testing::RunningInbox;
using opcat::testing::Request;
using opcat::testing::Response;
using opcat::testing::TempDir;
using opcat::testing::TestPki;
using opcat::testing::TlsClient;
namespace beast_http = boost::beast::http;
namespace fs = std::filesystem;

const fs::path kSource = OPCAT_SOURCE_DIR;
const fs::path kFixtures = kSource / "tests/fixtures/members";
const std::string kPeriod = "2024-04-01..2025-03-31";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  EXPECT_FALSE(document.HasParseError()) << text;
  return document;
}

class ConsolidationFlowTest : public ::testing::Test {
 protected:
  ConsolidationFlowTest()
      : pki_(dir_.path() / "pki"),
        inbox_tls_(pki_.issue_server("localhost")),
        inbox_signing_(pki_.issue_signing("Inbox receipts")),
        gateway_client_(pki_.issue_client("gateway")),
        gateway_signing_(pki_.issue_signing("OPCAT Gateway")),
        operator_(pki_.issue_client("otto")),
        viewer_(pki_.issue_client("vera")) {
    npm_inbox_ = std::make_unique<RunningInbox>(inbox_config("npm"));
    spt_inbox_ = std::make_unique<RunningInbox>(inbox_config("spt"));

    const auto server = pki_.issue_server("localhost");
    config_.listen = {"127.0.0.1", 0};
    config_.admin.listen = {"127.0.0.1", 0};
    config_.threads = 2;
    config_.data_dir = dir_.path() / "gateway";
    config_.tls.certificate = server.certificate;
    config_.tls.private_key = server.private_key;
    config_.tls.client_ca = config_.admin.client_ca = pki_.ca_certificate();
    config_.tls.crl = config_.admin.crl = pki_.crl();
    config_.signing =
        config::SigningSettings{gateway_signing_.certificate, gateway_signing_.private_key, {}};
    config_.intake.workers = 2;
    config_.timeouts.grace = 10s;
    for (const auto& sample : opcat::testing::member_samples()) {
      const std::string& code = sample.member;
      config_.members[code] = {code, code, {code, {}}, {}};
      members_[code] = pki_.issue_client(code);
    }
    config_.operators["otto"] = {"otto", "Otto (synthetic operator)", config::Role::operator_,
                                 {"otto", {}}};
    config_.operators["vera"] = {"vera", "Vera (synthetic viewer)", config::Role::viewer,
                                 {"vera", {}}};
    config_.recipients["npm"] = recipient("npm", npm_inbox_->port(), "npm.toml", {});
    config_.recipients["spt"] =
        recipient("spt", spt_inbox_->port(), "spt.toml",
                  kSource / "tests/fixtures/consolidation/test-pseudonym.key");
    gateway_ = std::make_unique<Gateway>(config_);
    thread_ = std::thread([this] { gateway_->run(/*handle_signals=*/false); });
  }

  ~ConsolidationFlowTest() override { stop(); }

  void stop() {
    if (!gateway_) return;
    gateway_->shutdown();
    thread_.join();
    gateway_.reset();
  }

  void restart() {
    stop();
    gateway_ = std::make_unique<Gateway>(config_);
    thread_ = std::thread([this] { gateway_->run(/*handle_signals=*/false); });
  }

  // Asks for one recipient's consolidation and waits for its job: the delivery id.
  std::string consolidate(const std::string& recipient) {
    const Response accepted =
        admin(operator_, beast_http::verb::post, "/v1/consolidations",
              R"({"recipients":[")" + recipient + R"("],"period":")" + kPeriod + "\"}");
    EXPECT_EQ(accepted.result(), beast_http::status::accepted) << accepted.body();
    const std::string href = accepted[beast_http::field::location];
    std::string delivery;
    EXPECT_TRUE(eventually(
        [&] {
          const auto read = parse(admin(viewer_, beast_http::verb::get, href).body());
          if (std::string(read["state"].GetString()) == "done") {
            delivery = read["delivery_id"].GetString();
          }
          return !delivery.empty();
        },
        60s));
    return delivery;
  }

  inbox::InboxConfig inbox_config(const std::string& name) const {
    inbox::InboxConfig config;
    config.listen = {"127.0.0.1", 0};
    config.threads = 1;
    config.data_dir = dir_.path() / (name + "-inbox");
    config.tls.certificate = inbox_tls_.certificate;
    config.tls.private_key = inbox_tls_.private_key;
    config.tls.client_ca = pki_.ca_certificate();
    config.tls.crl = pki_.crl();
    config.allowed_senders = {"gateway"};
    config.payload_ca = pki_.ca_certificate();
    config.signing.certificate = inbox_signing_.certificate;
    config.signing.private_key = inbox_signing_.private_key;
    config.timeouts.grace = 2s;
    return config;
  }

  config::Recipient recipient(const std::string& name, unsigned short port,
                              const std::string& policy, const fs::path& key) const {
    config::Recipient r;
    r.name = name;
    r.mode = config::DeliveryMode::push;
    r.url = "https://localhost:" + std::to_string(port) + "/v1/deliveries";
    r.ca = pki_.ca_certificate();
    r.certificate = gateway_client_.certificate;
    r.private_key = gateway_client_.private_key;
    r.policy = kSource / "schemas/policies" / policy;
    r.pseudonym_key = key;
    return r;
  }

  ClientOptions as(const IssuedCertificate& who) const {
    ClientOptions options;
    options.ca = pki_.ca_certificate();
    options.certificate = who.certificate;
    options.private_key = who.private_key;
    return options;
  }

  Response exchange(boost::asio::ip::tcp::endpoint endpoint, const IssuedCertificate& who,
                    beast_http::verb verb, const std::string& target, std::string body = {},
                    const std::string& content_type = "application/json") {
    TlsClient client(endpoint, as(who));
    EXPECT_FALSE(client.connect());
    Request request{verb, target, 11};
    request.set(beast_http::field::host, "localhost");
    if (!body.empty()) request.set(beast_http::field::content_type, content_type);
    request.body() = std::move(body);
    request.prepare_payload();
    Response response;
    EXPECT_FALSE(client.exchange(std::move(request), response)) << target;
    return response;
  }

  Response admin(const IssuedCertificate& who, beast_http::verb verb, const std::string& target,
                 std::string body = {}) {
    return exchange(gateway_->server().admin_endpoint(), who, verb, target, std::move(body));
  }

  void push_every_sample() {
    for (const auto& sample : opcat::testing::member_samples()) {
      const Response response =
          exchange(gateway_->server().member_endpoint(), members_.at(sample.member),
                   beast_http::verb::post, "/v1/submissions", read_file(kFixtures / sample.file),
                   sample.content_type.empty() ? "application/octet-stream" : sample.content_type);
      ASSERT_EQ(response.result(), beast_http::status::accepted)
          << sample.file << ": " << response.body();
    }
  }

  // Every value of a field the schema classes `personal`, in the records the gateway stores.
  std::set<std::string> personal_values() {
    const auto schema = schema::RecordSchema::load(kSource / "schemas");
    std::set<std::string> found;
    std::function<void(const std::string&, const std::string&, const rapidjson::Value&)> collect =
        [&](const std::string& type, const std::string& path, const rapidjson::Value& value) {
          if (value.IsObject()) {
            for (const auto& m : value.GetObject()) {
              collect(type, path.empty() ? m.name.GetString() : path + "." + m.name.GetString(),
                      m.value);
            }
            return;
          }
          if (schema.sensitivity(type, path) != "personal") return;
          if (value.IsString()) found.insert(value.GetString());
          if (value.IsArray()) {
            for (const auto& item : value.GetArray()) {
              if (item.IsString()) found.insert(item.GetString());
            }
          }
        };
    gateway_->store().for_each_current_record({}, [&](const store::CurrentRecord& record) {
      collect(record.record_type, "", parse(record.body));
    });
    return found;
  }

  TempDir dir_{"opcat-flow"};
  TestPki pki_;
  IssuedCertificate inbox_tls_, inbox_signing_, gateway_client_, gateway_signing_;
  IssuedCertificate operator_, viewer_;
  std::map<std::string, IssuedCertificate> members_;
  std::unique_ptr<RunningInbox> npm_inbox_, spt_inbox_;
  config::Config config_;
  std::unique_ptr<Gateway> gateway_;
  std::thread thread_;
};

TEST_F(ConsolidationFlowTest, PushedExportsReachBothInboxesOnceSignedAndTheSptMinimised) {
  ASSERT_NO_FATAL_FAILURE(push_every_sample());

  const std::string ask = R"({"recipients":["npm","spt"],"period":")" + kPeriod + "\"}";
  const Response refused = admin(viewer_, beast_http::verb::post, "/v1/consolidations", ask);
  EXPECT_EQ(refused.result(), beast_http::status::forbidden) << refused.body();

  const Response accepted = admin(operator_, beast_http::verb::post, "/v1/consolidations", ask);
  ASSERT_EQ(accepted.result(), beast_http::status::accepted) << accepted.body();
  const auto jobs = parse(accepted.body());
  ASSERT_EQ(jobs["consolidations"].Size(), 2u);

  std::map<std::string, std::string> delivery_of;  // recipient -> delivery id
  for (const auto& job : jobs["consolidations"].GetArray()) {
    const std::string href = job["href"].GetString();
    const std::string recipient = job["recipient"].GetString();
    std::string state;
    ASSERT_TRUE(eventually(
        [&] {
          const auto read = parse(admin(viewer_, beast_http::verb::get, href).body());
          state = read["state"].GetString();
          if (state == "done") delivery_of[recipient] = read["delivery_id"].GetString();
          return state == "done" || state == "failed";
        },
        60s));
    ASSERT_EQ(state, "done") << admin(viewer_, beast_http::verb::get, href).body();
  }

  // Each delivery ends delivered, with the recipient's receipt stored, and each inbox holds one.
  for (const auto& [recipient, id] : delivery_of) {
    std::string state;
    ASSERT_TRUE(eventually(
        [&] {
          const auto read = parse(admin(viewer_, beast_http::verb::get, "/v1/deliveries/" + id).body());
          state = read["delivery"]["state"].GetString();
          return state == "delivered" || state == "failed";
        },
        60s));
    const Response detail = admin(viewer_, beast_http::verb::get, "/v1/deliveries/" + id);
    ASSERT_EQ(state, "delivered") << detail.body();
    const auto read = parse(detail.body());
    ASSERT_TRUE(read["receipt"].IsString());
    EXPECT_NE(std::string(read["receipt"].GetString()).find(id), std::string::npos);
    EXPECT_STREQ(read["delivery"]["metadata"]["period"].GetString(), kPeriod.c_str());
    EXPECT_STREQ(read["delivery"]["metadata"]["policy"].GetString(), recipient.c_str());
  }
  const auto& npm_ids = npm_inbox_->store().ids();
  const auto& spt_ids = spt_inbox_->store().ids();
  ASSERT_EQ(npm_ids, std::vector<std::string>{delivery_of.at("npm")});
  ASSERT_EQ(spt_ids, std::vector<std::string>{delivery_of.at("spt")});

  // What each inbox holds is what the gateway signed: the signature verifies over its bytes.
  const fs::path npm_folder = npm_inbox_->store().folder_of(npm_ids[0]);
  const fs::path spt_folder = spt_inbox_->store().folder_of(spt_ids[0]);
  const std::string npm_payload = read_file(npm_folder / "payload.json");
  const std::string spt_payload = read_file(spt_folder / "payload.json");
  for (const fs::path& folder : {npm_folder, spt_folder}) {
    EXPECT_NO_THROW(signing::verify_detached(read_file(folder / "payload.p7s"),
                                             read_file(folder / "payload.json"),
                                             pki_.ca_certificate()))
        << folder;
  }

  // The NPM gets everything; the SPT none of the personal values.
  const auto personal = personal_values();
  ASSERT_GT(personal.size(), 50u) << "the fixtures name monitors: there is something to find";
  EXPECT_NE(npm_payload.find(*personal.begin()), std::string::npos);
  for (const std::string& value : personal) {
    EXPECT_EQ(spt_payload.find(value), std::string::npos) << "\"" << value << "\" reached the SPT";
  }
  const auto spt = parse(spt_payload);
  EXPECT_STREQ(spt["policy"]["profile"].GetString(), "spt");
  EXPECT_GE(spt["lineage"].Size(), 5u) << "most samples hold records of the period";
  EXPECT_LE(spt["lineage"].Size(), opcat::testing::member_samples().size());

  // Every attempt is in the transfer log, outgoing, with its recipient.
  std::set<std::string> logged;
  store::TransferQuery everything;
  everything.limit = 1000;
  for (const auto& entry : gateway_->store().list_transfers(everything)) {
    if (entry.direction == store::TransferDirection::out && entry.status == "delivered") {
      logged.insert(entry.recipient + ":" + entry.delivery_id);
    }
  }
  EXPECT_EQ(logged, (std::set<std::string>{"npm:" + delivery_of.at("npm"),
                                           "spt:" + delivery_of.at("spt")}));

  // The operators' metrics say the same, read from the store at scrape time.
  {
    ClientOptions no_certificate;
    no_certificate.ca = pki_.ca_certificate();
    TlsClient stranger(gateway_->server().member_endpoint(), no_certificate);
    Response refused_response;
    EXPECT_TRUE(stranger.connect() || stranger.get("/v1/whoami", refused_response))
        << "a client without a certificate is refused";
    EXPECT_TRUE(eventually(
        [&] { return gateway_->server().member_stats().tls_failures.load() == 1; }));
  }
  const Response metrics = admin(viewer_, beast_http::verb::get, "/metrics");
  ASSERT_EQ(metrics.result(), beast_http::status::ok);
  EXPECT_EQ(metrics[beast_http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics.body();
  for (const std::string line : {
           R"(opcat_submissions_total{member="icva",status="partial"} 1)",
           R"(opcat_records_total{member="icva",outcome="accepted"} 2074)",
           R"(opcat_records_total{member="icva",outcome="rejected"} 5)",
           R"(opcat_deliveries{recipient="npm",state="delivered"} 1)",
           R"(opcat_deliveries{recipient="spt",state="delivered"} 1)",
           R"(opcat_outbox_pending{recipient="spt"} 0)",
           R"(opcat_outbox_oldest_pending_age_seconds{recipient="npm"} 0)",
           R"(opcat_tls_handshake_failures_total{listener="member",reason="peer did not return a certificate"} 1)",
           R"(opcat_request_duration_seconds_bucket{listener="member",le="+Inf"} 8)",
           R"(# TYPE opcat_request_duration_seconds histogram)",
           R"(opcat_alerts_active{kind="delivery_failed"} 0)",
       }) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n" << text;
  }
}

// What a crash can leave in the outbox (a consolidation cut off, a payload placed by an enqueue
// whose row never committed) is removed at start-up; a queued delivery's payload is not.
TEST_F(ConsolidationFlowTest, AnOutboxsLeftoversAreRemovedAtStartAndDeliveriesKept) {
  ASSERT_NO_FATAL_FAILURE(push_every_sample());
  const std::string id = consolidate("npm");
  ASSERT_FALSE(id.empty());
  const fs::path outbox = config_.data_dir / "outbox";
  ASSERT_TRUE(fs::exists(outbox / (id + ".json")));
  // The outbox holds personal data: not for other users of the machine.
  EXPECT_EQ(fs::status(outbox / (id + ".json")).permissions() & fs::perms::others_all,
            fs::perms::none);
  std::ofstream(outbox / ".tmp_cutoff.partial") << "half a payload";
  std::ofstream(outbox / "dlv_orphanwithoutarow.json") << "{}";
  std::ofstream(outbox / ".dlv_orphanwithoutarow.json.Ab12Cd") << "{";

  restart();
  EXPECT_TRUE(fs::exists(outbox / (id + ".json")));
  EXPECT_FALSE(fs::exists(outbox / ".tmp_cutoff.partial"));
  EXPECT_FALSE(fs::exists(outbox / "dlv_orphanwithoutarow.json"));
  EXPECT_FALSE(fs::exists(outbox / ".dlv_orphanwithoutarow.json.Ab12Cd"));
  EXPECT_EQ(fs::status(outbox).permissions() & fs::perms::others_all, fs::perms::none);
}

}  // namespace
}  // namespace opcat::app
