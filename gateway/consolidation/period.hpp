// The reporting period a consolidated submission covers: any range of days, by default the UK
// NPM's reporting year (1 April to 31 March).
#pragma once

#include <string>
#include <string_view>

#include "gateway/store/store.hpp"

namespace opcat::consolidation {

struct Period {
  std::string first;  // ISO date, inclusive
  std::string last;   // ISO date, inclusive

  // "2025-04-01..2026-03-31"
  std::string to_string() const { return first + ".." + last; }
  store::DateRange range() const { return {first, last}; }
  bool contains(std::string_view date) const { return date >= first && date <= last; }
  bool overlaps(std::string_view start, std::string_view end) const {
    return start <= last && end >= first;
  }
};

// "2025-04-01..2026-03-31": two real days, the first not after the last. Throws
// std::invalid_argument saying what is wrong.
Period parse_period(std::string_view text);

// The NPM year (1 April to 31 March) holding `date` ("2025-06-30" -> 2025-04-01..2026-03-31).
// Throws std::invalid_argument for anything but a real ISO day.
Period npm_year_containing(std::string_view date);

// Today's date in UTC, "YYYY-MM-DD": the default for npm_year_containing.
std::string today_utc();

}  // namespace opcat::consolidation
