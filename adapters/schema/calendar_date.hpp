// ISO 8601 calendar dates: the check draft-04 JSON Schema cannot make (xs:date makes it in XML).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace opcat::schema {

// True for "YYYY-MM-DD" naming a day that exists in the proleptic Gregorian calendar, years
// 0001 to 9999 (xs:date has no year 0000): "2024-02-29" yes, "2025-02-30" and "2025-13-01" no.
bool is_calendar_date(std::string_view text);

// True for the shape alone (four digits, dash, two digits, dash, two digits).
bool has_date_shape(std::string_view text);

// Why a date-shaped text is no real day ("February 2025 has 28 days"), or nothing when it is one.
std::optional<std::string> calendar_date_problem(std::string_view text);

}  // namespace opcat::schema
