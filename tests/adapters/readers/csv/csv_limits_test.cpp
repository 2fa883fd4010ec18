// Size limits: a hostile export (one 100 MB field, a line of a hundred million delimiters) ends
// in UnreadableInput soon after the limit, having read, and so held, no more than about that.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/readers/csv/csv_reader.hpp"
#include "csv_testing.hpp"

namespace opcat::adapters::testing {
namespace {
using ::testing::HasSubstr;
using Fields = std::vector<std::vector<std::string>>;

constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::size_t kHundredMB = 100'000'000;
// What may be in flight beyond a limit: the decoder's chunk and the parser's chunk.
constexpr std::size_t kSlack = 2 * 64 * 1024;

TEST(CsvLimits, AHundredMegabyteQuotedFieldFailsAtTheDefaultLimit) {
  GeneratedSource source("Name,Notes\nHillside,ok\nRiverside,\"", 'x', kHundredMB, "\"\n");
  const auto error = unreadable_from([&] { read_rows(source, {"Name"}); });
  EXPECT_EQ(error.locator(), "row 3");
  EXPECT_THAT(error.what(), HasSubstr("row 3: field 2 is larger than reader.max_field_bytes "
                                      "(16777216 bytes)"));
  // The reader stopped at the limit: it cannot hold more than it has read.
  EXPECT_LE(source.bytes_read(), 16 * kMiB + kSlack);
}

TEST(CsvLimits, AnUnquotedFieldIsLimitedAlike) {
  GeneratedSource source("A,B\n1,", '7', kHundredMB, "\n");
  const auto error =
      unreadable_from([&] { read_rows(source, {"A"}, "max_field_bytes = 1048576"); });
  EXPECT_EQ(error.locator(), "row 2");
  EXPECT_THAT(error.what(), HasSubstr("field 2 is larger than reader.max_field_bytes"));
  EXPECT_LE(source.bytes_read(), kMiB + kSlack);
}

TEST(CsvLimits, ALineOfDelimitersIsLimitedByTheRowLimit) {
  // Empty fields hold no bytes, but each delimiter counts, so the row stops at the limit.
  GeneratedSource source("A,B\n", ',', kHundredMB, "\n");
  const auto error = unreadable_from(
      [&] { read_rows(source, {"A"}, "max_field_bytes = 1024\nmax_row_bytes = 1048576"); });
  EXPECT_EQ(error.locator(), "row 2");
  EXPECT_THAT(error.what(), HasSubstr("the row is larger than reader.max_row_bytes (1048576"));
  EXPECT_LE(source.bytes_read(), kMiB + kSlack);
}

TEST(CsvLimits, AHeaderOfAHundredMillionColumnsIsRefusedAtTheRowLimit) {
  GeneratedSource source("", ',', kHundredMB, "\n");
  const auto error = unreadable_from(
      [&] { read_rows(source, {}, "max_field_bytes = 1024\nmax_row_bytes = 1048576"); });
  EXPECT_EQ(error.locator(), "row 1");
  EXPECT_THAT(error.what(), HasSubstr("max_row_bytes"));
  EXPECT_LE(source.bytes_read(), kMiB + kSlack);
}

TEST(CsvLimits, AHeaderWithinTheRowLimitMayStillNotBeEndlesslyWide) {
  GeneratedSource source("", ',', 70'000, "\nx\n");
  const auto error = unreadable_from([&] { read_rows(source, {}); });
  EXPECT_EQ(error.locator(), "row 1");
  EXPECT_THAT(error.what(), HasSubstr("the header has 70001 columns, more than 65536"));
}

TEST(CsvLimits, AreInclusive) {
  const std::string settings = "max_field_bytes = 4\nmax_row_bytes = 9";
  // Exactly 4 bytes per field and 4 + 1 + 4 = 9 per row: accepted.
  EXPECT_EQ(fields_of(read_rows("A,B\nabcd,\"ef\"\"g\"\n", {"A", "B"}, settings)),
            (Fields{{"abcd", "ef\"g"}}));
  EXPECT_THAT(unreadable_from([&] { read_rows("A,B\nabcde,x\n", {"A"}, settings); }).what(),
              HasSubstr("max_field_bytes"));
  EXPECT_THAT(unreadable_from([&] { read_rows("A,B,C\nabcd,e,fgh\n", {"A"}, settings); }).what(),
              HasSubstr("max_row_bytes"));
}

TEST(CsvLimits, CountFieldsPastTheHeaderToo) {
  // A ragged row's extra fields are not kept, yet they may not be endless.
  const auto error = unreadable_from(
      [] { read_rows("A\nx,yyyyyyyyyy\n", {"A"}, "max_field_bytes = 8\nmax_row_bytes = 64"); });
  EXPECT_EQ(error.locator(), "row 2");
  EXPECT_THAT(error.what(), HasSubstr("field 2 is larger"));
}

}  // namespace
}  // namespace opcat::adapters::testing
