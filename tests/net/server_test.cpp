// The real server, real TLS, real certificates made for this run: every refusal the issue names
// is provoked from a real client and observed from both sides.
#include "gateway/net/server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/http/json_response.hpp"
#include "gateway/log/log.hpp"

#include "tests/support/eventually.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/tls_client.hpp"

namespace opcat::net {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::ClientOptions;
using testing::IssuedCertificate;
using testing::Response;
using testing::TempDir;
using testing::TestPki;
using testing::TlsClient;
namespace beast_http = boost::beast::http;

using testing::eventually;

// Captures the gateway's log lines (debug included) for the life of the object.
class CapturedLog {
 public:
  CapturedLog() {
    log::set_min_level(log::Level::debug);
    log::set_sink([this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    });
  }
  ~CapturedLog() {
    log::set_sink(nullptr);
    log::set_min_level(log::Level::info);
  }
  bool has_event(std::string_view event) const {
    const std::string needle = R"("event":")" + std::string(event) + '"';
    std::lock_guard lock(mutex_);
    for (const auto& line : lines_) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() : pki_(dir_.path() / "pki"), other_pki_(dir_.path() / "other", "Other CA") {
    const auto server = pki_.issue_server();
    TestPki::ClientOptions body;
    body.organisation = "HM Inspectorate of Prisons";
    member_ = pki_.issue_client("hmip", body);
    config_.listen = {"127.0.0.1", 0};
    config_.admin.listen = {"127.0.0.1", 0};
    config_.threads = 2;
    config_.tls.certificate = server.certificate;
    config_.tls.private_key = server.private_key;
    config_.tls.client_ca = config_.admin.client_ca = pki_.ca_certificate();
    config_.tls.crl = config_.admin.crl = pki_.crl();
    config_.members["hmip"] = {"hmip", "HM Inspectorate of Prisons", {"hmip", {}}, {}};
    config_.operators["admin"] = {"admin", "Administrator", config::Role::admin, {"admin", {}}};
    config_.timeouts.grace = 5s;
  }

  ~ServerTest() override { stop(); }

  void start(ServerParts parts = {}) {
    server_ = std::make_unique<Server>(config_, std::move(parts));
    thread_ = std::thread([this] { server_->run(/*handle_signals=*/false); });
  }

  void stop() {
    if (!server_) return;
    server_->shutdown();
    thread_.join();
    server_.reset();
  }

  ClientOptions as(const IssuedCertificate& who) const {
    ClientOptions options;
    options.ca = pki_.ca_certificate();
    options.certificate = who.certificate;
    options.private_key = who.private_key;
    return options;
  }

  TlsClient member_client(const ClientOptions& options) const {
    return TlsClient(server_->member_endpoint(), options);
  }

  // Connects and sends one GET; returns the first error of the handshake or of the exchange.
  boost::system::error_code get(const ClientOptions& options, const std::string& target,
                                Response& response, std::string* reason = nullptr) {
    TlsClient client = member_client(options);
    auto ec = client.connect();
    if (!ec) ec = client.get(target, response);
    if (ec && reason) *reason = client.describe(ec);
    return ec;
  }

