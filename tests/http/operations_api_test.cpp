// The operators' API as pure handlers: requests and callers built by hand, a real SQLite outbox in
// a temp directory, a consolidation queue that is never started (jobs stay queued), no sockets.
#include <gtest/gtest.h>

#include "gateway/http/operations_api.hpp"
#include "gateway/http/query.hpp"
#include "gateway/store/sqlite/sqlite_outbox.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/http/handler_testing.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::http {
namespace {

using testing::is_error_body;
using testing::make_request;
using testing::operator_with;
using testing::parses_as_json;

class OperationsApiTest : public ::testing::Test {
 protected:
  OperationsApiTest()
      : dir_("opcat-operations"),
        store_(dir_.path()),
        outbox_(store_),
        queue_([](const consolidation::ConsolidationRequest&) {
          return consolidation::ConsolidationOutcome{};
        }, {}) {
    for (const char* name : {"npm", "spt"}) {
      config::Recipient recipient;
      recipient.name = name;
      recipients_[name] = recipient;
    }
    add_operations_routes(router_, Operations{.store = store_,
                                              .consolidations = queue_,
                                              .outbox = outbox_,
                                              .recipients = recipients_,
                                              .requeue =
                                                  [this](const std::string& id) {
                                                    return outbox_.requeue(id, store::Clock::now());
                                                  },
                                              .today = [] { return std::string("2025-06-30"); }});
  }

  Response call(Verb verb, const std::string& target, const Caller& caller,
                const std::string& body = {}) {
    Request request = make_request(verb, target);
    request.body() = body;
    request.prepare_payload();
    return router_.handle(request, caller);
  }

  store::Delivery enqueue(const std::string& recipient) {
    store::NewDelivery delivery;
    delivery.id = "dlv_" + recipient + std::to_string(++count_);
    delivery.recipient = recipient;
    delivery.payload = dir_.path() / (delivery.id + ".json");
    delivery.sha256 = std::string(64, '0');
    delivery.size = 2;
    delivery.signature = "sig";
    delivery.content_type = "application/json";
    delivery.metadata_json = R"({"period":"2024-04-01..2025-03-31","policy":"spt"})";
    delivery.created_at = store::Clock::now();
    outbox_.enqueue(delivery);
    return outbox_.get_delivery(delivery.id).value();
  }

  opcat::testing::TempDir dir_;
  store::sqlite::SqliteStore store_;
  store::sqlite::SqliteOutbox outbox_;
  consolidation::ConsolidationQueue queue_;
  std::map<std::string, config::Recipient> recipients_;
  Router router_;
  int count_ = 0;
  const Caller viewer_ = operator_with(config::Role::viewer, "vera");
  const Caller operator_ = operator_with(config::Role::operator_, "otto");
  const Caller admin_ = operator_with(config::Role::admin, "ada");
};

TEST_F(OperationsApiTest, AViewerMayReadButNotConsolidateOrRequeue) {
  const Response refused = call(Verb::post, "/v1/consolidations", viewer_, "{}");
  EXPECT_EQ(refused.result(), Status::forbidden);
  EXPECT_TRUE(is_error_body(refused.body(), "role_forbidden"));
  EXPECT_TRUE(queue_.list(10).empty());

  const auto queued = enqueue("spt");
  outbox_.mark_failed({queued.id, store::Clock::now(), 400, "HTTP 400", 5}, "HTTP 400: bad");
  const Response requeue = call(Verb::post, "/v1/deliveries/" + queued.id + "/requeue", viewer_);
  EXPECT_EQ(requeue.result(), Status::forbidden);
  EXPECT_EQ(outbox_.get_delivery(queued.id)->state, store::DeliveryState::failed);

  EXPECT_EQ(call(Verb::get, "/v1/deliveries", viewer_).result(), Status::ok);
  EXPECT_EQ(call(Verb::get, "/v1/consolidations", viewer_).result(), Status::ok);
}

TEST_F(OperationsApiTest, AnEmptyBodyConsolidatesTheCurrentNpmYearForEveryRecipient) {
  const Response response = call(Verb::post, "/v1/consolidations", operator_);
  ASSERT_EQ(response.result(), Status::accepted) << response.body();
  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(response.body(), body));
  const auto& jobs = body["consolidations"];
  ASSERT_EQ(jobs.Size(), 2u);
  EXPECT_STREQ(jobs[0]["recipient"].GetString(), "npm");
  EXPECT_STREQ(jobs[1]["recipient"].GetString(), "spt");
  for (const auto& job : jobs.GetArray()) {
    EXPECT_STREQ(job["period"].GetString(), "2025-04-01..2026-03-31");
    EXPECT_STREQ(job["state"].GetString(), "queued");
    EXPECT_STREQ(job["requested_by"].GetString(), "operator:otto");
    EXPECT_TRUE(job["delivery_id"].IsNull());
  }
  EXPECT_EQ(response.count(beast_http::field::location), 0u) << "two jobs: no single Location";
  EXPECT_EQ(queue_.list(10).size(), 2u);
}

