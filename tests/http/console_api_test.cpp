// The console's API as pure handlers over a real SQLite store: sign-in with a password, the
// session cookie standing in for a certificate, CSRF on every change, roles, expiry, accounts,
// the overview, the live stream. Requests and callers are built by hand; no sockets.
#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

#include "gateway/auth/browser_sessions.hpp"
#include "gateway/auth/login_throttle.hpp"
#include "gateway/http/console_api.hpp"
#include "gateway/http/operations_api.hpp"
#include "gateway/http/operators_api.hpp"
#include "gateway/http/session_api.hpp"
#include "gateway/store/sqlite/sqlite_outbox.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "gateway/store/timestamp.hpp"
#include "tests/http/handler_testing.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::http {
namespace {

using namespace std::chrono_literals;
using testing::is_error_body;
using testing::make_request;
using testing::operator_with;
using testing::parses_as_json;

// A browser: no client certificate.
Caller browser() {
  Caller caller;
  caller.has_certificate = false;
  caller.peer_address = "192.0.2.9:50000";
  return caller;
}

struct SignedIn {
  std::string cookie;  // "__Host-opcat_session=..."
  std::string csrf;
};

class ConsoleApiTest : public ::testing::Test {
 protected:
  ConsoleApiTest()
      : dir_("opcat-console-api"),
        store_(dir_.path()),
        outbox_(store_),
        sessions_(auth::SessionPolicy{.idle = 30min, .absolute = 12h}, [this] { return now_; }),
        queue_([](const consolidation::ConsolidationRequest&) {
          return consolidation::ConsolidationOutcome{};
        }, {}) {
    for (const auto& [code, name] : {std::pair{"hmip", "HM Inspectorate of Prisons"},
                                     std::pair{"icva", "Independent Custody Visiting Association"}}) {
      config::Member member;
      member.code = code;
      member.name = name;
      member.expected_interval = 24h;
      config_.members[code] = member;
    }
    config::Recipient spt;
    spt.name = "spt";
    config_.recipients["spt"] = spt;

    const auto now = [this] { return now_; };
    router_.set_session_resolver(session_resolver(sessions_, store_));
    add_session_routes(router_, ConsoleSignIn{.store = store_,
                                              .sessions = sessions_,
                                              .throttle = throttle_,
                                              .now = now});
    add_operators_routes(router_,
                         ConsoleAccounts{.store = store_, .sessions = sessions_, .now = now});
    add_console_routes(router_, ConsoleView{.config = config_,
                                            .store = store_,
                                            .outbox = outbox_,
                                            .sessions = sessions_,
                                            .now = now});
    add_operations_routes(router_,
                          Operations{.store = store_,
                                     .consolidations = queue_,
                                     .outbox = outbox_,
                                     .recipients = config_.recipients,
                                     .requeue =
                                         [this](const std::string& id) {
                                           return outbox_.requeue(id, store::Clock::now());
                                         },
                                     .today = [] { return std::string("2025-06-30"); }});
    add_account("olive", "operator", "olive's long password");
    add_account("vera", "viewer", "vera's long password");
    add_account("ada", "admin", "ada's long password!");
  }

  void add_account(const std::string& name, const std::string& role, const std::string& password) {
    std::string problem;
    const auto account = new_account(name, name + " (synthetic)", role, password, "test", now_,
                                     problem);
    ASSERT_TRUE(account) << problem;
    ASSERT_TRUE(store_.create_operator_account(*account));
  }