  TempDir dir_;
  TestPki pki_;
  TestPki other_pki_;
  IssuedCertificate member_;
  config::Config config_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerTest, MemberCertificateGetsWhoami) {
  start();
  Response response;
  ASSERT_FALSE(get(as(member_), "/v1/whoami", response));
  EXPECT_EQ(response.result(), beast_http::status::ok);
  EXPECT_EQ(response[beast_http::field::content_type], "application/json");
  EXPECT_THAT(response.body(), HasSubstr(R"("member":"hmip")"));
  EXPECT_THAT(response.body(), HasSubstr(R"("name":"HM Inspectorate of Prisons")"));
  EXPECT_THAT(response.body(), HasSubstr(member_.sha256));
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  TlsClient client = member_client(as(member_));
  ASSERT_FALSE(client.connect());
  for (int i = 0; i < 3; ++i) {
    Response response;
    ASSERT_FALSE(client.get("/v1/whoami", response));
    EXPECT_EQ(response.result(), beast_http::status::ok);
  }
  EXPECT_EQ(server_->member_stats().accepted.load(), 1u);
  EXPECT_EQ(server_->member_stats().requests.load(), 3u);
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405AsJson) {
  start();
  TlsClient client = member_client(as(member_));
  ASSERT_FALSE(client.connect());
  Response response;
  ASSERT_FALSE(client.get("/v1/nothing-here", response));
  EXPECT_EQ(response.result(), beast_http::status::not_found);
  EXPECT_THAT(response.body(), HasSubstr(R"({"error":{"code":"not_found")"));
  testing::Request post{beast_http::verb::post, "/v1/whoami", 11};
  ASSERT_FALSE(client.exchange(post, response));
  EXPECT_EQ(response.result(), beast_http::status::method_not_allowed);
  EXPECT_EQ(response[beast_http::field::allow], "GET");
  EXPECT_THAT(response.body(), HasSubstr(R"("code":"method_not_allowed")"));
}

TEST_F(ServerTest, ValidCertificateOfNoMemberGets403) {
  start();
  const auto stranger = pki_.issue_client("not-a-member");
  Response response;
  ASSERT_FALSE(get(as(stranger), "/v1/whoami", response));
  EXPECT_EQ(response.result(), beast_http::status::forbidden);
  EXPECT_THAT(response.body(), HasSubstr(R"("code":"unknown_certificate")"));
  EXPECT_THAT(response.body(), HasSubstr("CN=not-a-member"));
}

TEST_F(ServerTest, MemberCertificateIsNotAnOperatorOnTheAdminListener) {
  start();
  TlsClient client(server_->admin_endpoint(), as(member_));
  ASSERT_FALSE(client.connect());
  Response response;
  ASSERT_FALSE(client.get("/healthz", response));  // any verified certificate may probe
  EXPECT_EQ(response.result(), beast_http::status::ok);
  ASSERT_FALSE(client.get("/v1/anything", response));
  EXPECT_EQ(response.result(), beast_http::status::not_found);
}

TEST_F(ServerTest, NoClientCertificateNeverCompletesTheHandshake) {
  start();
  Response response;
  std::string reason;
  ClientOptions anonymous;
  anonymous.ca = pki_.ca_certificate();
  const auto ec = get(anonymous, "/v1/whoami", response, &reason);
  ASSERT_TRUE(ec);
  EXPECT_THAT(reason, HasSubstr("certificate required"));
  EXPECT_TRUE(eventually([&] { return server_->member_stats().tls_failures.load() == 1; }));
  EXPECT_EQ(server_->member_stats().requests.load(), 0u);
}

TEST_F(ServerTest, CertificateFromAnotherCaIsRefused) {
  start();
  const auto foreign = other_pki_.issue_client("hmip");  // right name, wrong issuer
  Response response;
  std::string reason;
  ASSERT_TRUE(get(as(foreign), "/v1/whoami", response, &reason));
  EXPECT_THAT(reason, HasSubstr("unknown ca"));
  EXPECT_TRUE(eventually([&] { return server_->member_stats().tls_failures.load() == 1; }));
  EXPECT_EQ(server_->member_stats().requests.load(), 0u);
}

TEST_F(ServerTest, ExpiredCertificateIsRefused) {
  start();
  TestPki::ClientOptions lapsed;
  lapsed.not_before_offset = -48h;
  lapsed.not_after_offset = -24h;
  const auto expired = pki_.issue_client("hmip", lapsed);
  Response response;
  std::string reason;
  ASSERT_TRUE(get(as(expired), "/v1/whoami", response, &reason));
  EXPECT_THAT(reason, HasSubstr("certificate expired"));
  EXPECT_EQ(server_->member_stats().requests.load(), 0u);
}

TEST_F(ServerTest, RevokedCertificateIsRefused) {
  const auto revoked = pki_.issue_client("hmip");
  pki_.revoke(revoked);  // the server reads the CRL at start
  start();
  Response response;
  std::string reason;
  ASSERT_TRUE(get(as(revoked), "/v1/whoami", response, &reason));
  EXPECT_THAT(reason, HasSubstr("certificate revoked"));
  ASSERT_FALSE(get(as(member_), "/v1/whoami", response));  // its sibling still works
  EXPECT_EQ(response.result(), beast_http::status::ok);
}

TEST_F(ServerTest, Tls11IsRefusedAndTls13IsPreferred) {
  start();
  auto old = as(member_);
  old.legacy = true;
  old.min_version = TLS1_VERSION;
  old.max_version = TLS1_1_VERSION;
  Response response;
  std::string reason;
  ASSERT_TRUE(get(old, "/v1/whoami", response, &reason));
  EXPECT_THAT(reason, HasSubstr("protocol version"));  // the server's alert, not our own refusal

  TlsClient modern = member_client(as(member_));
  ASSERT_FALSE(modern.connect());
  ASSERT_FALSE(modern.get("/v1/whoami", response));
  EXPECT_EQ(response.result(), beast_http::status::ok);
}

TEST_F(ServerTest, SlowHeaderIsCutOffByTheDeadline) {
  config_.timeouts.request_header = 1s;
  start();
  TlsClient client = member_client(as(member_));
  ASSERT_FALSE(client.connect());
  // 10 bytes a second, far below what the deadline allows: the whole header never arrives.
  std::chrono::milliseconds waited{};
  const auto ec = client.trickle("GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nX-Slow: " +
                                     std::string(200, 'a') + "\r\n\r\n",
                                 100ms, waited);
  EXPECT_TRUE(ec) << "the server answered a request it should have cut off";
  EXPECT_NE(ec, boost::beast::error::timeout) << "our own 10 s cap fired: the server never cut us";
  EXPECT_GE(waited, 900ms);
  EXPECT_TRUE(eventually([&] { return server_->member_stats().timeouts.load() == 1; }));
  EXPECT_EQ(server_->member_stats().requests.load(), 0u);
}

TEST_F(ServerTest, SlowBodyIsCutOffByTheRequestDeadline) {
  config_.timeouts.request = 1s;
  start();
  TlsClient client = member_client(as(member_));
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write("GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n"));
  std::chrono::milliseconds waited{};
  const auto ec = client.trickle(std::string(100, 'x'), 100ms, waited);
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, boost::beast::error::timeout);
  EXPECT_TRUE(eventually([&] { return server_->member_stats().timeouts.load() == 1; }));
  EXPECT_EQ(server_->member_stats().requests.load(), 0u);
}

