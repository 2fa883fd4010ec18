// The CSV reader on the shapes of delimited text that members really send: RFC 4180 quoting,
// four delimiters, three kinds of line end, blank lines, preambles, ragged rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "adapters/readers/csv/csv_reader.hpp"
#include "csv_testing.hpp"

namespace opcat::adapters::testing {
namespace {
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Fields = std::vector<std::vector<std::string>>;

std::vector<std::string> locators(const std::vector<Row>& rows) {
  std::vector<std::string> result;
  for (const auto& row : rows) result.push_back(row.locator);
  return result;
}

// --- Delimiters ---

struct Delimiter {
  std::string setting;  // as a mapping writes it
  char byte;
};
void PrintTo(const Delimiter& delimiter, std::ostream* out) {
  *out << delimiter.setting;
}

class CsvDelimiter : public ::testing::TestWithParam<Delimiter> {
 protected:
  // A header and a row whose second field holds the three other candidates, so that splitting
  // on any delimiter but the right one gives different fields.
  std::string export_text() const {
    const char d = GetParam().byte;
    std::string others;
    for (char c : {',', ';', '\t', '|'}) {
      if (c != d) others += c;
    }
    return std::string("Name") + d + "Notes" + d + "Beds\n" + "Hillside" + d + "a" + others + "b" +
           d + "12\n";
  }
};

TEST_P(CsvDelimiter, SplitsOnTheConfiguredDelimiterOnly) {
  const std::string setting = GetParam().setting == "\t" ? "\\t" : GetParam().setting;
  const auto rows =
      read_rows(export_text(), {"Name", "Notes", "Beds"}, "delimiter = \"" + setting + "\"");
  std::string others;
  for (char c : {',', ';', '\t', '|'}) {
    if (c != GetParam().byte) others += c;
  }
  EXPECT_EQ(fields_of(rows), (Fields{{"Hillside", "a" + others + "b", "12"}}));
  EXPECT_EQ(rows.at(0).defect, std::nullopt);
}

TEST_P(CsvDelimiter, IsSniffedFromTheHeaderByDefault) {
  const auto rows = read_rows(export_text(), {"Name", "Notes", "Beds"});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields[0], "Hillside");
  EXPECT_EQ(rows[0].fields[2], "12");
}

INSTANTIATE_TEST_SUITE_P(EachDelimiter, CsvDelimiter,
                         ::testing::Values(Delimiter{",", ','}, Delimiter{";", ';'},
                                           Delimiter{"\t", '\t'}, Delimiter{"tab", '\t'},
                                           Delimiter{"|", '|'}),
                         [](const auto& info) {
                           switch (info.param.byte) {
                             case ',':
                               return std::string("comma");
                             case ';':
                               return std::string("semicolon");
                             case '|':
                               return std::string("pipe");
                             default:
                               return "tab_" + std::to_string(info.index);
                           }
                         });

TEST(CsvSniffing, CountsDelimitersOutsideQuotesOnly) {
  // Six commas inside quotes, two semicolons outside.
  const auto rows = read_rows("\"a,b,c\";\"d,e,f,g\";h\n1;2;3\n", {"a,b,c", "d,e,f,g", "h"},
                              "delimiter = \"auto\"");
  EXPECT_EQ(fields_of(rows), (Fields{{"1", "2", "3"}}));
}

TEST(CsvSniffing, LooksAtTheHeaderLineOnly) {
  // The data rows are full of semicolons; the header decides.
  const auto rows = read_rows("Name|Notes\nx;y;z|a;b;c\n", {"Name", "Notes"});
  EXPECT_EQ(fields_of(rows), (Fields{{"x;y;z", "a;b;c"}}));
}

TEST(CsvSniffing, FallsBackToCommaForASingleColumn) {
  const auto rows = read_rows("Name\nSmith, J\n", {"Name"});
  EXPECT_EQ(rows.at(0).defect, "row 2 has 2 fields, the header has 1");
}

TEST(CsvSniffing, LooksAtTheHeaderAfterThePreamble) {
  const auto rows = read_rows("Exported; 1 March; 2025;;;\nName|Beds\nHillside|12\n",
                              {"Name", "Beds"}, "header_row = 2");
  EXPECT_EQ(fields_of(rows), (Fields{{"Hillside", "12"}}));
}

// --- Quoting ---

TEST(CsvQuoting, KeepsDelimitersAndEveryKindOfLineBreakInsideQuotes) {
  const auto rows = read_rows(
      "Name,Notes\n"
      "\"Hillside, North\",\"line 1\nline 2\"\n"
      "\"CRLF\r\ninside\",\"lone\rCR\"\n"
      "last,row\n",
      {"Name", "Notes"});
  EXPECT_EQ(fields_of(rows), (Fields{{"Hillside, North", "line 1\nline 2"},
                                     {"CRLF\r\ninside", "lone\rCR"},
                                     {"last", "row"}}));
  // Rows are where they start: lines 2, 4 (after the two-line row) and 7 (the CRLF and the CR
  // each ended one line).
  EXPECT_THAT(locators(rows), ElementsAre("row 2", "row 4", "row 7"));
}

TEST(CsvQuoting, ADoubledQuoteStandsForOne) {
  const auto rows = read_rows(
      "Quote,Only,Empty,Pair\n"
      "\"she said \"\"no\"\"\",\"\"\"\",\"\",\"\"\"\"\"\"\n",
      {"Quote", "Only", "Empty", "Pair"});
  EXPECT_EQ(fields_of(rows), (Fields{{"she said \"no\"", "\"", "", "\"\""}}));
  EXPECT_EQ(rows.at(0).defect, std::nullopt);
}

TEST(CsvQuoting, AQuoteInsideAnUnquotedFieldIsText) {
  const auto rows = read_rows("Item,Size\nscreen,5\" wide\n", {"Item", "Size"});
  EXPECT_EQ(fields_of(rows), (Fields{{"screen", "5\" wide"}}));
  EXPECT_EQ(rows.at(0).defect, std::nullopt);
}

TEST(CsvQuoting, TextAfterAClosingQuoteIsADefectAndReadingGoesOn) {
  const auto rows = read_rows("A,B\nx,\"ab\"cd\n1,2\n", {"A", "B"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].defect, "row 2: field 2 has text after its closing quote");
  EXPECT_EQ(rows[1].defect, std::nullopt);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"1", "2"}));
}

