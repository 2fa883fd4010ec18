#include "gateway/consolidation/period.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "adapters/schema/calendar_date.hpp"

namespace opcat::consolidation {
namespace {

void check_day(std::string_view text, std::string_view which) {
  if (!schema::is_calendar_date(text)) {
    throw std::invalid_argument(std::string(which) + " \"" + std::string(text) +
                                "\" is not a day written YYYY-MM-DD");
  }
}

}  // namespace

Period parse_period(std::string_view text) {
  const auto dots = text.find("..");
  if (dots == std::string_view::npos) {
    throw std::invalid_argument("a period is written FIRST..LAST, e.g. 2025-04-01..2026-03-31");
  }
  Period period{std::string(text.substr(0, dots)), std::string(text.substr(dots + 2))};
  check_day(period.first, "the first day");
  check_day(period.last, "the last day");
  // ISO dates compare as text in time order.
  if (period.first > period.last) {
    throw std::invalid_argument("the period " + period.to_string() + " ends before it starts");
  }
  return period;
}

Period npm_year_containing(std::string_view date) {
  check_day(date, "the date");
  int year = std::stoi(std::string(date.substr(0, 4)));
  // January to March belong to the year that began the April before.
  if (date.substr(5, 2) < "04") --year;
  if (year < 1 || year >= 9999) throw std::invalid_argument("the date is out of range");
  char first[16];
  char last[16];
  std::snprintf(first, sizeof first, "%04d-04-01", year);
  std::snprintf(last, sizeof last, "%04d-03-31", year + 1);
  return {first, last};
}

std::string today_utc() {
  const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day day{days};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return text;
}

}  // namespace opcat::consolidation
