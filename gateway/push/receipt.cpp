#include "gateway/push/receipt.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace opcat::push {
namespace {

std::string string_member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return {};
  const auto found = object.FindMember(name);
  if (found == object.MemberEnd() || !found->value.IsString()) return {};
  return {found->value.GetString(), found->value.GetStringLength()};
}

std::uint64_t count_member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return 0;
  const auto found = object.FindMember(name);
  if (found == object.MemberEnd() || !found->value.IsUint64()) return 0;
  return found->value.GetUint64();
}

const rapidjson::Value& member_or_null(const rapidjson::Value& object, const char* name) {
  static const rapidjson::Value null_value;
  if (!object.IsObject()) return null_value;
  const auto found = object.FindMember(name);
  return found == object.MemberEnd() ? null_value : found->value;
}

bool parse_object(std::string_view body, rapidjson::Document& document) {
  document.Parse(body.data(), body.size());
  return !document.HasParseError() && document.IsObject();
}

}  // namespace

std::optional<ReceiptSummary> read_receipt(std::string_view body) {
  rapidjson::Document document;
  if (!parse_object(body, document)) return std::nullopt;
  ReceiptSummary receipt;
  receipt.submission_id = string_member(document, "submission_id");
  receipt.member = string_member(document, "member");
  receipt.status = string_member(document, "status");
  receipt.reason = string_member(document, "reason");
  receipt.sha256 = string_member(document, "sha256");
  const rapidjson::Value& records = member_or_null(document, "records");
  receipt.records_accepted = count_member(records, "accepted");
  receipt.records_rejected = count_member(records, "rejected");
  const rapidjson::Value& errors = member_or_null(document, "errors");
  receipt.errors_total = count_member(errors, "total");
  receipt.errors_href = string_member(errors, "href");
  const rapidjson::Value& first = member_or_null(errors, "first");
  if (first.IsArray() && !first.Empty()) receipt.first_error = string_member(first[0], "message");
  return receipt;
}

std::optional<std::string> read_error(std::string_view body) {
  rapidjson::Document document;
  if (!parse_object(body, document)) return std::nullopt;
  const rapidjson::Value& error = member_or_null(document, "error");
  const std::string code = string_member(error, "code");
  const std::string message = string_member(error, "message");
  if (code.empty() && message.empty()) return std::nullopt;
  if (message.empty()) return code;
  if (code.empty()) return message;
  return code + ": " + message;
}

std::string on_one_line(std::string_view json) {
  if (json.find_first_of("\r\n") == std::string_view::npos) return std::string(json);
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError()) {
    // Not JSON after all: line breaks become spaces, so the one-per-line promise still holds.
    std::string text(json);
    for (char& c : text) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    return text;
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace opcat::push
