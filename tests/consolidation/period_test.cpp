#include <gtest/gtest.h>

#include <stdexcept>

#include "gateway/consolidation/period.hpp"

namespace opcat::consolidation {
namespace {

TEST(Period, ParsesARange) {
  const Period period = parse_period("2025-04-01..2026-03-31");
  EXPECT_EQ(period.first, "2025-04-01");
  EXPECT_EQ(period.last, "2026-03-31");
  EXPECT_TRUE(period.contains("2026-03-31"));
  EXPECT_FALSE(period.contains("2026-04-01"));
  EXPECT_TRUE(period.overlaps("2025-01-01", "2025-04-01"));
  EXPECT_FALSE(period.overlaps("2025-01-01", "2025-03-31"));
}

TEST(Period, RefusesWhatIsNoPeriod) {
  EXPECT_THROW(parse_period("2025-04-01"), std::invalid_argument);
  EXPECT_THROW(parse_period("2025-04-01..2025-02-30"), std::invalid_argument);
  EXPECT_THROW(parse_period("2026-04-01..2025-03-31"), std::invalid_argument);
}

TEST(Period, TheNpmYearRunsFromAprilToMarch) {
  EXPECT_EQ(npm_year_containing("2025-06-30").to_string(), "2025-04-01..2026-03-31");
  EXPECT_EQ(npm_year_containing("2026-03-31").to_string(), "2025-04-01..2026-03-31");
  EXPECT_EQ(npm_year_containing("2025-04-01").to_string(), "2025-04-01..2026-03-31");
  EXPECT_EQ(npm_year_containing("2025-01-15").to_string(), "2024-04-01..2025-03-31");
  EXPECT_EQ(today_utc().size(), 10u);
}

}  // namespace
}  // namespace opcat::consolidation
