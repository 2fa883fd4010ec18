// The router as a pure function: requests and callers built by hand, no socket anywhere.
#include "gateway/http/router.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/http/json_response.hpp"
#include "tests/http/handler_testing.hpp"

namespace opcat::http {
namespace {

using testing::expect_json_headers;
using ::testing::HasSubstr;
using testing::hmip;
using testing::is_error_body;
using testing::make_request;
using testing::stranger;

using Params = std::map<std::string, std::string, std::less<>>;

// What a handler saw the last time it ran, and how often it ran.
struct Seen {
  int calls = 0;
  Params params;
  std::string path;
  std::string query;
};

// A handler that records its context and answers {"route":"<name>"}.
Handler recording(Seen& seen, std::string name) {
  return [&seen, name](const Context& context) {
    ++seen.calls;
    seen.params = context.params;
    seen.path = std::string(context.path);
    seen.query = std::string(context.query);
    return json_response(Status::ok, R"({"route":")" + name + R"("})", context.request);
  };
}

std::set<std::string> allow_list(const Response& response) {
  std::set<std::string> methods;
  std::istringstream text{std::string(response[beast_http::field::allow])};
  for (std::string method; std::getline(text, method, ',');) {
    const auto begin = method.find_first_not_of(' ');
    const auto end = method.find_last_not_of(' ');
    if (begin != std::string::npos) methods.insert(method.substr(begin, end - begin + 1));
  }
  return methods;
}

TEST(RouterTest, ExactPathCallsItsHandlerWithThePath) {
  Seen status;
  Router router;
  router.add(Verb::get, "/v1/status", Access::any_certificate, recording(status, "status"));

  const Response response = router.handle(make_request(Verb::get, "/v1/status"), hmip());
  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(response.body(), "{\"route\":\"status\"}\n");
  EXPECT_EQ(status.calls, 1);
  EXPECT_EQ(status.path, "/v1/status");
  EXPECT_EQ(status.query, "");
  EXPECT_TRUE(status.params.empty());
}

TEST(RouterTest, ExactPathMatchesNoOtherPath) {
  Seen status;
  Router router;
  router.add(Verb::get, "/v1/status", Access::any_certificate, recording(status, "status"));

  for (const char* target : {"/", "/v1", "/v1/", "/v1/status/", "/v1/status/more", "/v1/statusx",
                             "/v1/stat", "/V1/STATUS", "//v1/status", "/v2/status"}) {
    SCOPED_TRACE(target);
    const Response response = router.handle(make_request(Verb::get, target), hmip());
    EXPECT_EQ(response.result(), Status::not_found);
    EXPECT_TRUE(is_error_body(response.body(), "not_found"));
  }
  EXPECT_EQ(status.calls, 0);
}

TEST(RouterTest, PlaceholderCapturesOneSegmentAsAParam) {
  Seen submission;
  Router router;
  router.add(Verb::get, "/v1/submissions/{id}", Access::identified,
             recording(submission, "submission"));

  const Response response =
      router.handle(make_request(Verb::get, "/v1/submissions/2024-Q3-0042"), hmip());
  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(submission.calls, 1);
  EXPECT_EQ(submission.params, (Params{{"id", "2024-Q3-0042"}}));
  EXPECT_EQ(submission.path, "/v1/submissions/2024-Q3-0042");
}

TEST(RouterTest, SeveralPlaceholdersEachGetTheirSegment) {
  Seen receipt;
  Router router;
  router.add(Verb::get, "/v1/members/{member}/submissions/{id}/receipt", Access::identified,
             recording(receipt, "receipt"));

  const Response response =
      router.handle(make_request(Verb::get, "/v1/members/imb-ni/submissions/17/receipt"), hmip());
  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(receipt.calls, 1);
  EXPECT_EQ(receipt.params, (Params{{"member", "imb-ni"}, {"id", "17"}}));
}

TEST(RouterTest, PlaceholderNeedsExactlyOneNonEmptySegment) {
  Seen submission;
  Router router;
  router.add(Verb::get, "/v1/submissions/{id}", Access::identified,
             recording(submission, "submission"));

  for (const char* target : {"/v1/submissions", "/v1/submissions/", "/v1/submissions/42/",
                             "/v1/submissions/42/receipt", "/v1/submissions//42"}) {
    SCOPED_TRACE(target);
    const Response response = router.handle(make_request(Verb::get, target), hmip());
    EXPECT_EQ(response.result(), Status::not_found);
    EXPECT_TRUE(is_error_body(response.body(), "not_found"));
  }
  EXPECT_EQ(submission.calls, 0);
}

TEST(RouterTest, QueryStringIsIgnoredForMatchingAndHandedToTheHandler) {
  Seen submission;
  Seen status;
  Router router;
  router.add(Verb::get, "/v1/submissions/{id}", Access::identified,
             recording(submission, "submission"));
  router.add(Verb::get, "/v1/status", Access::any_certificate, recording(status, "status"));

  Response response =
      router.handle(make_request(Verb::get, "/v1/submissions/42?verbose=1&next=/v1/x"), hmip());
  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(submission.calls, 1);
  EXPECT_EQ(submission.params.at("id"), "42");  // the query is not part of the last segment
  EXPECT_EQ(submission.path, "/v1/submissions/42");
  EXPECT_EQ(submission.query, "verbose=1&next=/v1/x");

  response = router.handle(make_request(Verb::get, "/v1/status?"), hmip());
  EXPECT_EQ(response.result(), Status::ok);
  EXPECT_EQ(status.calls, 1);
  EXPECT_EQ(status.path, "/v1/status");
  EXPECT_EQ(status.query, "");

  // A query never rescues an unknown path.
  response = router.handle(make_request(Verb::get, "/v1/nothing?/v1/status"), hmip());
  EXPECT_EQ(response.result(), Status::not_found);
}

TEST(RouterTest, UnknownPathIs404InTheErrorShape) {
  Router router;
  Seen status;
  router.add(Verb::get, "/v1/status", Access::any_certificate, recording(status, "status"));

  const Response response = router.handle(make_request(Verb::get, "/v1/nothing-here"), hmip());
  EXPECT_EQ(response.result(), Status::not_found);
  EXPECT_TRUE(is_error_body(response.body(), "not_found"));
  expect_json_headers(response);
  EXPECT_EQ(response.count(beast_http::field::allow), 0u);

  // A router without any route answers the same way.
  const Response empty = Router{}.handle(make_request(Verb::get, "/"), stranger());
  EXPECT_EQ(empty.result(), Status::not_found);
  EXPECT_TRUE(is_error_body(empty.body(), "not_found"));
}

TEST(RouterTest, WrongMethodIs405WithAllowListingEveryMethodOfThePath) {
  Seen get, put, remove, other;
  Router router;
  router.add(Verb::get, "/v1/things/{id}", Access::identified, recording(get, "get"));
  router.add(Verb::put, "/v1/things/{id}", Access::identified, recording(put, "put"));
  router.add(Verb::delete_, "/v1/things/{id}", Access::identified, recording(remove, "delete"));
  router.add(Verb::post, "/v1/things", Access::identified, recording(other, "other"));

  const Response response = router.handle(make_request(Verb::post, "/v1/things/7"), hmip());
  EXPECT_EQ(response.result(), Status::method_not_allowed);
  EXPECT_EQ(allow_list(response), (std::set<std::string>{"GET", "PUT", "DELETE"}));
  EXPECT_TRUE(is_error_body(response.body(), "method_not_allowed"));
  EXPECT_THAT(testing::error_message(response.body()), HasSubstr("POST"));
  expect_json_headers(response);
  EXPECT_EQ(get.calls + put.calls + remove.calls + other.calls, 0);

  // The right method still reaches its handler.
  EXPECT_EQ(router.handle(make_request(Verb::delete_, "/v1/things/7"), hmip()).result(),
            Status::ok);
  EXPECT_EQ(remove.calls, 1);
}

TEST(RouterTest, AllowCollectsTheMethodsOfEveryPatternThatFitsThePath) {
  Seen latest, thing;
  Router router;
  router.add(Verb::get, "/v1/things/latest", Access::identified, recording(latest, "latest"));
  router.add(Verb::delete_, "/v1/things/{id}", Access::identified, recording(thing, "thing"));

  const Response response = router.handle(make_request(Verb::patch, "/v1/things/latest"), hmip());
  EXPECT_EQ(response.result(), Status::method_not_allowed);
  EXPECT_EQ(allow_list(response), (std::set<std::string>{"GET", "DELETE"}));

  // Another id fits only the placeholder pattern.
  const Response other = router.handle(make_request(Verb::patch, "/v1/things/9"), hmip());
  EXPECT_EQ(allow_list(other), (std::set<std::string>{"DELETE"}));
  EXPECT_EQ(latest.calls + thing.calls, 0);
}

TEST(RouterTest, IdentifiedRouteRefusesACallerOfNoPartyWith403) {
  Seen whoami, health;
  Router router;
  router.add(Verb::get, "/healthz", Access::any_certificate, recording(health, "health"));
  router.add(Verb::get, "/v1/whoami", Access::identified, recording(whoami, "whoami"));

  const Caller nobody = stranger();
  const Response refused = router.handle(make_request(Verb::get, "/v1/whoami"), nobody);
  EXPECT_EQ(refused.result(), Status::forbidden);
  EXPECT_TRUE(is_error_body(refused.body(), "unknown_certificate"));
  EXPECT_THAT(testing::error_message(refused.body()), HasSubstr(nobody.certificate.subject));
  expect_json_headers(refused);
  EXPECT_EQ(whoami.calls, 0);

  // A probe needs only a verified certificate.
  const Response probe = router.handle(make_request(Verb::get, "/healthz"), nobody);
  EXPECT_EQ(probe.result(), Status::ok);
  EXPECT_EQ(health.calls, 1);

  // The same route serves a caller the directory knows.
  const Response known = router.handle(make_request(Verb::get, "/v1/whoami"), hmip());
  EXPECT_EQ(known.result(), Status::ok);
  EXPECT_EQ(whoami.calls, 1);
}

TEST(RouterTest, EveryAnswerIsJsonThatIsNeverCached) {
  Seen seen;
  Router router;
  router.add(Verb::get, "/v1/whoami", Access::identified, recording(seen, "whoami"));

  const std::vector<std::pair<Request, Caller>> cases = {
      {make_request(Verb::get, "/v1/whoami"), hmip()},      // 200
      {make_request(Verb::get, "/v1/nothing"), hmip()},     // 404
      {make_request(Verb::post, "/v1/whoami"), hmip()},     // 405
      {make_request(Verb::get, "/v1/whoami"), stranger()},  // 403
      {make_request(Verb::get, "v1/whoami"), hmip()},       // 400
  };
  std::set<unsigned> statuses;
  for (const auto& [request, caller] : cases) {
    const Response response = router.handle(request, caller);
    SCOPED_TRACE(response.result_int());
    statuses.insert(response.result_int());
    expect_json_headers(response);
    rapidjson::Document body;
    EXPECT_TRUE(testing::parses_as_json(response.body(), body));
  }
  EXPECT_EQ(statuses, (std::set<unsigned>{200, 400, 403, 404, 405}));
}

TEST(RouterTest, KeepAliveAndVersionFollowTheRequest) {
  Seen seen;
  Router router;
  router.add(Verb::get, "/v1/whoami", Access::identified, recording(seen, "whoami"));

  struct Case {
    unsigned version;
    const char* connection;  // nullptr: no Connection header
    bool keep_alive;
  };
  for (const Case c : {Case{11, nullptr, true}, Case{11, "close", false}, Case{10, nullptr, false},
                       Case{10, "keep-alive", true}}) {
    for (const char* target : {"/v1/whoami", "/v1/nothing"}) {  // a handler's answer, an error
      SCOPED_TRACE(std::to_string(c.version) + " " + (c.connection ? c.connection : "-") + " " +
                   target);
      Request request = make_request(Verb::get, target, c.version);
      if (c.connection) request.set(beast_http::field::connection, c.connection);
      const Response response = router.handle(request, hmip());
      EXPECT_EQ(response.version(), c.version);
      EXPECT_EQ(response.keep_alive(), c.keep_alive);
    }
  }
}

TEST(RouterTest, TargetThatIsNotAnAbsolutePathIs400) {
  Seen seen;
  Router router;
  router.add(Verb::get, "/healthz", Access::any_certificate, recording(seen, "health"));

  for (const char* target : {"healthz", "*", "", "?/healthz", "v1/../healthz"}) {
    SCOPED_TRACE(target);
    const Response response = router.handle(make_request(Verb::get, target), hmip());
    EXPECT_EQ(response.result(), Status::bad_request);
    EXPECT_TRUE(is_error_body(response.body(), "bad_target"));
    expect_json_headers(response);
  }
  EXPECT_EQ(seen.calls, 0);
}

}  // namespace
}  // namespace opcat::http
