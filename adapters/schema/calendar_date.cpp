#include "adapters/schema/calendar_date.hpp"

#include <array>

namespace opcat::schema {
namespace {

constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};

int digits(std::string_view text) {
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

}  // namespace

bool has_date_shape(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

std::optional<std::string> calendar_date_problem(std::string_view text) {
  if (!has_date_shape(text)) return "not in the form YYYY-MM-DD";
  const int year = digits(text.substr(0, 4));
  const int month = digits(text.substr(5, 2));
  const int day = digits(text.substr(8, 2));
  if (year == 0) return "there is no year 0000";
  if (month < 1 || month > 12) return "there is no month " + std::string(text.substr(5, 2));
  const int last = days_in_month(year, month);
  if (day < 1 || day > last) {
    return std::string(kMonths[static_cast<std::size_t>(month - 1)]) + " " +
           std::string(text.substr(0, 4)) + " has " + std::to_string(last) + " days";
  }
  return std::nullopt;
}

bool is_calendar_date(std::string_view text) {
  return !calendar_date_problem(text).has_value();
}

}  // namespace opcat::schema