TEST_F(ServerTest, BodyOverTheLimitGets413) {
  config_.limits.body_limit = 1024;
  start();
  TlsClient client = member_client(as(member_));
  ASSERT_FALSE(client.connect());
  // Declared length over the limit: refused before a byte of the body is read.
  ASSERT_FALSE(client.write("GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4096\r\n\r\n"));
  Response response;
  ASSERT_FALSE(client.read(response));
  EXPECT_EQ(response.result(), beast_http::status::payload_too_large);
  EXPECT_THAT(response.body(), HasSubstr(R"("code":"body_too_large")"));
  EXPECT_FALSE(response.keep_alive());
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitGets413) {
  config_.limits.body_limit = 1024;
  start();
  TlsClient client = member_client(as(member_));
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write("GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "800\r\n" + std::string(0x800, 'x') + "\r\n0\r\n\r\n"));
  Response response;
  ASSERT_FALSE(client.read(response));
  EXPECT_EQ(response.result(), beast_http::status::payload_too_large);
}

TEST_F(ServerTest, OversizedHeaderGets431) {
  config_.limits.header_limit = 1024;
  start();
  TlsClient client = member_client(as(member_));
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write("GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nX-Big: " +
                            std::string(2048, 'b') + "\r\n\r\n"));
  Response response;
  ASSERT_FALSE(client.read(response));
  EXPECT_EQ(response.result(), beast_http::status::request_header_fields_too_large);
}

TEST_F(ServerTest, MalformedRequestGets400) {
  start();
  TlsClient client = member_client(as(member_));
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write("GET /v1/whoami HTTP/9.9 nonsense\r\n\r\n"));
  Response response;
  ASSERT_FALSE(client.read(response));
  EXPECT_EQ(response.result(), beast_http::status::bad_request);
  EXPECT_THAT(response.body(), HasSubstr(R"("code":"malformed_request")"));
}

