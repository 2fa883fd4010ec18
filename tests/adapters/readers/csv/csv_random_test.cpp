// Seeded random exports, full of what makes CSV hard (quotes, line breaks of three kinds inside
// and between rows, blank lines, multi-byte characters, ragged rows), read whole-chunk and a byte
// at a time: rows that fit a chunk and rows that straddle chunks take different paths in the
// parser, and both must give exactly what the generator wrote.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "csv_testing.hpp"

namespace opcat::adapters::testing {
namespace {

constexpr std::size_t kColumns = 4;

struct Generated {
  std::string text;
  std::vector<Row> rows;  // what reading it must give
};

class ExportGenerator {
 public:
  ExportGenerator(unsigned seed, char delimiter) : random_(seed), delimiter_(delimiter) {}

  Generated generate(std::size_t rows) {
    Generated result;
    result.text = "c0" + std::string(1, delimiter_) + "c1" + delimiter_ + "c2" + delimiter_ + "c3" +
                  line_end();
    std::size_t line = 2;
    for (std::size_t i = 0; i < rows; ++i) {
      while (chance(0.05)) {
        std::string blank = line_end();
        // After a CR, a LF would join it into one CRLF rather than end a blank line.
        if (result.text.back() == '\r' && blank == "\n") blank = "\r";
        result.text += blank;
        ++line;
      }
      Row row;
      row.locator = "row " + std::to_string(line);
      const std::size_t fields = chance(0.05) ? (chance(0.5) ? 3 : 5) : kColumns;
      for (std::size_t f = 0; f < fields; ++f) {
        if (f > 0) result.text += delimiter_;
        const std::string value = field_value();
        line += write_field(result.text, value);
        if (f < kColumns) row.fields.push_back(value);
      }
      while (row.fields.size() < kColumns) row.fields.push_back(kAbsent);
      if (fields != kColumns) {
        row.defect = row.locator + " has " + std::to_string(fields) + " fields, the header has 4";
      }
      const bool last = i + 1 == rows;
      if (!last || chance(0.5)) {
        result.text += line_end();
        ++line;
      }
      result.rows.push_back(std::move(row));
    }
    return result;
  }

 private:
  bool chance(double p) { return std::bernoulli_distribution(p)(random_); }

  std::string line_end() {
    static const char* const kEnds[] = {"\n", "\r\n", "\r"};
    return kEnds[std::uniform_int_distribution<int>(0, 2)(random_)];
  }

  std::string field_value() {
    const std::string pieces[] = {
        "a",  "b",    "Z",      " ",      "9",         std::string(1, delimiter_), "\"", "\r",
        "\n", "\r\n", "\u00E9", "\u20AC", "\U0001F600"};
    std::string value;
    const int length = std::uniform_int_distribution<int>(0, 12)(random_);
    for (int i = 0; i < length; ++i) {
      value +=
          pieces[std::uniform_int_distribution<std::size_t>(0, std::size(pieces) - 1)(random_)];
    }
    return value;
  }

  // Appends `value` as a field, quoted when it must be (or at random); returns the line breaks
  // it holds, which move the next row's line number on.
  std::size_t write_field(std::string& text, const std::string& value) {
    const bool must_quote =
        value.find_first_of(std::string("\"\r\n") + delimiter_) != std::string::npos;
    if (!must_quote && !chance(0.3)) {
      text += value;
      return 0;
    }
    std::size_t breaks = 0;
    text += '"';
    for (std::size_t i = 0; i < value.size(); ++i) {
      const char c = value[i];
      if (c == '"') text += '"';
      text += c;
      if (c == '\r' || (c == '\n' && (i == 0 || value[i - 1] != '\r'))) ++breaks;
    }
    text += '"';
    return breaks;
  }

  std::mt19937 random_;
  char delimiter_;
};

void expect_same_rows(const std::vector<Row>& actual, const std::vector<Row>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].locator, expected[i].locator) << "row index " << i;
    EXPECT_EQ(actual[i].defect, expected[i].defect) << expected[i].locator;
    EXPECT_EQ(actual[i].fields, expected[i].fields) << expected[i].locator;
  }
}

class CsvRandomExports : public ::testing::TestWithParam<unsigned> {};

TEST_P(CsvRandomExports, ReadTheSameWholeChunkAndByteByByte) {
  const char delimiter = ",;\t|"[GetParam() % 4];
  // Some 250 KB: several chunks, so that rows also straddle chunk boundaries in the
  // whole-chunk read.
  const Generated generated = ExportGenerator(GetParam(), delimiter).generate(5000);
  const std::vector<std::string> columns = {"c0", "c1", "c2", "c3"};
  expect_same_rows(read_rows(generated.text, columns), generated.rows);
  TrickleSource trickle(generated.text);
  expect_same_rows(read_rows(trickle, columns), generated.rows);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CsvRandomExports,
                         ::testing::Values(1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u));

}  // namespace
}  // namespace opcat::adapters::testing
