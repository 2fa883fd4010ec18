// The record checks draft-04 JSON Schema cannot express, made in code (the XSD makes each of
// them too, so a record's JSON and XML forms stay equally valid).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "adapters/schema/schema_shape.hpp"
#include "adapters/schema/violation.hpp"

namespace opcat::schema::detail {

// "place" + "place_type" -> "place.place_type"; "ratings" + 0 -> "ratings[0]".
std::string field_path(const std::string& path, std::string_view name);
std::string item_path(const std::string& path, std::size_t index);

// A value quoted for a message: "\"gaol\"", "12.5", "true"; long text is shortened.
std::string quote(const rapidjson::Value& value);

// No object has a field twice ("duplicate_field": an XML sequence cannot hold it twice), and
// every key and text is XML 1.0 character data ("invalid_character").
void check_text(const rapidjson::Value& value, const std::string& path,
                std::vector<Violation>& out);

// Known fields come in the schema's order ("field_order": the XSD's sequences require it).
void check_order(const rapidjson::Value& value, const Shape& shape, const std::string& path,
                 std::vector<Violation>& out);

// Date fields of the right shape name real days ("invalid_date": 2025-02-30 does not exist).
void check_dates(const rapidjson::Value& value, const Shape& shape, const std::string& path,
                 std::vector<Violation>& out);

}  // namespace opcat::schema::detail
