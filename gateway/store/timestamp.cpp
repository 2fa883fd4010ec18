#include "gateway/store/timestamp.hpp"

#include <cstdio>
#include <ctime>

#include "gateway/store/store.hpp"

namespace opcat::store {

std::string format_utc(Clock::time_point time) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(time);
  const auto seconds = std::chrono::floor<std::chrono::seconds>(ms);
  const std::time_t t = Clock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[96];  // room for any int the compiler cannot rule out
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((ms - seconds).count()));
  return text;
}

Clock::time_point parse_utc(std::string_view text) {
  std::tm tm{};
  int millis = 0;
  int consumed = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis, &consumed) != 7 ||
      consumed != static_cast<int>(copy.size())) {
    throw StoreError("stored time is not in the store's format: " + copy);
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return Clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(millis);
}

}  // namespace opcat::store