TEST(CsvQuoting, AQuotedLastFieldNeedsNoLineEnd) {
  EXPECT_EQ(fields_of(read_rows("A,B\n1,\"x, y\"", {"A", "B"})), (Fields{{"1", "x, y"}}));
}

TEST(CsvQuoting, AnUnterminatedQuoteNamesTheRowWhereItOpened) {
  StringSource reader_source("Name,Notes\nHillside,ok\nRiverside,\"never closed\nmore\n");
  auto reader = open(reader_source);
  ASSERT_NE(reader->next(), nullptr);  // row 2 stands
  const auto error = unreadable_from([&] { reader->next(); });
  EXPECT_EQ(error.locator(), "row 3");
  EXPECT_THAT(error.what(), HasSubstr("row 3: the quote that opens field 2 is never closed"));
  // The file is unusable from there on: asking again gives the same answer, not a guess.
  EXPECT_EQ(unreadable_from([&] { reader->next(); }).locator(), "row 3");
}

TEST(CsvQuoting, AnUnterminatedQuoteOnALaterLineOfTheRowSaysWhichLine) {
  const auto error = unreadable_from([] { read_rows("A,B\n\"two\nlines\",\"open\n", {"A"}); });
  EXPECT_EQ(error.locator(), "row 2");
  EXPECT_THAT(error.what(), HasSubstr("field 2 is never closed (it opens on line 3)"));
}

// --- Line ends and blank lines ---

class CsvLineEnd : public ::testing::TestWithParam<std::string> {};

