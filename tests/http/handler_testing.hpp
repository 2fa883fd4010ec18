// What the http/ tests share: requests and callers built by hand, and strict checks of the JSON
// bodies (parsed with RapidJSON, never matched as substrings).
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <optional>
#include <string>

#include "gateway/http/message.hpp"

namespace opcat::http::testing {

inline Request make_request(Verb method, std::string target, unsigned version = 11) {
  Request request{method, target, version};
  request.set(beast_http::field::host, "localhost");
  return request;
}

// A verified certificate that maps to no party: what the TLS layer hands over for a stranger.
inline Caller stranger() {
  Caller caller;
  caller.certificate.subject_cn = "not-a-member";
  caller.certificate.organisation = "Nobody";
  caller.certificate.subject = "O=Nobody,CN=not-a-member";
  caller.certificate.sha256 = std::string(64, 'e');
  caller.peer_address = "203.0.113.7:50412";
  return caller;
}

// The member HM Inspectorate of Prisons, as the directory would have resolved it.
inline Caller hmip() {
  Caller caller;
  caller.certificate.subject_cn = "hmip";
  caller.certificate.organisation = "HM Inspectorate of Prisons";
  caller.certificate.subject = "O=HM Inspectorate of Prisons,CN=hmip";
  caller.certificate.sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  identity::Identity who;
  who.kind = identity::Identity::Kind::member;
  who.code = "hmip";
  who.name = "HM Inspectorate of Prisons";
  caller.identity = who;
  caller.peer_address = "198.51.100.20:40000";
  return caller;
}

// An operator of the admin listener with `role`, as the directory would have resolved its
// certificate.
inline Caller operator_with(config::Role role, const std::string& name) {
  Caller caller;
  caller.certificate.subject_cn = name;
  caller.certificate.subject = "CN=" + name;
  caller.certificate.sha256 = std::string(64, 'a');
  identity::Identity who;
  who.kind = identity::Identity::Kind::operator_;
  who.code = name;
  who.name = name;
  who.role = role;
  caller.identity = who;
  caller.peer_address = "192.0.2.1:50000";
  return caller;
}

// Parses `body` strictly (valid UTF-8, no extensions); a test failure names the parse error.
inline ::testing::AssertionResult parses_as_json(const std::string& body,
                                                 rapidjson::Document& document) {
  document.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (document.HasParseError()) {
    return ::testing::AssertionFailure()
           << "not JSON (" << rapidjson::GetParseError_En(document.GetParseError()) << " at "
           << document.GetErrorOffset() << "): " << body;
  }
  return ::testing::AssertionSuccess();
}

// The one error shape: {"error":{"code":<code>,"message":<non-empty string>}} and nothing else.
inline ::testing::AssertionResult is_error_body(const std::string& body, std::string_view code) {
  rapidjson::Document document;
  if (auto parsed = parses_as_json(body, document); !parsed) return parsed;
  const auto fail = [&](const char* why) {
    return ::testing::AssertionFailure() << why << ": " << body;
  };
  if (!document.IsObject() || document.MemberCount() != 1 || !document.HasMember("error")) {
    return fail("not an object with exactly one member \"error\"");
  }
  const rapidjson::Value& error = document["error"];
  if (!error.IsObject() || error.MemberCount() != 2) {
    return fail("\"error\" is not an object of two members");
  }
  if (!error.HasMember("code") || !error["code"].IsString()) return fail("no string error.code");
  if (!error.HasMember("message") || !error["message"].IsString()) {
    return fail("no string error.message");
  }
  if (error["message"].GetStringLength() == 0) return fail("error.message is empty");
  if (std::string_view(error["code"].GetString(), error["code"].GetStringLength()) != code) {
    return ::testing::AssertionFailure()
           << "error.code is \"" << error["code"].GetString() << "\", expected \"" << code << '"';
  }
  return ::testing::AssertionSuccess();
}

inline std::string error_message(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("error") ||
      !document["error"].IsObject() || !document["error"].HasMember("message") ||
      !document["error"]["message"].IsString()) {
    return {};
  }
  return document["error"]["message"].GetString();
}

// The headers that every answer of every listener carries.
inline void expect_json_headers(const Response& response) {
  EXPECT_EQ(response[beast_http::field::content_type], "application/json");
  EXPECT_EQ(response[beast_http::field::cache_control], "no-store");
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(response[beast_http::field::content_length], std::to_string(response.body().size()));
}

}  // namespace opcat::http::testing