TEST_F(OperationsApiTest, OneRecipientAndAPeriodGiveOneJobWithItsLocation) {
  const Response response = call(Verb::post, "/v1/consolidations", admin_,
                                 R"({"recipients":["spt","spt"],"period":"2024-04-01..2025-03-31"})");
  ASSERT_EQ(response.result(), Status::accepted) << response.body();
  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(response.body(), body));
  ASSERT_EQ(body["consolidations"].Size(), 1u);
  const std::string id = body["consolidations"][0]["consolidation_id"].GetString();
  EXPECT_EQ(response[beast_http::field::location], "/v1/consolidations/" + id);

  const Response job = call(Verb::get, "/v1/consolidations/" + id, viewer_);
  ASSERT_EQ(job.result(), Status::ok);
  rapidjson::Document read;
  ASSERT_TRUE(parses_as_json(job.body(), read));
  EXPECT_STREQ(read["recipient"].GetString(), "spt");
  EXPECT_STREQ(read["period"].GetString(), "2024-04-01..2025-03-31");
  EXPECT_STREQ(read["requested_by"].GetString(), "operator:ada");
  EXPECT_EQ(call(Verb::get, "/v1/consolidations/con_nothing", viewer_).result(), Status::not_found);
}

TEST_F(OperationsApiTest, BadRequestsAreRefusedWithTheReasonAndQueueNothing) {
  struct Case {
    std::string body;
    Status status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"{", Status::bad_request, "bad_request_body"},
      {"[]", Status::bad_request, "bad_request_body"},
      {R"({"recipient":"spt"})", Status::bad_request, "bad_request_body"},
      {R"({"recipients":[]})", Status::bad_request, "bad_request_body"},
      {R"({"recipients":[7]})", Status::bad_request, "bad_request_body"},
      {R"({"recipients":["un"]})", Status::unprocessable_entity, "unknown_recipient"},
      {R"({"period":"2025-04-01..2025-02-30"})", Status::bad_request, "bad_request_body"},
      {R"({"period":"2026-04-01..2025-03-31"})", Status::bad_request, "bad_request_body"},
      {R"({"period":2025})", Status::bad_request, "bad_request_body"},
  };
  for (const Case& c : cases) {
    const Response response = call(Verb::post, "/v1/consolidations", operator_, c.body);
    EXPECT_EQ(response.result(), c.status) << c.body << " -> " << response.body();
    EXPECT_TRUE(is_error_body(response.body(), c.code)) << c.body;
  }
  EXPECT_TRUE(queue_.list(10).empty());
}

TEST_F(OperationsApiTest, DeliveriesAreListedByStateAndRecipientWithTheirAttempts) {
  const auto npm = enqueue("npm");
  const auto spt = enqueue("spt");
  outbox_.mark_failed({spt.id, store::Clock::now(), 400, "HTTP 400", 12}, "HTTP 400: schema");

  const Response failed = call(Verb::get, "/v1/deliveries?state=failed", viewer_);
  ASSERT_EQ(failed.result(), Status::ok);
  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(failed.body(), body));
  ASSERT_EQ(body["deliveries"].Size(), 1u);
  EXPECT_EQ(body["deliveries"][0]["delivery_id"].GetString(), spt.id);
  EXPECT_STREQ(body["deliveries"][0]["failure_reason"].GetString(), "HTTP 400: schema");
  EXPECT_STREQ(body["deliveries"][0]["metadata"]["policy"].GetString(), "spt");

  const Response for_npm = call(Verb::get, "/v1/deliveries?recipient=npm", viewer_);
  ASSERT_TRUE(parses_as_json(for_npm.body(), body));
  ASSERT_EQ(body["deliveries"].Size(), 1u);
  EXPECT_EQ(body["deliveries"][0]["delivery_id"].GetString(), npm.id);
  EXPECT_STREQ(body["deliveries"][0]["state"].GetString(), "pending");

  const Response one = call(Verb::get, "/v1/deliveries/" + spt.id, viewer_);
  ASSERT_EQ(one.result(), Status::ok);
  ASSERT_TRUE(parses_as_json(one.body(), body));
  ASSERT_EQ(body["attempts"].Size(), 1u);
  EXPECT_EQ(body["attempts"][0]["http_status"].GetInt(), 400);
  EXPECT_STREQ(body["attempts"][0]["error"].GetString(), "HTTP 400");
  EXPECT_TRUE(body["receipt"].IsNull());

  EXPECT_TRUE(is_error_body(call(Verb::get, "/v1/deliveries?state=lost", viewer_).body(),
                            "bad_query"));
  EXPECT_TRUE(is_error_body(call(Verb::get, "/v1/deliveries?limit=0", viewer_).body(),
                            "bad_query"));
  EXPECT_EQ(call(Verb::get, "/v1/deliveries/dlv_nothing", viewer_).result(), Status::not_found);
}