TEST_F(ServerTest, ConnectionsOverTheLimitAreRefusedAndCounted) {
  config_.limits.max_connections = 1;
  start();
  TlsClient first = member_client(as(member_));
  ASSERT_FALSE(first.connect());
  TlsClient second = member_client(as(member_));
  EXPECT_TRUE(second.connect());  // closed at accept, before any TLS
  EXPECT_TRUE(eventually([&] { return server_->member_stats().refused_over_limit.load() == 1; }));
  Response response;
  ASSERT_FALSE(first.get("/v1/whoami", response));  // the admitted one is unaffected
  EXPECT_EQ(response.result(), beast_http::status::ok);
}

TEST_F(ServerTest, ShutdownLetsARequestInFlightFinish) {
  // The server's own log line says when the header is in: only then is the request in flight.
  CapturedLog captured;
  const auto logged = [&](std::string_view event) { return captured.has_event(event); };
  start();
  TlsClient client = member_client(as(member_));
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write("GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\nab"));
  // A second connection that is merely idle: the drain closes it at once.
  TlsClient idle = member_client(as(member_));
  ASSERT_FALSE(idle.connect());
  ASSERT_TRUE(eventually([&] { return server_->member_stats().accepted.load() == 2; }));
  ASSERT_TRUE(eventually([&] { return logged("request_received"); }));

  server_->shutdown();
  ASSERT_TRUE(eventually([&] { return logged("draining"); }));
  Response response;
  EXPECT_TRUE(idle.read(response));  // closed without a response
  idle.close();
  ASSERT_FALSE(client.write("cd"));
  ASSERT_FALSE(client.read(response));
  EXPECT_EQ(response.result(), beast_http::status::ok);
  EXPECT_FALSE(response.keep_alive());
  client.close();
  thread_.join();  // run() returns once both connections are gone, well before the grace period
  server_.reset();
  EXPECT_TRUE(logged("stopped"));
  EXPECT_FALSE(logged("grace_period_over"));
}

// ---- the admin listener's console: a browser presents no certificate ---------------------------

ClientOptions browser(const TestPki& pki) {
  ClientOptions anonymous;
  anonymous.ca = pki.ca_certificate();
  return anonymous;
}

TEST_F(ServerTest, WithTheConsoleTheAdminListenerTakesABrowserButItReachesNothingIdentified) {
  config_.admin.console = true;
  ServerParts parts;
  parts.admin_routes.add(http::Verb::get, "/", http::Access::anyone, [](const http::Context& c) {
    return http::json_response(http::Status::ok, R"({"page":true})", c.request);
  });
  start(std::move(parts));
  TlsClient client(server_->admin_endpoint(), browser(pki_));
  ASSERT_FALSE(client.connect());
  Response response;
  ASSERT_FALSE(client.get("/", response));
  EXPECT_EQ(response.result(), beast_http::status::ok);
  ASSERT_FALSE(client.get("/healthz", response));  // needs a certificate
  EXPECT_EQ(response.result(), beast_http::status::unauthorized);
  EXPECT_THAT(response.body(), HasSubstr(R"("code":"unauthenticated")"));
}

TEST_F(ServerTest, ACallerWithoutARegisteredCertificateMaySendOnlySmallBodies) {
  config_.admin.console = true;
  ServerParts parts;
  parts.admin_routes.add(http::Verb::post, "/v1/session", http::Access::anyone,
                         [](const http::Context& c) {
                           return http::json_response(http::Status::ok, "{}", c.request);
                         });
  start(std::move(parts));
  TlsClient client(server_->admin_endpoint(), browser(pki_));
  ASSERT_FALSE(client.connect());
  testing::Request small{beast_http::verb::post, "/v1/session", 11};
  small.body() = std::string(1000, 'x');
  small.prepare_payload();
  Response response;
  ASSERT_FALSE(client.exchange(small, response));
  EXPECT_EQ(response.result(), beast_http::status::ok);
  // Refused on its header alone: only the announced length matters (the client sends a few bytes
  // of it, so that writing never races the server's answer and close).
  ASSERT_FALSE(client.write("POST /v1/session HTTP/1.1\r\nHost: localhost\r\n"
                            "Content-Length: 102400\r\n\r\n{}"));
  ASSERT_FALSE(client.read(response));
  EXPECT_EQ(response.result(), beast_http::status::payload_too_large);
  EXPECT_THAT(response.body(), HasSubstr(R"("code":"body_too_large")"));
}