  Response call(Verb verb, const std::string& target, const Caller& caller,
                const std::string& body = {}, const std::optional<SignedIn>& session = {},
                bool with_csrf = true) {
    Request request = make_request(verb, target);
    if (session) {
      request.set(beast_http::field::cookie, "theme=dark; " + session->cookie);
      if (with_csrf) request.set("X-CSRF-Token", session->csrf);
    }
    if (!body.empty()) request.set(beast_http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    return router_.handle(request, caller);
  }

  Response sign_in_as(const std::string& name, const std::string& password,
                      const Caller& caller = browser()) {
    return call(Verb::post, "/v1/session", caller,
                R"({"name":")" + name + R"(","password":")" + password + R"("})");
  }

  SignedIn sign_in(const std::string& name, const std::string& password) {
    const Response response = sign_in_as(name, password);
    EXPECT_EQ(response.result(), Status::ok) << response.body();
    const std::string set_cookie(response[beast_http::field::set_cookie]);
    rapidjson::Document body;
    EXPECT_TRUE(parses_as_json(response.body(), body));
    return {set_cookie.substr(0, set_cookie.find(';')),
            body.IsObject() && body.HasMember("csrf") ? body["csrf"].GetString() : ""};
  }

  store::Delivery failed_delivery() {
    store::NewDelivery delivery;
    delivery.id = "dlv_console" + std::to_string(++count_);
    delivery.recipient = "spt";
    delivery.payload = dir_.path() / (delivery.id + ".json");
    delivery.sha256 = std::string(64, '0');
    delivery.size = 2;
    delivery.signature = "sig";
    delivery.content_type = "application/json";
    delivery.created_at = store::Clock::now();
    outbox_.enqueue(delivery);
    outbox_.mark_failed({delivery.id, store::Clock::now(), 400, "HTTP 400", 5}, "HTTP 400: bad");
    return outbox_.get_delivery(delivery.id).value();
  }

  store::Clock::time_point now_ = store::Clock::now();
  opcat::testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  store::sqlite::SqliteOutbox outbox_;
  auth::BrowserSessions sessions_;
  auth::LoginThrottle throttle_;
  consolidation::ConsolidationQueue queue_;
  config::Config config_;
  Router router_;
  int count_ = 0;
};

TEST_F(ConsoleApiTest, SigningInSetsAHostOnlyHttpOnlyStrictCookieAndGivesACsrfToken) {
  const Response response = sign_in_as("olive", "olive's long password");
  ASSERT_EQ(response.result(), Status::ok) << response.body();
  const std::string cookie(response[beast_http::field::set_cookie]);
  EXPECT_TRUE(cookie.starts_with("__Host-opcat_session=")) << cookie;
  for (const char* attribute : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute << " in " << cookie;
  }
  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(response.body(), body));
  EXPECT_STREQ(body["operator"].GetString(), "olive");
  EXPECT_STREQ(body["role"].GetString(), "operator");
  EXPECT_GE(body["csrf"].GetStringLength(), 43u);
  EXPECT_TRUE(body["expires_at"].IsString());
  EXPECT_EQ(response.body().find("scrypt"), std::string::npos);
}

TEST_F(ConsoleApiTest, AWrongPasswordOrAnUnknownNameGetsTheSameAnswer) {
  const Response wrong = sign_in_as("olive", "not olive's password");
  const Response unknown = sign_in_as("nobody", "not anyone's password");
  EXPECT_EQ(wrong.result(), Status::unauthorized);
  EXPECT_EQ(unknown.result(), Status::unauthorized);
  EXPECT_TRUE(is_error_body(wrong.body(), "bad_credentials"));
  EXPECT_TRUE(is_error_body(unknown.body(), "bad_credentials"));
  EXPECT_EQ(wrong.count(beast_http::field::set_cookie), 0u);
}

TEST_F(ConsoleApiTest, FiveFailedSignInsLockTheNameOutEvenWithTheRightPassword) {
  for (int i = 0; i < 5; ++i) {
    Caller elsewhere = browser();
    elsewhere.peer_address = "198.51.100." + std::to_string(i) + ":4000";  // spread over peers
    EXPECT_EQ(sign_in_as("olive", "a wrong password", elsewhere).result(), Status::unauthorized);
  }
  const Response locked = sign_in_as("olive", "olive's long password");
  EXPECT_EQ(locked.result(), Status::too_many_requests);
  EXPECT_TRUE(is_error_body(locked.body(), "too_many_attempts"));
  EXPECT_EQ(locked[beast_http::field::retry_after], "900");
  EXPECT_EQ(sign_in_as("vera", "vera's long password").result(), Status::ok) << "others may";
  now_ += 16min;
  EXPECT_EQ(sign_in_as("olive", "olive's long password").result(), Status::ok);
}

TEST_F(ConsoleApiTest, WithoutACertificateOrASessionTheApiAnswers401) {
  const Response response = call(Verb::get, "/v1/overview", browser());
  EXPECT_EQ(response.result(), Status::unauthorized);
  EXPECT_TRUE(is_error_body(response.body(), "unauthenticated"));
  const Response stranger = call(Verb::get, "/v1/overview", testing::stranger());
  EXPECT_EQ(stranger.result(), Status::forbidden);
  EXPECT_TRUE(is_error_body(stranger.body(), "unknown_certificate"));
  const Response forged = call(Verb::get, "/v1/overview", browser(), {},
                               SignedIn{"__Host-opcat_session=forged", "x"});
  EXPECT_EQ(forged.result(), Status::unauthorized);
}

TEST_F(ConsoleApiTest, TheConsoleItselfNeedsNeither) {
  const Response page = call(Verb::get, "/", browser());
  ASSERT_EQ(page.result(), Status::ok);
  EXPECT_EQ(page[beast_http::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(page.body().find("<html"), std::string::npos);
  const std::string csp(page["Content-Security-Policy"]);
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(page["X-Frame-Options"], "DENY");
  const Response script = call(Verb::get, "/console/app.js", browser());
  ASSERT_EQ(script.result(), Status::ok);
  EXPECT_EQ(script[beast_http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(call(Verb::get, "/console/nothing.js", browser()).result(), Status::not_found);
}

TEST_F(ConsoleApiTest, ASessionReadsAsItsAccountAndRolesStillApply) {
  const SignedIn vera = sign_in("vera", "vera's long password");
  EXPECT_EQ(call(Verb::get, "/v1/overview", browser(), {}, vera).result(), Status::ok);
  const auto failed = failed_delivery();
  const Response refused =
      call(Verb::post, "/v1/deliveries/" + failed.id + "/requeue", browser(), "{}", vera);
  EXPECT_EQ(refused.result(), Status::forbidden);
  EXPECT_TRUE(is_error_body(refused.body(), "role_forbidden"));
  EXPECT_EQ(outbox_.get_delivery(failed.id)->state, store::DeliveryState::failed);

  const SignedIn olive = sign_in("olive", "olive's long password");
  const Response requeued =
      call(Verb::post, "/v1/deliveries/" + failed.id + "/requeue", browser(), "{}", olive);
  EXPECT_EQ(requeued.result(), Status::ok) << requeued.body();
  EXPECT_EQ(outbox_.get_delivery(failed.id)->state, store::DeliveryState::pending);
}

TEST_F(ConsoleApiTest, EveryChangeFromASessionNeedsItsCsrfToken) {
  const SignedIn olive = sign_in("olive", "olive's long password");
  const auto failed = failed_delivery();
  const std::string requeue = "/v1/deliveries/" + failed.id + "/requeue";
  const Response missing = call(Verb::post, requeue, browser(), "{}", olive, false);
  EXPECT_EQ(missing.result(), Status::forbidden);
  EXPECT_TRUE(is_error_body(missing.body(), "csrf"));
  const Response wrong = call(Verb::post, requeue, browser(), "{}",
                              SignedIn{olive.cookie, olive.csrf.substr(1) + "x"});
  EXPECT_EQ(wrong.result(), Status::forbidden);
  EXPECT_TRUE(is_error_body(wrong.body(), "csrf"));
  const Response consolidation =
      call(Verb::post, "/v1/consolidations", browser(), "{}", olive, false);
  EXPECT_EQ(consolidation.result(), Status::forbidden);
  EXPECT_TRUE(queue_.list(10).empty());
  EXPECT_EQ(outbox_.get_delivery(failed.id)->state, store::DeliveryState::failed);
  // Signing out is a change too.
  EXPECT_EQ(call(Verb::delete_, "/v1/session", browser(), {}, olive, false).result(),
            Status::forbidden);
  EXPECT_EQ(call(Verb::get, "/v1/session", browser(), {}, olive).result(), Status::ok);
}

TEST_F(ConsoleApiTest, AChangeSentFromAnotherOriginIsRefusedWhateverTheCredentials) {
  const auto failed = failed_delivery();
  Request request = make_request(Verb::post, "/v1/deliveries/" + failed.id + "/requeue");
  request.set(beast_http::field::origin, "https://evil.example");
  request.prepare_payload();
  const Response response =
      router_.handle(request, operator_with(config::Role::operator_, "otto"));
  EXPECT_EQ(response.result(), Status::forbidden);
  EXPECT_TRUE(is_error_body(response.body(), "cross_origin"));
  request.set(beast_http::field::origin, "https://localhost");  // the Host of make_request
  EXPECT_EQ(router_.handle(request, operator_with(config::Role::operator_, "otto")).result(),
            Status::ok);
}

TEST_F(ConsoleApiTest, TheRouterSaysWhichAccountASessionActedAsForTheAccessLog) {
  const SignedIn olive = sign_in("olive", "olive's long password");
  Request request = make_request(Verb::get, "/v1/overview");
  request.set(beast_http::field::cookie, olive.cookie);
  std::string acted_as;
  EXPECT_EQ(router_.handle(request, browser(), &acted_as).result(), Status::ok);
  EXPECT_EQ(acted_as, "olive");
  std::string by_certificate;
  router_.handle(make_request(Verb::get, "/v1/overview"),
                 operator_with(config::Role::viewer, "v"), &by_certificate);
  EXPECT_EQ(by_certificate, "");
}

TEST_F(ConsoleApiTest, ASessionUnusedForItsIdleLimitExpires) {
  const SignedIn olive = sign_in("olive", "olive's long password");
  now_ += 29min;
  EXPECT_EQ(call(Verb::get, "/v1/overview", browser(), {}, olive).result(), Status::ok);
  now_ += 29min;  // used 29 minutes ago: still on
  EXPECT_EQ(call(Verb::get, "/v1/alerts", browser(), {}, olive).result(), Status::ok);
  now_ += 31min;
  const Response expired = call(Verb::get, "/v1/overview", browser(), {}, olive);
  EXPECT_EQ(expired.result(), Status::unauthorized);
  EXPECT_TRUE(is_error_body(expired.body(), "session_expired"));
}

TEST_F(ConsoleApiTest, SigningOutEndsTheSession) {
  const SignedIn olive = sign_in("olive", "olive's long password");
  const Response out = call(Verb::delete_, "/v1/session", browser(), {}, olive);
  EXPECT_EQ(out.result(), Status::no_content);
  EXPECT_NE(std::string(out[beast_http::field::set_cookie]).find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(call(Verb::get, "/v1/overview", browser(), {}, olive).result(), Status::unauthorized);
  EXPECT_EQ(call(Verb::get, "/v1/session", browser(), {}, olive).result(), Status::unauthorized);
}

TEST_F(ConsoleApiTest, ASessionEndsWhenItsAccountChangesOutsideTheConsole) {
  // What `opcat-gateway operators add --replace` and `operators disable` do: write the store.
  const SignedIn olive = sign_in("olive", "olive's long password");
  const SignedIn vera = sign_in("vera", "vera's long password");
  Request stream_request = make_request(Verb::get, "/v1/transfers/stream");
  stream_request.set(beast_http::field::cookie, vera.cookie);
  EventStream stream = router_.open_stream(stream_request, browser());
  ASSERT_TRUE(stream.poll);
  EXPECT_EQ(stream.poll(), std::optional<std::string>(""));

  std::string problem;
  const auto reset = new_account("olive", "Olive", "viewer", "a new long password", "cli", now_,
                                 problem);
  ASSERT_TRUE(reset && store_.replace_operator_account(*reset));
  const Response after_reset = call(Verb::get, "/v1/overview", browser(), {}, olive);
  EXPECT_EQ(after_reset.result(), Status::unauthorized);
  EXPECT_TRUE(is_error_body(after_reset.body(), "session_expired"));

  ASSERT_TRUE(store_.disable_operator_account("vera", now_));
  EXPECT_EQ(stream.poll(), std::nullopt) << "the stream ends with the account";
  EXPECT_EQ(call(Verb::get, "/v1/session", browser(), {}, vera).result(), Status::unauthorized);
}

TEST_F(ConsoleApiTest, AStreamOpenedWithACertificateThatMapsToNoOneFollowsTheSession) {
  // A browser may hold a valid certificate of no operator (a member's) and a session cookie.
  const SignedIn olive = sign_in("olive", "olive's long password");
  Request request = make_request(Verb::get, "/v1/transfers/stream");
  request.set(beast_http::field::cookie, olive.cookie);
  EventStream stream = router_.open_stream(request, testing::stranger());
  ASSERT_TRUE(stream.poll) << stream.head.body();
  call(Verb::delete_, "/v1/session", browser(), {}, olive);
  EXPECT_EQ(stream.poll(), std::nullopt);
}

TEST_F(ConsoleApiTest, AChangeMarkedAsFromAnotherSiteIsRefused) {
  const SignedIn olive = sign_in("olive", "olive's long password");
  const auto failed = failed_delivery();
  Request request = make_request(Verb::post, "/v1/deliveries/" + failed.id + "/requeue");
  request.set(beast_http::field::cookie, olive.cookie);
  request.set("X-CSRF-Token", olive.csrf);
  request.set("Sec-Fetch-Site", "same-site");
  request.prepare_payload();
  const Response response = router_.handle(request, browser());
  EXPECT_EQ(response.result(), Status::forbidden);
  EXPECT_TRUE(is_error_body(response.body(), "cross_origin"));
  request.set("Sec-Fetch-Site", "same-origin");
  EXPECT_EQ(router_.handle(request, browser()).result(), Status::ok);
}

TEST_F(ConsoleApiTest, OnlyAnAdminManagesAccountsAndADisabledAccountIsSignedOut) {
  const SignedIn olive = sign_in("olive", "olive's long password");
  const SignedIn ada = sign_in("ada", "ada's long password!");
  const std::string body =
      R"json({"name":"nina","display_name":"Nina (synthetic)","role":"viewer","password":"nina's long password"})json";
  const Response refused = call(Verb::post, "/v1/operators", browser(), body, olive);
  EXPECT_EQ(refused.result(), Status::forbidden);
  EXPECT_TRUE(is_error_body(refused.body(), "role_forbidden"));

  const Response created = call(Verb::post, "/v1/operators", browser(), body, ada);
  ASSERT_EQ(created.result(), Status::created) << created.body();
  EXPECT_EQ(created.body().find("password"), std::string::npos) << created.body();
  EXPECT_EQ(call(Verb::post, "/v1/operators", browser(), body, ada).result(), Status::conflict);
  const Response weak = call(Verb::post, "/v1/operators", browser(),
                             R"({"name":"pat","role":"viewer","password":"short"})", ada);
  EXPECT_EQ(weak.result(), Status::unprocessable_entity);
  EXPECT_TRUE(is_error_body(weak.body(), "bad_account"));

  const SignedIn nina = sign_in("nina", "nina's long password");
  EXPECT_EQ(call(Verb::get, "/v1/overview", browser(), {}, nina).result(), Status::ok);
  EXPECT_EQ(call(Verb::delete_, "/v1/operators/nina", browser(), {}, ada).result(), Status::ok);
  EXPECT_EQ(call(Verb::get, "/v1/overview", browser(), {}, nina).result(), Status::unauthorized);
  EXPECT_EQ(sign_in_as("nina", "nina's long password").result(), Status::unauthorized);
  EXPECT_EQ(call(Verb::delete_, "/v1/operators/ada", browser(), {}, ada).result(),
            Status::conflict)
      << "an admin cannot lock themselves out";

  rapidjson::Document list;
  const Response listed = call(Verb::get, "/v1/operators", browser(), {}, ada);
  ASSERT_TRUE(parses_as_json(listed.body(), list));
  ASSERT_EQ(list["operators"].Size(), 4u);
  EXPECT_STREQ(list["operators"][1]["name"].GetString(), "nina");
  EXPECT_TRUE(list["operators"][1]["disabled_at"].IsString());
}

TEST_F(ConsoleApiTest, TheOverviewListsEveryMemberAndRecipient) {
  failed_delivery();
  const Response response =
      call(Verb::get, "/v1/overview", operator_with(config::Role::viewer, "v"));
  ASSERT_EQ(response.result(), Status::ok);
  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(response.body(), body));
  ASSERT_EQ(body["members"].Size(), 2u);
  EXPECT_STREQ(body["members"][0]["code"].GetString(), "hmip");
  EXPECT_TRUE(body["members"][0]["last_push"].IsNull());
  EXPECT_EQ(body["members"][0]["records_accepted"].GetUint64(), 0u);
  EXPECT_TRUE(body["members"][0]["rejection_rate"].IsNull());
  EXPECT_EQ(body["members"][0]["expected_interval_hours"].GetInt64(), 24);
  ASSERT_EQ(body["recipients"].Size(), 1u);
  EXPECT_STREQ(body["recipients"][0]["name"].GetString(), "spt");
  EXPECT_EQ(body["recipients"][0]["failed"].GetUint64(), 1u);
  EXPECT_EQ(body["recipients"][0]["queued"].GetUint64(), 0u);
}

TEST_F(ConsoleApiTest, RecordsPerDayHasOneColumnPerDay) {
  const Caller viewer = operator_with(config::Role::viewer, "v");
  const Response response = call(Verb::get, "/v1/stats/records-per-day?days=3", viewer);
  ASSERT_EQ(response.result(), Status::ok);
  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(response.body(), body));
  ASSERT_EQ(body["days"].Size(), 3u);
  EXPECT_EQ(std::string(body["days"][2].GetString()), store::format_utc(now_).substr(0, 10));
  ASSERT_EQ(body["members"].Size(), 2u);
  EXPECT_EQ(body["members"][1]["records"].Size(), 3u);
  for (const char* bad : {"0", "367", "x", "-1"}) {
    EXPECT_EQ(call(Verb::get, std::string("/v1/stats/records-per-day?days=") + bad, viewer).result(),
              Status::bad_request)
        << bad;
  }
}

TEST_F(ConsoleApiTest, AnUnknownSubmissionIs404) {
  const Response response =
      call(Verb::get, "/v1/submissions/sub_nothing", operator_with(config::Role::viewer, "v"));
  EXPECT_EQ(response.result(), Status::not_found);
}

TEST_F(ConsoleApiTest, TheStreamSendsNewEntriesAndEndsWithItsSession) {
  store::TransferLogEntry before;
  before.time = store::Clock::now();
  before.direction = store::TransferDirection::out;
  before.recipient = "spt";
  before.delivery_id = "dlv_before";
  before.status = "retry";
  store_.append_transfer(before);

  const SignedIn olive = sign_in("olive", "olive's long password");
  Request request = make_request(Verb::get, "/v1/transfers/stream");
  request.set(beast_http::field::cookie, olive.cookie);
  ASSERT_EQ(router_.kind_of(request), RouteKind::stream);
  EventStream stream = router_.open_stream(request, browser());
  ASSERT_TRUE(stream.poll) << stream.head.body();
  EXPECT_EQ(stream.head[beast_http::field::content_type], "text/event-stream; charset=utf-8");
  EXPECT_EQ(stream.poll(), std::optional<std::string>("")) << "only entries after the opening";

  store::TransferLogEntry after = before;
  after.delivery_id = "dlv_after";
  after.status = "delivered";
  const auto seq = store_.append_transfer(after);
  const auto events = stream.poll();
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->starts_with("id: " + std::to_string(seq) + "\nevent: transfer\ndata: {"))
      << *events;
  EXPECT_NE(events->find("\"delivery_id\":\"dlv_after\""), std::string::npos) << *events;
  EXPECT_TRUE(events->ends_with("}\n\n"));
  EXPECT_EQ(stream.poll(), std::optional<std::string>(""));

  call(Verb::delete_, "/v1/session", browser(), {}, olive);
  EXPECT_EQ(stream.poll(), std::nullopt) << "the session ended: so does its stream";

  const EventStream refused = router_.open_stream(request, browser());
  EXPECT_FALSE(refused.poll);
  EXPECT_EQ(refused.head.result(), Status::unauthorized);
}

}  // namespace
}  // namespace opcat::http
