#include "adapters/core/record_error_json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace opcat::adapters {

std::string to_json(const RecordError& error) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> json(text);
  const auto field = [&json](const char* key, const std::string& value) {
    json.Key(key);
    json.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  json.StartObject();
  field("locator", error.locator);
  field("field", error.field);
  field("source_field", error.source_field);
  field("value", error.value);
  field("code", error.code);
  field("message", error.message);
  json.EndObject();
  return {text.GetString(), text.GetSize()};
}

}  // namespace opcat::adapters
