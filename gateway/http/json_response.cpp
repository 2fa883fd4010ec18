#include "gateway/http/json_response.hpp"

#include <boost/beast/http/field.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace opcat::http {
namespace {

Response make_exact(Status status, std::string body, std::string_view content_type,
                    unsigned version, bool keep_alive) {
  Response response{status, version};
  response.set(beast_http::field::server, "opcat-gateway");
  response.set(beast_http::field::content_type, content_type);
  response.set(beast_http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response make(Status status, std::string json, unsigned version, bool keep_alive) {
  json.push_back('\n');
  return make_exact(status, std::move(json), "application/json", version, keep_alive);
}

std::string error_json(std::string_view code, std::string_view message) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> json(text);
  json.StartObject();
  json.Key("error");
  json.StartObject();
  json.Key("code");
  json.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  json.Key("message");
  json.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  json.EndObject();
  json.EndObject();
  return {text.GetString(), text.GetSize()};
}

}  // namespace

Response json_response(Status status, std::string json, const Request& request) {
  return make(status, std::move(json), request.version(), request.keep_alive());
}

Response bytes_response(Status status, std::string body, std::string_view content_type,
                        const Request& request) {
  return make_exact(status, std::move(body), content_type, request.version(), request.keep_alive());
}

Response error_response(Status status, std::string_view code, std::string_view message,
                        const Request& request) {
  return make(status, error_json(code, message), request.version(), request.keep_alive());
}

Response error_response(Status status, std::string_view code, std::string_view message,
                        unsigned http_version) {
  return make(status, error_json(code, message), http_version, false);
}

}  // namespace opcat::http
