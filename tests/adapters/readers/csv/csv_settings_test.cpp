// The [reader] table of a CSV mapping: defaults, every key, and errors that name the key.
#include "adapters/readers/csv/csv_settings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "adapters/readers/csv/csv_reader.hpp"
#include "csv_testing.hpp"
#include "gateway/config/config.hpp"

namespace opcat::adapters::testing {
namespace {
using ::testing::HasSubstr;
using ::testing::StartsWith;

CsvSettings parsed(std::string_view toml_text) {
  const toml::table table = reader_table(toml_text);
  return parse_csv_settings(&table);
}

std::string config_error(std::string_view toml_text) {
  const toml::table table = reader_table(toml_text);
  try {
    configure_csv_reader(&table);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError for " << toml_text;
  return {};
}

TEST(CsvSettingsTest, DefaultsWithoutATable) {
  const CsvSettings settings = parse_csv_settings(nullptr);
  EXPECT_EQ(settings.delimiter, std::nullopt);
  EXPECT_EQ(settings.encoding, TextEncoding::utf8);
  EXPECT_EQ(settings.header_row, 1u);
  EXPECT_EQ(settings.max_field_bytes, 16u << 20);
  EXPECT_EQ(settings.max_row_bytes, 64u << 20);
}

TEST(CsvSettingsTest, ReadsEveryKey) {
  const CsvSettings settings = parsed(
      "delimiter = \";\"\nencoding = \"windows-1252\"\nheader_row = 3\n"
      "max_field_bytes = 1000\nmax_row_bytes = 5000\n");
  EXPECT_EQ(settings.delimiter, ';');
  EXPECT_EQ(settings.encoding, TextEncoding::windows1252);
  EXPECT_EQ(settings.header_row, 3u);
  EXPECT_EQ(settings.max_field_bytes, 1000u);
  EXPECT_EQ(settings.max_row_bytes, 5000u);
}

TEST(CsvSettingsTest, NamesEachEncodingAndDelimiter) {
  EXPECT_EQ(parsed("encoding = \"UTF-8\"").encoding, TextEncoding::utf8);
  EXPECT_EQ(parsed("encoding = \"utf-16\"").encoding, TextEncoding::utf16);
  EXPECT_EQ(parsed("encoding = \"auto\"").encoding, TextEncoding::automatic);
  EXPECT_EQ(parsed("delimiter = \"auto\"").delimiter, std::nullopt);
  EXPECT_EQ(parsed("delimiter = \"\\t\"").delimiter, '\t');
  EXPECT_EQ(parsed("delimiter = \"tab\"").delimiter, '\t');
  EXPECT_EQ(parsed("delimiter = \"|\"").delimiter, '|');
  EXPECT_EQ(parsed("delimiter = \",\"").delimiter, ',');
}

TEST(CsvSettingsTest, AnUnknownKeyIsNamedWithASuggestion) {
  const std::string message = config_error("delimiter = \";\"\ndelimeter = \";\"");
  EXPECT_THAT(message, StartsWith("reader.delimeter: unknown key"));
  EXPECT_THAT(message, HasSubstr("did you mean \"delimiter\"?"));
  EXPECT_THAT(message, HasSubstr("line 2"));
}

TEST(CsvSettingsTest, ABadDelimiterIsNamed) {
  for (const char* bad :
       {"delimiter = \":\"", "delimiter = \",,\"", "delimiter = \"\"", "delimiter = 44"}) {
    EXPECT_THAT(config_error(bad), StartsWith("reader.delimiter: ")) << bad;
  }
  EXPECT_THAT(config_error("delimiter = \":\""), HasSubstr("got \":\""));
}

TEST(CsvSettingsTest, ABadEncodingIsNamed) {
  const std::string message = config_error("encoding = \"latin-1\"");
  EXPECT_THAT(message, StartsWith("reader.encoding: must be \"utf-8\", \"windows-1252\""));
  EXPECT_THAT(message, HasSubstr("line 1"));
}

TEST(CsvSettingsTest, BadNumbersAreNamed) {
  EXPECT_THAT(config_error("header_row = 0"), StartsWith("reader.header_row: must be between 1"));
  EXPECT_THAT(config_error("header_row = \"2\""), StartsWith("reader.header_row: expected"));
  EXPECT_THAT(config_error("max_field_bytes = 0"), StartsWith("reader.max_field_bytes: "));
  EXPECT_THAT(config_error("max_row_bytes = 2147483648"), StartsWith("reader.max_row_bytes: "));
}

TEST(CsvSettingsTest, TheRowLimitMayNotBeBelowTheFieldLimit) {
  EXPECT_THAT(config_error("max_field_bytes = 100\nmax_row_bytes = 99"),
              StartsWith("reader.max_row_bytes: "));
  // Only the field limit raised past the default row limit: that is the key to blame.
  EXPECT_THAT(config_error("max_field_bytes = 100000000"), StartsWith("reader.max_field_bytes: "));
}

}  // namespace
}  // namespace opcat::adapters::testing
