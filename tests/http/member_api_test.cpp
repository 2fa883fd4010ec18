// The member listener's routes (and the admin listener's, for now only /healthz) as pure
// functions: each answer is parsed as JSON and checked member by member.
#include "gateway/http/member_api.hpp"

#include <gtest/gtest.h>

#include <string>

#include "gateway/http/admin_api.hpp"
#include "tests/http/handler_testing.hpp"

namespace opcat::http {
namespace {

using testing::expect_json_headers;
using testing::hmip;
using testing::is_error_body;
using testing::make_request;
using testing::parses_as_json;
using testing::stranger;

std::string string_member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject() || !object.HasMember(name) || !object[name].IsString()) {
    ADD_FAILURE() << "no string member \"" << name << '"';
    return {};
  }
  return {object[name].GetString(), object[name].GetStringLength()};
}

void expect_healthy(const Response& response) {
  EXPECT_EQ(response.result(), Status::ok);
  expect_json_headers(response);
  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(response.body(), body));
  ASSERT_TRUE(body.IsObject());
  EXPECT_EQ(body.MemberCount(), 1u);  // says nothing about any party
  EXPECT_EQ(string_member(body, "status"), "ok");
}

TEST(MemberApiTest, HealthzAnswersAnyVerifiedCertificate) {
  const Router api = member_api();
  expect_healthy(api.handle(make_request(Verb::get, "/healthz"), stranger()));
  expect_healthy(api.handle(make_request(Verb::get, "/healthz"), hmip()));
  expect_healthy(api.handle(make_request(Verb::get, "/healthz?probe=k8s"), stranger()));
}

TEST(MemberApiTest, WhoamiDescribesTheMemberAndItsCertificate) {
  const Caller caller = hmip();
  const Response response = member_api().handle(make_request(Verb::get, "/v1/whoami"), caller);
  EXPECT_EQ(response.result(), Status::ok);
  expect_json_headers(response);

  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(response.body(), body));
  ASSERT_TRUE(body.IsObject());
  EXPECT_EQ(body.MemberCount(), 3u);
  EXPECT_EQ(string_member(body, "member"), "hmip");
  EXPECT_EQ(string_member(body, "name"), "HM Inspectorate of Prisons");
  ASSERT_TRUE(body.HasMember("certificate"));
  const rapidjson::Value& certificate = body["certificate"];
  ASSERT_TRUE(certificate.IsObject());
  EXPECT_EQ(certificate.MemberCount(), 2u);
  EXPECT_EQ(string_member(certificate, "subject"), caller.certificate.subject);
  EXPECT_EQ(string_member(certificate, "sha256"), caller.certificate.sha256);
}

TEST(MemberApiTest, WhoamiEscapesWhatItEchoes) {
  // RFC 2253 escapes a comma in a name with a backslash; display names carry quotes and UTF-8.
  Caller caller = hmip();
  caller.identity->code = "ofsted";
  caller.identity->name = "Office for Standards in Education, Children's \"Services\" & Skills";
  caller.certificate.subject =
      "O=Office for Standards in Education\\, Children's Services,CN=ofsted \xc5\xb5";
  const Response response = member_api().handle(make_request(Verb::get, "/v1/whoami"), caller);
  ASSERT_EQ(response.result(), Status::ok);

  rapidjson::Document body;
  ASSERT_TRUE(parses_as_json(response.body(), body));
  EXPECT_EQ(string_member(body, "member"), "ofsted");
  EXPECT_EQ(string_member(body, "name"), caller.identity->name);
  ASSERT_TRUE(body.HasMember("certificate"));
  EXPECT_EQ(string_member(body["certificate"], "subject"), caller.certificate.subject);
}

TEST(MemberApiTest, WhoamiRefusesACertificateOfNoMember) {
  const Response response = member_api().handle(make_request(Verb::get, "/v1/whoami"), stranger());
  EXPECT_EQ(response.result(), Status::forbidden);
  EXPECT_TRUE(is_error_body(response.body(), "unknown_certificate"));
  expect_json_headers(response);
}

TEST(MemberApiTest, WhoamiAnswersOnlyGet) {
  for (const Verb method : {Verb::post, Verb::put, Verb::delete_}) {
    SCOPED_TRACE(beast_http::to_string(method));
    const Response response = member_api().handle(make_request(method, "/v1/whoami"), hmip());
    EXPECT_EQ(response.result(), Status::method_not_allowed);
    EXPECT_EQ(response[beast_http::field::allow], "GET");
    EXPECT_TRUE(is_error_body(response.body(), "method_not_allowed"));
  }
}

TEST(MemberApiTest, OtherPathsAre404) {
  for (const char* target : {"/", "/v1", "/v1/", "/v1/whoami/", "/v1/whoami/hmip", "/whoami",
                             "/healthz/x", "/v2/whoami"}) {
    SCOPED_TRACE(target);
    const Response response = member_api().handle(make_request(Verb::get, target), hmip());
    EXPECT_EQ(response.result(), Status::not_found);
    EXPECT_TRUE(is_error_body(response.body(), "not_found"));
  }
}

TEST(AdminApiTest, HealthzAnswersAnyVerifiedCertificate) {
  const Router api = admin_api();
  expect_healthy(api.handle(make_request(Verb::get, "/healthz"), stranger()));
  expect_healthy(api.handle(make_request(Verb::get, "/healthz"), hmip()));
}

TEST(AdminApiTest, MemberRoutesDoNotExistOnTheAdminListener) {
  const Response response = admin_api().handle(make_request(Verb::get, "/v1/whoami"), hmip());
  EXPECT_EQ(response.result(), Status::not_found);
  EXPECT_TRUE(is_error_body(response.body(), "not_found"));
}

}  // namespace
}  // namespace opcat::http
