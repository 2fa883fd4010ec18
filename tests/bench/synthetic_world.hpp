// What the generated exports are made of: a seeded random source whose sequence does not depend
// on the standard library's distributions (the same seed gives the same bytes with any compiler),
// calendar days, and the fictional people of tests/fixtures/generate-members.py.
#pragma once

#include <chrono>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>

namespace opcat::bench {

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n); the modulo bias is far below anything a benchmark input could show.
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  // Uniform in [low, high].
  int between(int low, int high) {
    return low + static_cast<int>(below(static_cast<std::uint64_t>(high - low + 1)));
  }
  // True with probability p.
  bool chance(double p) { return static_cast<double>(engine_() >> 11) * 0x1.0p-53 < p; }
  // Uniform in [low, high).
  double real(double low, double high) {
    return low + (high - low) * (static_cast<double>(engine_() >> 11) * 0x1.0p-53);
  }
  template <typename Items>
  const auto& pick(const Items& items) {
    return items[below(std::size(items))];
  }
  std::uint64_t bits() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

using Day = std::chrono::sys_days;

Day make_day(int year, unsigned month, unsigned day);
Day random_day(Random& random, Day first, Day last);
std::string iso_date(Day day);       // 2025-03-31
std::string uk_date(Day day);        // 31/03/2025
std::string person(Random& random);  // "Siobhán Evans-Pryce"
std::string uuid(Random& random);    // a version 4 UUID

// Text for XML content and attribute values (both quoted with ").
std::string xml_escaped(std::string_view text);
// A CSV field, quoted when it holds the delimiter, a quote or a line end (RFC 4180).
std::string csv_field(std::string_view text);

}  // namespace opcat::bench