TEST_P(CsvLineEnd, EndsRowsAndCountsLines) {
  const std::string eol = GetParam();
  const auto rows = read_rows("A,B" + eol + "1,2" + eol + "3,4" + eol + "5,6" + eol, {"A", "B"});
  EXPECT_EQ(fields_of(rows), (Fields{{"1", "2"}, {"3", "4"}, {"5", "6"}}));
  EXPECT_THAT(locators(rows), ElementsAre("row 2", "row 3", "row 4"));
}

INSTANTIATE_TEST_SUITE_P(
    EachLineEnd, CsvLineEnd, ::testing::Values("\n", "\r\n", "\r"), [](const auto& info) {
      return std::string(info.param == "\n" ? "LF" : info.param == "\r\n" ? "CRLF" : "CR");
    });

TEST(CsvLineEnds, MayBeMixedInOneFile) {
  const auto rows = read_rows("A\r\n1\n2\r3\r\n4", {"A"});
  EXPECT_EQ(fields_of(rows), (Fields{{"1"}, {"2"}, {"3"}, {"4"}}));
  EXPECT_THAT(locators(rows), ElementsAre("row 2", "row 3", "row 4", "row 5"));
}

TEST(CsvBlankLines, AreSkippedButCountInRowNumbers) {
  const auto rows = read_rows("A,B\n\n1,2\r\n\r\n\n3,4\n\n\r\n\r", {"A", "B"});
  EXPECT_EQ(fields_of(rows), (Fields{{"1", "2"}, {"3", "4"}}));
  EXPECT_THAT(locators(rows), ElementsAre("row 3", "row 6"));
}

TEST(CsvBlankLines, ALineOfDelimitersIsARowOfEmptyFields) {
  const auto rows = read_rows("A,B,C\n,,\n", {"A", "B", "C"});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(rows[0].defect, std::nullopt);
}

TEST(CsvFields, EmptyFieldsAndATrailingEmptyFieldArePresent) {
  const auto rows = read_rows("A,B,C\n1,,\n", {"A", "B", "C"});
  EXPECT_EQ(fields_of(rows), (Fields{{"1", "", ""}}));
}

// --- Header ---

TEST(CsvHeader, NamesAreTrimmed) {
  StringSource source(" Name ,\tBeds\t\nHillside,12\n");
  auto reader = open(source, "delimiter = \",\"");  // the tabs would win the sniffing
  FieldPath beds;
  beds.path = "Beds";
  const Selector selector = reader->bind(beds);
  EXPECT_EQ(reader->source_field(selector), "Beds");
  EXPECT_EQ(fields_of(read_rows(*reader, {"Name"})), (Fields{{"Hillside"}}));
}

TEST(CsvHeader, HeaderRowSkipsAPreambleWhateverItHolds) {
  // An unbalanced quote and a blank line in the preamble must not matter.
  const auto rows = read_rows(
      "Care Inspectorate \"datastore\r\nExtracted 01/03/2025\r\n\r\nCSNumber,ServiceName\r\n"
      "CS2003001025,Hillside\r\n",
      {"CSNumber", "ServiceName"}, "header_row = 4");
  EXPECT_EQ(fields_of(rows), (Fields{{"CS2003001025", "Hillside"}}));
  EXPECT_THAT(locators(rows), ElementsAre("row 5"));
}

TEST(CsvHeader, AFileThatEndsBeforeTheHeaderRowIsUnreadable) {
  const auto error = unreadable_from([] { read_rows("Title\nA,B\n", {}, "header_row = 5"); });
  EXPECT_EQ(error.locator(), "row 5");
  EXPECT_THAT(error.what(), HasSubstr("reader.header_row"));
}

TEST(CsvHeader, ABlankHeaderRowIsUnreadable) {
  const auto error = unreadable_from([] { read_rows("\nA,B\n1,2\n", {}); });
  EXPECT_EQ(error.locator(), "row 1");
  EXPECT_THAT(error.what(), HasSubstr("row 1, the header row, is blank"));
}

