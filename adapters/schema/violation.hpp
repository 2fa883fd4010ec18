// One reason a record does not conform to the common schema.
#pragma once

#include <string>

namespace opcat::schema {

struct Violation {
  // Dotted path inside the record: "place.place_type", "ratings[0].value"; "" for the record.
  std::string field;
  // Stable, machine-readable: "required", "type", "enum", "pattern", "invalid_date", ...
  std::string code;
  // For people: "\"gaol\" is not a place_type (expected one of prison, ...)".
  std::string message;

  bool operator==(const Violation&) const = default;
};

}  // namespace opcat::schema
