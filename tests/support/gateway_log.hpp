// Reading the gateway's JSON log lines back in tests that run the real binary.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace opcat::testing {

// A string member of a JSON object, or nothing.
inline std::optional<std::string> string_member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject() || !object.HasMember(name) || !object[name].IsString()) {
    return std::nullopt;
  }
  return std::string(object[name].GetString(), object[name].GetStringLength());
}

// A log line's top-level field, or nothing when the line is not JSON or lacks it.
inline std::optional<std::string> string_field(std::string_view line, const char* name) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
  if (document.HasParseError()) return std::nullopt;
  return string_member(document, name);
}

inline std::optional<std::uint64_t> number_field(std::string_view line, const char* name) {
  rapidjson::Document document;
  document.Parse(line.data(), line.size());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember(name) ||
      !document[name].IsUint64()) {
    return std::nullopt;
  }
  return document[name].GetUint64();
}

// A predicate for ChildProcess::wait_for_stderr_line: the line's "event" is `event`.
inline auto event_is(std::string event) {
  return [event = std::move(event)](std::string_view line) {
    return string_field(line, "event") == event;
  };
}

// "127.0.0.1:40123" -> 40123.
inline std::optional<unsigned short> port_of(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  const int port = std::stoi(address.substr(colon + 1));
  if (port <= 0 || port > 65535) return std::nullopt;
  return static_cast<unsigned short>(port);
}

}  // namespace opcat::testing