TEST_F(OperationsApiTest, OnlyAFailedDeliveryIsRequeued) {
  const auto pending = enqueue("spt");
  const Response not_failed = call(Verb::post, "/v1/deliveries/" + pending.id + "/requeue", operator_);
  EXPECT_EQ(not_failed.result(), Status::conflict);
  EXPECT_TRUE(is_error_body(not_failed.body(), "not_failed"));
  EXPECT_EQ(call(Verb::post, "/v1/deliveries/dlv_nothing/requeue", operator_).result(),
            Status::not_found);

  outbox_.mark_failed({pending.id, store::Clock::now(), 400, "HTTP 400", 3}, "HTTP 400: bad");
  const Response requeued = call(Verb::post, "/v1/deliveries/" + pending.id + "/requeue", operator_);
  ASSERT_EQ(requeued.result(), Status::ok) << requeued.body();
  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(requeued.body(), body));
  EXPECT_STREQ(body["state"].GetString(), "pending");
  EXPECT_EQ(outbox_.get_delivery(pending.id)->state, store::DeliveryState::pending);
}

TEST_F(OperationsApiTest, AlertsAreListedActiveByDefaultOrAll) {
  store::Alert overdue;
  overdue.key = "member_overdue:hmip";
  overdue.kind = "member_overdue";
  overdue.subject = "hmip";
  overdue.message = "HM Inspectorate of Prisons has never pushed";
  overdue.raised_at = store::Clock::now();
  ASSERT_TRUE(store_.raise_alert(overdue));
  EXPECT_FALSE(store_.raise_alert(overdue)) << "one active alert per key";
  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(call(Verb::get, "/v1/alerts", viewer_).body(), body));
  ASSERT_EQ(body["alerts"].Size(), 1u);
  EXPECT_STREQ(body["alerts"][0]["kind"].GetString(), "member_overdue");
  EXPECT_TRUE(body["alerts"][0]["cleared_at"].IsNull());

  ASSERT_TRUE(store_.clear_alert("member_overdue:hmip", store::Clock::now()));
  ASSERT_TRUE(parses_as_json(call(Verb::get, "/v1/alerts", viewer_).body(), body));
  EXPECT_EQ(body["alerts"].Size(), 0u);
  ASSERT_TRUE(parses_as_json(call(Verb::get, "/v1/alerts?active=false", viewer_).body(), body));
  ASSERT_EQ(body["alerts"].Size(), 1u);
  EXPECT_TRUE(body["alerts"][0]["cleared_at"].IsString());
  EXPECT_TRUE(is_error_body(call(Verb::get, "/v1/alerts?active=maybe", viewer_).body(), "bad_query"));
}

TEST(QueryTest, PercentEncodedValuesReadBackExactly) {
  for (const std::string& value : {std::string("imb-ni"), std::string("a&b=c #d+e%f"),
                                  std::string("caf\xC3\xA9")}) {
    const std::string query = "limit=5&member=" + percent_encode(value) + "&x=1";
    EXPECT_EQ(query_param(query, "member"), value) << query;
  }
  EXPECT_EQ(percent_encode("imb-ni_1.2~"), "imb-ni_1.2~");
}

TEST_F(OperationsApiTest, TheTransferLogPagesByCursorAndFilters) {
  for (int i = 0; i < 3; ++i) {
    const auto queued = enqueue("spt");
    outbox_.record_retry({queued.id, store::Clock::now(), 503, "HTTP 503", 4},
                         store::Clock::now() + std::chrono::minutes(1));
  }
  const auto failing = enqueue("npm");
  outbox_.mark_failed({failing.id, store::Clock::now(), 400, "HTTP 400", 3}, "HTTP 400: bad");

  std::vector<std::int64_t> seen;
  std::string next = "/v1/transfers?limit=2";
  for (int pages = 0; !next.empty() && pages < 10; ++pages) {
    const Response page = call(Verb::get, next, viewer_);
    ASSERT_EQ(page.result(), Status::ok) << page.body();
    rapidjson::Document body;
    ASSERT_TRUE(parses_as_json(page.body(), body));
    for (const auto& entry : body["transfers"].GetArray()) {
      EXPECT_STREQ(entry["direction"].GetString(), "out");
      seen.push_back(entry["seq"].GetInt64());
    }
    next = body["next"].IsNull() ? "" : body["next"].GetString();
  }
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "no entry twice";

  const Response failed = call(Verb::get, "/v1/transfers?status=failed", viewer_);
  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(failed.body(), body));
  ASSERT_EQ(body["transfers"].Size(), 1u);
  EXPECT_EQ(body["transfers"][0]["delivery_id"].GetString(), failing.id);
  EXPECT_STREQ(body["transfers"][0]["recipient"].GetString(), "npm");
  EXPECT_EQ(body["transfers"][0]["http_status"].GetInt(), 400);
  EXPECT_TRUE(is_error_body(call(Verb::get, "/v1/transfers?after=x", viewer_).body(), "bad_query"));
}

}  // namespace
}  // namespace opcat::http
