#include "adapters/mapping/dates.hpp"

#include <gtest/gtest.h>

namespace opcat::adapters {
namespace {

std::optional<std::string> read(std::string_view text, DateFormat format) {
  return to_iso_date(text, {format});
}

TEST(Dates, IsoKeepsTheDateAndDropsATime) {
  EXPECT_EQ(read("2025-03-12", DateFormat::iso), "2025-03-12");
  EXPECT_EQ(read("2025-03-12T09:30:00Z", DateFormat::iso), "2025-03-12");
  EXPECT_EQ(read("2025-3-12", DateFormat::iso), std::nullopt);
  EXPECT_EQ(read("2025-03-12x", DateFormat::iso), std::nullopt);
}

TEST(Dates, DayMonthYearWithSlashesOrDashes) {
  EXPECT_EQ(read("12/03/2025", DateFormat::dmy_slash), "2025-03-12");
  EXPECT_EQ(read("2/3/2025", DateFormat::dmy_slash), "2025-03-02");
  EXPECT_EQ(read("12/03/2025 00:00", DateFormat::dmy_slash), "2025-03-12");
  EXPECT_EQ(read("12-03-2025", DateFormat::dmy_dash), "2025-03-12");
  EXPECT_EQ(read("12/03/25", DateFormat::dmy_slash), std::nullopt);  // two-digit years are ambiguous
  EXPECT_EQ(read("03/13/2025", DateFormat::dmy_slash), std::nullopt);  // month 13: not UK order
}

TEST(Dates, WrittenOutMonths) {
  EXPECT_EQ(read("12 March 2025", DateFormat::day_month), "2025-03-12");
  EXPECT_EQ(read("12 Mar 2025", DateFormat::day_month), "2025-03-12");
  EXPECT_EQ(read("2nd September 2024", DateFormat::day_month), "2024-09-02");
  EXPECT_EQ(read("1 Sept 2024", DateFormat::day_month), "2024-09-01");
  EXPECT_EQ(read("12 Marchember 2025", DateFormat::day_month), std::nullopt);
}

TEST(Dates, ExcelSerials) {
  EXPECT_EQ(read("45728", DateFormat::excel), "2025-03-12");
  EXPECT_EQ(read("45728.5", DateFormat::excel), "2025-03-12");  // noon that day
  EXPECT_EQ(read("61", DateFormat::excel), "1900-03-01");
  EXPECT_EQ(read("60", DateFormat::excel), std::nullopt);  // Excel's 29 February 1900 never was
  EXPECT_EQ(read("abc", DateFormat::excel), std::nullopt);
}

TEST(Dates, ImpossibleDatesAreRefusedInEveryFormat) {
  EXPECT_EQ(read("2025-02-29", DateFormat::iso), std::nullopt);
  EXPECT_EQ(read("2024-02-29", DateFormat::iso), "2024-02-29");
  EXPECT_EQ(read("31/04/2025", DateFormat::dmy_slash), std::nullopt);
  EXPECT_EQ(read("30 February 2024", DateFormat::day_month), std::nullopt);
  EXPECT_EQ(read("20250230", DateFormat::compact), std::nullopt);
  EXPECT_EQ(read("29/02/1900", DateFormat::dmy_slash), std::nullopt);  // 1900 was no leap year
  EXPECT_EQ(read("29/02/2000", DateFormat::dmy_slash), "2000-02-29");  // 2000 was
}

TEST(Dates, FormatsAreTriedInOrder) {
  const std::vector<DateFormat> formats{DateFormat::dmy_slash, DateFormat::excel};
  EXPECT_EQ(to_iso_date("12/03/2025", formats), "2025-03-12");
  EXPECT_EQ(to_iso_date("45728", formats), "2025-03-12");
  EXPECT_EQ(to_iso_date("March", formats), std::nullopt);
}

TEST(Dates, FormatNames) {
  EXPECT_EQ(parse_date_format("dd/mm/yyyy"), DateFormat::dmy_slash);
  EXPECT_EQ(parse_date_format("d month yyyy"), DateFormat::day_month);
  EXPECT_EQ(parse_date_format("mm/dd/yyyy"), std::nullopt);
}

}  // namespace
}  // namespace opcat::adapters
