// Turning the error RapidJSON's schema validator found into violations that name the field and
// say, in words, what was expected.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <string>
#include <vector>

#include "adapters/schema/schema_shape.hpp"
#include "adapters/schema/violation.hpp"

namespace opcat::schema::detail {

// `validator` failed on `record` (or on one field of it, fed as {"field": value}); `shape` is the
// record type's. Appends one violation, or one per missing field for "required".
void explain(const rapidjson::SchemaValidator& validator, const rapidjson::Value& record,
             const Shape& shape, const std::string& record_type, std::vector<Violation>& out);

}  // namespace opcat::schema::detail
