#include "adapters/mapping/dates.hpp"

#include "adapters/schema/calendar_date.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace opcat::adapters {
namespace {

std::string iso(int year, int month, int day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
  return text;
}

// Reads 1..max_digits digits at `pos`, advancing it.
bool digits(std::string_view text, std::size_t& pos, int min_digits, int max_digits, int& out) {
  const std::size_t start = pos;
  while (pos < text.size() && pos - start < static_cast<std::size_t>(max_digits) &&
         std::isdigit(static_cast<unsigned char>(text[pos]))) {
    ++pos;
  }
  if (pos - start < static_cast<std::size_t>(min_digits)) return false;
  std::from_chars(text.data() + start, text.data() + pos, out);
  return true;
}

// The schema's own calendar check decides what a real day is: one rule for both.
std::optional<std::string> checked(int year, int month, int day) {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  std::string date = iso(year, month, day);
  if (!schema::is_calendar_date(date)) return std::nullopt;
  return date;
}

std::optional<std::string> parse_iso(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!digits(text, pos, 4, 4, year) || pos >= text.size() || text[pos++] != '-') return std::nullopt;
  if (!digits(text, pos, 2, 2, month) || pos >= text.size() || text[pos++] != '-') return std::nullopt;
  if (!digits(text, pos, 2, 2, day)) return std::nullopt;
  if (pos != text.size() && text[pos] != 'T' && text[pos] != ' ') return std::nullopt;
  return checked(year, month, day);
}

std::optional<std::string> parse_dmy(std::string_view text, char separator) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!digits(text, pos, 1, 2, day) || pos >= text.size() || text[pos++] != separator) return std::nullopt;
  if (!digits(text, pos, 1, 2, month) || pos >= text.size() || text[pos++] != separator) {
    return std::nullopt;
  }
  if (!digits(text, pos, 4, 4, year)) return std::nullopt;
  // Spreadsheet exports often append a midnight time: "12/03/2025 00:00".
  if (pos != text.size() && text[pos] != ' ') return std::nullopt;
  return checked(year, month, day);
}

int month_number(std::string_view word) {
  static constexpr std::array<std::string_view, 12> names{
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  std::string lower;
  for (const char c : word) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower.size() < 3) return 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (lower == names[i] || (lower.size() <= 4 && names[i].substr(0, lower.size()) == lower) ||
        (lower == "sept" && i == 8)) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

std::optional<std::string> parse_day_month(std::string_view text) {
  std::size_t pos = 0;
  int day = 0, year = 0;
  if (!digits(text, pos, 1, 2, day)) return std::nullopt;
  // Ordinal suffixes: 1st, 2nd, 3rd, 12th.
  while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos])) && pos < 4) ++pos;
  if (pos >= text.size() || text[pos] != ' ') return std::nullopt;
  while (pos < text.size() && text[pos] == ' ') ++pos;
  const std::size_t word_start = pos;
  while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
  const int month = month_number(text.substr(word_start, pos - word_start));
  if (month == 0) return std::nullopt;
  if (pos < text.size() && text[pos] == ',') ++pos;
  if (pos >= text.size() || text[pos] != ' ') return std::nullopt;
  while (pos < text.size() && text[pos] == ' ') ++pos;
  if (!digits(text, pos, 4, 4, year) || pos != text.size()) return std::nullopt;
  return checked(year, month, day);
}

std::optional<std::string> parse_compact(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (text.size() != 8 || !digits(text, pos, 4, 4, year) || !digits(text, pos, 2, 2, month) ||
      !digits(text, pos, 2, 2, day)) {
    return std::nullopt;
  }
  return checked(year, month, day);
}

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
void civil_from_days(long days, int& year, int& month, int& day) {
  days += 719468;
  const long era = (days >= 0 ? days : days - 146096) / 146097;
  const long doe = days - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
}

std::optional<std::string> parse_excel(std::string_view text) {
  double serial = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), serial);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(serial)) return std::nullopt;
  // 1 = 1900-01-01; Excel's serials past 60 count a 29 February 1900 that never was, which is
  // why 1899-12-30 is day 0 for every date after 1 March 1900. Earlier serials are refused.
  if (serial < 61 || serial > 2958465) return std::nullopt;
  int year = 0, month = 0, day = 0;
  civil_from_days(static_cast<long>(std::floor(serial)) - 25569, year, month, day);
  return iso(year, month, day);
}

}  // namespace

std::optional<DateFormat> parse_date_format(std::string_view name) {
  if (name == "iso" || name == "yyyy-mm-dd") return DateFormat::iso;
  if (name == "dd/mm/yyyy") return DateFormat::dmy_slash;
  if (name == "dd-mm-yyyy") return DateFormat::dmy_dash;
  if (name == "d month yyyy") return DateFormat::day_month;
  if (name == "yyyymmdd") return DateFormat::compact;
  if (name == "excel") return DateFormat::excel;
  return std::nullopt;
}

const char* date_format_names() {
  return "iso, dd/mm/yyyy, dd-mm-yyyy, d month yyyy, yyyymmdd, excel";
}

std::optional<std::string> to_iso_date(std::string_view text, const std::vector<DateFormat>& formats) {
  for (const DateFormat format : formats) {
    std::optional<std::string> date;
    switch (format) {
      case DateFormat::iso: date = parse_iso(text); break;
      case DateFormat::dmy_slash: date = parse_dmy(text, '/'); break;
      case DateFormat::dmy_dash: date = parse_dmy(text, '-'); break;
      case DateFormat::day_month: date = parse_day_month(text); break;
      case DateFormat::compact: date = parse_compact(text); break;
      case DateFormat::excel: date = parse_excel(text); break;
    }
    if (date) return date;
  }
  return std::nullopt;
}

}  // namespace opcat::adapters