TEST_F(ServerTest, APresentedCertificateIsStillVerifiedWhereItIsOptional) {
  config_.admin.console = true;
  start();
  const auto foreign = other_pki_.issue_client("admin");
  Response response;
  TlsClient client(server_->admin_endpoint(), as(foreign));
  EXPECT_TRUE(client.connect() || client.get("/healthz", response))
      << "a certificate from another CA must fail the handshake";
}

TEST_F(ServerTest, WithoutTheConsoleTheAdminListenerRequiresACertificate) {
  start();
  TlsClient client(server_->admin_endpoint(), browser(pki_));
  Response response;
  const bool failed = client.connect() || client.get("/healthz", response);
  EXPECT_TRUE(failed);
  EXPECT_TRUE(eventually([&] { return server_->admin_stats().tls_failures.load() == 1; }));
}

// ---- server-sent events ----------------------------------------------------------------------

TEST_F(ServerTest, AnEventStreamIsWrittenAsItsSourceGivesEventsUntilTheSourceEndsIt) {
  auto polls = std::make_shared<std::atomic<int>>(0);
  ServerParts parts;
  parts.admin_routes.add_stream(
      http::Verb::get, "/events", http::Access::identified, [polls](const http::Context& c) {
        http::Response head{http::Status::ok, c.request.version()};
        head.set(beast_http::field::content_type, "text/event-stream");
        return http::EventStream{std::move(head),
                                 [polls]() -> std::optional<std::string> {
                                   const int n = ++*polls;
                                   if (n > 4) return std::nullopt;
                                   if (n % 2 == 0) return std::string();  // nothing new
                                   return "id: " + std::to_string(n) + "\ndata: {}\n\n";
                                 },
                                 10ms};
      });
  start(std::move(parts));
  const auto admin = pki_.issue_client("admin");
  TlsClient client(server_->admin_endpoint(), as(admin));
  ASSERT_FALSE(client.connect());
  Response response;
  // The stream has no length: it ends when the source does and the connection closes.
  ASSERT_FALSE(client.get("/events", response));
  EXPECT_EQ(response.result(), beast_http::status::ok);
  EXPECT_EQ(response[beast_http::field::content_type], "text/event-stream");
  EXPECT_EQ(response.body(), "id: 1\ndata: {}\n\nid: 3\ndata: {}\n\n");
  EXPECT_EQ(polls->load(), 5);
}

TEST_F(ServerTest, AStreamIsRefusedLikeAnyRouteAndEndedByAGracefulStop) {
  config_.admin.console = true;
  ServerParts parts;
  parts.admin_routes.add_stream(
      http::Verb::get, "/events", http::Access::identified, [](const http::Context& c) {
        http::Response head{http::Status::ok, c.request.version()};
        head.set(beast_http::field::content_type, "text/event-stream");
        return http::EventStream{std::move(head),
                                 []() -> std::optional<std::string> { return std::string(); },
                                 10ms};
      });
  start(std::move(parts));
  Response refused;
  TlsClient anonymous(server_->admin_endpoint(), browser(pki_));
  ASSERT_FALSE(anonymous.connect());
  ASSERT_FALSE(anonymous.get("/events", refused));
  EXPECT_EQ(refused.result(), beast_http::status::unauthorized);

  // A stream that never ends by itself: the server's stop must still end it (and not wait for
  // its grace period), and the client sees a complete, close-delimited response.
  const auto admin = pki_.issue_client("admin");
  TlsClient client(server_->admin_endpoint(), as(admin));
  ASSERT_FALSE(client.connect());
  std::thread stopper([this] {
    // Once the stream is open (the refused request and this one counted), stop the server.
    EXPECT_TRUE(eventually([&] { return server_->admin_stats().requests.load() >= 2; }));
    server_->shutdown();
  });
  Response response;
  const auto ec = client.get("/events", response);
  stopper.join();
  thread_.join();
  server_.reset();
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(response.result(), beast_http::status::ok);
}

}  // namespace
}  // namespace opcat::net
