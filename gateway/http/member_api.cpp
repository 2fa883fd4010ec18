#include "gateway/http/member_api.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/http/health.hpp"
#include "gateway/http/json_response.hpp"

namespace opcat::http {

Router member_api() {
  Router router;
  router.add(Verb::get, "/healthz", Access::any_certificate, healthz);
  router.add(Verb::get, "/v1/whoami", Access::identified, whoami);
  return router;
}

Response whoami(const Context& context) {
  const auto& identity = *context.caller.identity;  // the route is Access::identified
  const auto& certificate = context.caller.certificate;
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> json(text);
  json.StartObject();
  json.Key("member");
  json.String(identity.code.c_str());
  json.Key("name");
  json.String(identity.name.c_str());
  json.Key("certificate");
  json.StartObject();
  json.Key("subject");
  json.String(certificate.subject.c_str());
  json.Key("sha256");
  json.String(certificate.sha256.c_str());
  json.EndObject();
  json.EndObject();
  return json_response(Status::ok, {text.GetString(), text.GetSize()}, context.request);
}

}  // namespace opcat::http
