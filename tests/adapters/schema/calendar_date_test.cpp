// Real days: the date check RecordSchema makes because draft-04 cannot (xs:date makes it too).
#include "adapters/schema/calendar_date.hpp"

#include <gtest/gtest.h>

#include "adapters/schema/xml_text.hpp"

namespace opcat::schema {
namespace {

TEST(CalendarDate, AcceptsDaysThatExist) {
  for (const char* day : {"2025-01-01", "2025-12-31", "2024-02-29", "2000-02-29", "0001-01-01",
                          "9999-12-31", "2025-04-30", "2025-02-28"}) {
    EXPECT_TRUE(is_calendar_date(day)) << day;
  }
}

TEST(CalendarDate, RefusesDaysThatDoNot) {
  for (const char* day : {"2025-02-29", "2100-02-29", "1900-02-29", "2025-02-30", "2025-04-31",
                          "2025-13-01", "2025-00-10", "2025-01-00", "2025-01-32", "0000-01-01"}) {
    EXPECT_FALSE(is_calendar_date(day)) << day;
  }
}

TEST(CalendarDate, SaysWhyInWords) {
  EXPECT_EQ(calendar_date_problem("2025-02-30"), "February 2025 has 28 days");
  EXPECT_EQ(calendar_date_problem("2024-04-31"), "April 2024 has 30 days");
  EXPECT_EQ(calendar_date_problem("2025-13-01"), "there is no month 13");
  EXPECT_EQ(calendar_date_problem("0000-06-01"), "there is no year 0000");
  EXPECT_EQ(calendar_date_problem("2025-06-01"), std::nullopt);
}

TEST(CalendarDate, ShapeIsFourTwoTwoDigits) {
  EXPECT_TRUE(has_date_shape("2025-99-99"));
  for (const char* text : {"2025-3-01", "25-03-01", "2025/03/01", "2025-03-01Z", "2025-03-0a", "",
                           "10/03/2025", "+2025-03-01"}) {
    EXPECT_FALSE(has_date_shape(text)) << text;
    EXPECT_FALSE(is_calendar_date(text)) << text;
  }
}

TEST(XmlText, AcceptsWhatXmlCanCarry) {
  EXPECT_EQ(xml_text_problem("plain, tab\t, newline\n, return\r, Côr, 漢字, 🙂"),
            std::nullopt);
  EXPECT_EQ(xml_text_problem(""), std::nullopt);
}

TEST(XmlText, RefusesControlCharactersAndBadUtf8) {
  EXPECT_NE(xml_text_problem(std::string("a\0b", 3)), std::nullopt);
  EXPECT_EQ(xml_text_problem("bell\x07"),
            "contains U+0007, which XML 1.0 cannot carry (of the control characters only tab, "
            "line feed and carriage return are allowed)");
  EXPECT_NE(xml_text_problem("\xEF\xBF\xBE"), std::nullopt);          // U+FFFE
  EXPECT_EQ(xml_text_problem("caf\xE9"), "invalid UTF-8 at byte 3");  // Windows-1252 é
  EXPECT_NE(xml_text_problem("\xED\xA0\x80"), std::nullopt);          // a UTF-16 surrogate
  EXPECT_NE(xml_text_problem("\xC0\xAF"), std::nullopt);              // overlong "/"
}

}  // namespace
}  // namespace opcat::schema