TEST(CsvHeader, AnEmptyFileIsUnreadable) {
  for (const std::string text : {"", "\xEF\xBB\xBF", "\n\n"}) {
    const auto error = unreadable_from([&] { read_rows(text, {}); });
    EXPECT_EQ(error.locator(), "row 1") << text;
  }
  EXPECT_THAT(unreadable_from([] { read_rows("", {}); }).what(), HasSubstr("empty"));
}

TEST(CsvHeader, AHeaderOnlyFileHasNoRows) {
  EXPECT_TRUE(read_rows("A,B\r\n", {"A", "B"}).empty());
}

// --- Ragged rows ---

TEST(CsvRaggedRows, AreReportedWithTheirRowAndReadingGoesOn) {
  const auto rows = read_rows(
      "Name,Beds,Region\n"
      "Hillside,12,North\n"
      "\"Two\nlines\",3\n"         // rows 3-4: two fields
      "Riverside,4,South,extra\n"  // row 5: four fields
      "Lakeside,5,West\n",
      {"Name", "Beds", "Region"});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].defect, std::nullopt);
  EXPECT_EQ(rows[1].defect, "row 3 has 2 fields, the header has 3");
  EXPECT_EQ(rows[2].defect, "row 5 has 4 fields, the header has 3");
  EXPECT_EQ(rows[3].defect, std::nullopt);
  // Nothing is guessed: a short row lacks the column, a long one keeps the header's columns.
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"Two\nlines", "3", kAbsent}));
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"Riverside", "4", "South"}));
  EXPECT_EQ(rows[3].fields, (std::vector<std::string>{"Lakeside", "5", "West"}));
  EXPECT_EQ(rows[3].locator, "row 6");
}

TEST(CsvRaggedRows, OneFieldIsSingular) {
  const auto rows = read_rows("A,B\nx\n", {"A"});
  EXPECT_EQ(rows.at(0).defect, "row 2 has 1 field, the header has 2");
}

// --- Rows as SourceNodes ---

TEST(CsvRows, OutliveLaterRowsAndTheReader) {
  StringSource source("A,B\n1,one\n2,two\n3,three\n");
  auto reader = open(source);
  FieldPath b;
  b.path = "B";
  const Selector selector = reader->bind(b);
  std::vector<std::unique_ptr<SourceNode>> rows;
  while (auto row = reader->next()) rows.push_back(std::move(row));
  reader.reset();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]->value(selector), "one");
  EXPECT_EQ(rows[1]->value(selector), "two");
  EXPECT_EQ(rows[2]->value(selector), "three");
}

TEST(CsvRows, RecycledBuffersNeverLeakAnEarlierRowsValues) {
  // Each row is dropped before the next is read, so buffers are reused: a short row after a
  // long one must not show the long one's tail.
  StringSource source("A,B\nlong value here,second long value\nx,\ny,z\n");
  auto reader = open(source);
  FieldPath a, b;
  a.path = "A";
  b.path = "B";
  const Selector sa = reader->bind(a), sb = reader->bind(b);
  std::vector<std::pair<std::string, std::string>> seen;
  while (auto row = reader->next()) {
    seen.emplace_back(std::string(*row->value(sa)), std::string(*row->value(sb)));
  }
  EXPECT_THAT(
      seen, ElementsAre(std::pair<std::string, std::string>{"long value here", "second long value"},
                        std::pair<std::string, std::string>{"x", ""},
                        std::pair<std::string, std::string>{"y", "z"}));
}

TEST(CsvRows, HaveOneValueAndNoChildren) {
  StringSource source("A,B\n1,2\n");
  auto reader = open(source);
  FieldPath b;
  b.path = "B";
  const Selector selector = reader->bind(b);
  const auto row = reader->next();
  ASSERT_NE(row, nullptr);
  EXPECT_THAT(row->values(selector), ElementsAre("2"));
  EXPECT_TRUE(row->children(selector).empty());
  EXPECT_EQ(reader->next(), nullptr);
  EXPECT_EQ(reader->next(), nullptr);  // the end stays the end
}

}  // namespace
}  // namespace opcat::adapters::testing
