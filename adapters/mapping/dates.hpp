// The date formats members write, turned into ISO 8601 calendar dates (YYYY-MM-DD).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::adapters {

enum class DateFormat {
  iso,         // 2025-03-12, also 2025-03-12T09:30:00 (the time is dropped)
  dmy_slash,   // 12/03/2025 or 2/3/2025 ("dd/mm/yyyy")
  dmy_dash,    // 12-03-2025 ("dd-mm-yyyy")
  day_month,   // 12 March 2025, 12 Mar 2025, 2nd March 2025 ("d month yyyy")
  compact,     // 20250312 ("yyyymmdd")
  excel,       // 45728 (days since 1899-12-30, Excel's 1900 system; fractions are times)
};

// Parses a mapping file's name for a format ("dd/mm/yyyy", "iso", "excel"...); nullopt if unknown.
std::optional<DateFormat> parse_date_format(std::string_view name);
// The names parse_date_format accepts, for error messages.
const char* date_format_names();

// The ISO date for `text` in the first of `formats` that reads it as a real calendar date
// (2025-02-29 is not), or nullopt.
std::optional<std::string> to_iso_date(std::string_view text, const std::vector<DateFormat>& formats);

}  // namespace opcat::adapters
