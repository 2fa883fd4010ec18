// The CSV reader's text decoding: BOMs, UTF-8 validation naming the row, Windows-1252 and UTF-16
// converted to UTF-8, automatic detection, and characters split across chunk boundaries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "adapters/readers/csv/csv_reader.hpp"
#include "csv_testing.hpp"

namespace opcat::adapters::testing {
namespace {
using ::testing::HasSubstr;
using Fields = std::vector<std::vector<std::string>>;

// Windows-1252 bytes and what they are in UTF-8.
const std::string kLeftQuote1252 = "\x93", kRightQuote1252 = "\x94", kPound1252 = "\xA3",
                  kEuro1252 = "\x80";
const std::string kLeftQuote = "\u201C", kRightQuote = "\u201D", kPound = "\u00A3",
                  kEuro = "\u20AC";

TEST(CsvUtf8, AByteOrderMarkIsDropped) {
  // Were it kept, the first column would be "\uFEFFCSNumber" and exact binding would fail.
  const auto rows = read_rows(
      "\xEF\xBB\xBF"
      "CSNumber,Name\nCS1,Hillside\n",
      {"CSNumber"});
  EXPECT_EQ(fields_of(rows), (Fields{{"CS1"}}));
}

TEST(CsvUtf8, PassesEveryCharacterThrough) {
  const std::string text = "Caf\u00E9 \u2615 \U0001F600 \u00A3 \u20AC";
  EXPECT_EQ(fields_of(read_rows("Name\n" + text + "\n", {"Name"})), (Fields{{text}}));
}

struct InvalidUtf8 {
  std::string name;
  std::string bytes;
};
void PrintTo(const InvalidUtf8& invalid, std::ostream* out) {
  *out << invalid.name;
}

class CsvInvalidUtf8 : public ::testing::TestWithParam<InvalidUtf8> {};

TEST_P(CsvInvalidUtf8, IsUnreadableAtItsRowAfterTheRowsBefore) {
  StringSource source("Name,Town\nHillside,Leeds\nRiverside,York\nLakeside,X" + GetParam().bytes +
                      "Y\nlast,row\n");
  auto reader = open(source);
  // Rows before the bad one are read: the error is not raised early for the whole chunk.
  ASSERT_NE(reader->next(), nullptr);
  ASSERT_NE(reader->next(), nullptr);
  const auto error = unreadable_from([&] { reader->next(); });
  EXPECT_EQ(error.locator(), "row 4");
  EXPECT_THAT(error.what(), HasSubstr("row 4: invalid UTF-8"));
  EXPECT_THAT(error.what(), HasSubstr("windows-1252"));  // the likely fix
}

INSTANTIATE_TEST_SUITE_P(EachKind, CsvInvalidUtf8,
                         ::testing::Values(InvalidUtf8{"Windows1252Pound", "\xA3"},
                                           InvalidUtf8{"LoneContinuation", "\x80"},
                                           InvalidUtf8{"OverlongSlash", "\xC0\xAF"},
                                           InvalidUtf8{"OverlongThreeBytes", "\xE0\x80\xAF"},
                                           InvalidUtf8{"Surrogate", "\xED\xA0\x80"},
                                           InvalidUtf8{"BeyondUnicode", "\xF4\x90\x80\x80"},
                                           InvalidUtf8{"F5", "\xF5\x80\x80\x80"},
                                           InvalidUtf8{"CutShort", "\xE2\x82"},
                                           InvalidUtf8{"CutByTheDelimiter", "\xC3,"}),
                         [](const auto& info) { return info.param.name; });

TEST(CsvUtf8, AnErrorOnALaterLineOfAMultiLineRowNamesTheRowAndTheByte) {
  const auto error = unreadable_from([] { read_rows("A,B\n1,\"two\nlines \xE9t\xE9\"\n", {"A"}); });
  EXPECT_EQ(error.locator(), "row 2");
  EXPECT_THAT(error.what(),
              HasSubstr("invalid UTF-8 at byte offset 17: 0xE9 0x74 is not a character"));
}

TEST(CsvUtf8, ACharacterCutByTheEndOfTheFileIsUnreadable) {
  const auto error = unreadable_from([] { read_rows("A\nok\nx\xE2\x82", {"A"}); });
  EXPECT_EQ(error.locator(), "row 3");
  EXPECT_THAT(error.what(), HasSubstr("ends in the middle of a UTF-8 character"));
}

TEST(CsvUtf8, InvalidTextInTheHeaderIsUnreadableAtTheHeader) {
  const auto error = unreadable_from([] { read_rows("Na\xFFme\nx\n", {}); });
  EXPECT_EQ(error.locator(), "row 1");
}

TEST(CsvUtf8, InvalidTextInThePreambleIsUnreadableAtItsLine) {
  const auto error =
      unreadable_from([] { read_rows("Title\nSt\xE9phane\nA\nx\n", {}, "header_row = 3"); });
  EXPECT_EQ(error.locator(), "row 2");
}

TEST(CsvWindows1252, IsConvertedToUtf8) {
  const auto rows = read_rows("Name,Fee,Note\n" + kLeftQuote1252 + "Hillside" + kRightQuote1252 +
                                  "," + kPound1252 + "5," + kEuro1252 + "10\n",
                              {"Name", "Fee", "Note"}, "encoding = \"windows-1252\"");
  EXPECT_EQ(fields_of(rows),
            (Fields{{kLeftQuote + "Hillside" + kRightQuote, kPound + "5", kEuro + "10"}}));
}

TEST(CsvWindows1252, AByteThatIsNoCharacterIsUnreadableAtItsRow) {
  // 0x81 is one of the five bytes Windows-1252 leaves undefined.
  const auto error = unreadable_from(
      [] { read_rows("A\nok\nbad \x81 byte\n", {"A"}, "encoding = \"windows-1252\""); });
  EXPECT_EQ(error.locator(), "row 3");
  EXPECT_THAT(error.what(),
              HasSubstr("invalid Windows-1252 at byte offset 9: 0x81 is not a character"));
}

TEST(CsvEncoding, AByteOrderMarkOutranksTheDeclaredEncoding) {
  const auto rows = read_rows(
      "\xEF\xBB\xBF"
      "Name\n" +
          kPound + "\n",
      {"Name"}, "encoding = \"windows-1252\"");
  EXPECT_EQ(fields_of(rows), (Fields{{kPound}}));
}

TEST(CsvEncoding, InvalidUtf8AfterAUtf8ByteOrderMarkSaysWhatMadeItUtf8) {
  const auto error = unreadable_from([] {
    read_rows(
        "\xEF\xBB\xBF"
        "Name\n" +
            kPound1252 + "\n",
        {"Name"}, "encoding = \"windows-1252\"");
  });
  EXPECT_EQ(error.locator(), "row 2");
  EXPECT_THAT(error.what(), HasSubstr("starts with a UTF-8 byte order mark"));
}

class CsvUtf16 : public ::testing::TestWithParam<bool> {};

TEST_P(CsvUtf16, WithAByteOrderMarkIsConvertedToUtf8) {
  const bool little_endian = GetParam();
  // A pound sign (one unit), an emoji (a surrogate pair), CRLF line ends, a quoted newline.
  const std::string bytes = utf16(
      u"Name,Fee\r\n\"Hill\r\nside\",\u00A35 \U0001F600\r\nLakeside,\u20AC1\r\n", little_endian);
  for (const char* setting : {"encoding = \"utf-16\"", "encoding = \"auto\"", ""}) {
    const auto rows = read_rows(bytes, {"Name", "Fee"}, setting);
    EXPECT_EQ(fields_of(rows),
              (Fields{{"Hill\r\nside", kPound + "5 \U0001F600"}, {"Lakeside", kEuro + "1"}}))
        << setting;
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].locator, "row 4");
  }
}

TEST_P(CsvUtf16, AnUnpairedSurrogateIsUnreadableAtItsRow) {
  std::u16string text = u"A\r\nok\r\nx";
  text += static_cast<char16_t>(0xD800);
  text += u"y\r\n";
  const auto error = unreadable_from([&] { read_rows(utf16(text, GetParam()), {"A"}); });
  EXPECT_EQ(error.locator(), "row 3");
  EXPECT_THAT(error.what(), HasSubstr("invalid UTF-16"));
}

TEST_P(CsvUtf16, AnOddByteAtTheEndIsUnreadable) {
  const auto error =
      unreadable_from([&] { read_rows(utf16(u"A\nok\n", GetParam()) + "x", {"A"}); });
  EXPECT_EQ(error.locator(), "row 3");
  EXPECT_THAT(error.what(), HasSubstr("ends in the middle of a UTF-16"));
}

INSTANTIATE_TEST_SUITE_P(BothByteOrders, CsvUtf16, ::testing::Bool(),
                         [](const auto& info) { return std::string(info.param ? "LE" : "BE"); });

TEST(CsvUtf16Setting, RequiresAByteOrderMark) {
  const auto error =
      unreadable_from([] { read_rows(std::string("A\0\n\0", 4), {}, "encoding = \"utf-16\""); });
  EXPECT_EQ(error.locator(), "row 1");
  EXPECT_THAT(error.what(), HasSubstr("byte order mark"));
}

TEST(CsvAutoEncoding, TakesValidUtf8ForUtf8) {
  const auto rows = read_rows("Name\nCaf\u00E9 " + kPound + "\n", {"Name"}, "encoding = \"auto\"");
  EXPECT_EQ(fields_of(rows), (Fields{{"Caf\u00E9 " + kPound}}));
}

TEST(CsvAutoEncoding, TakesAnythingElseForWindows1252) {
  const auto rows =
      read_rows("Name\n" + kLeftQuote1252 + "Hillside" + kRightQuote1252 + " " + kPound1252 + "5\n",
                {"Name"}, "encoding = \"auto\"");
  EXPECT_EQ(fields_of(rows),
            (Fields{{kLeftQuote + "Hillside" + kRightQuote + " " + kPound + "5"}}));
}

TEST(CsvAutoEncoding, DecidesAtTheFirstNonAsciiByteHoweverLate) {
  // 200 KB of ASCII rows, several chunks, before the first Windows-1252 byte.
  std::string text = "Name\n";
  for (int i = 0; i < 20000; ++i) text += "Hillside\n";
  text += kPound1252 + "5\n";
  const auto rows = read_rows(text, {"Name"}, "encoding = \"auto\"");
  ASSERT_EQ(rows.size(), 20001u);
  EXPECT_EQ(rows.back().fields[0], kPound + "5");
  EXPECT_EQ(rows.back().locator, "row 20002");
}

TEST(CsvAutoEncoding, InvalidUtf8FarAfterUtf8IsUnreadableWithAHint) {
  // UTF-8 at the start settles the encoding; a Windows-1252 byte 100 KB later is an error.
  std::string text = "Name\nCaf\u00E9\n";
  for (int i = 0; i < 10000; ++i) text += "Riverside\n";
  text += "Caf\xE9\n";
  const auto error = unreadable_from([&] { read_rows(text, {"Name"}, "encoding = \"auto\""); });
  EXPECT_EQ(error.locator(), "row 10003");
  EXPECT_THAT(error.what(), HasSubstr("set reader.encoding"));
}

// --- Chunk boundaries: the same export read a byte at a time ---

struct Encoded {
  std::string name;
  std::string setting;
  std::string bytes;
};
void PrintTo(const Encoded& encoded, std::ostream* out) {
  *out << encoded.name;
}

const std::string kSplitText =
    "Name;Notes;Fee\r\n"
    "\"Hill\"\"side\";\"a;b\r\nc\";\u00A35\r\n"
    "Caf\u00E9 \U0001F600;\u201Cquoted\u201D;\u20AC7\r\n"
    "\r\n";
const Fields kSplitFields = {{"Hill\"side", "a;b\r\nc", "\u00A35"},
                             {"Caf\u00E9 \U0001F600", "\u201Cquoted\u201D", "\u20AC7"}};

class CsvChunkBoundaries : public ::testing::TestWithParam<Encoded> {};

TEST_P(CsvChunkBoundaries, DoNotMatter) {
  TrickleSource trickle(GetParam().bytes);
  const auto rows = read_rows(trickle, {"Name", "Notes", "Fee"}, GetParam().setting);
  EXPECT_EQ(fields_of(rows), kSplitFields);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].locator, "row 4");
}

INSTANTIATE_TEST_SUITE_P(
    EachEncoding, CsvChunkBoundaries,
    ::testing::Values(Encoded{"Utf8", "", kSplitText},
                      Encoded{"Utf8Bom", "", "\xEF\xBB\xBF" + kSplitText},
                      Encoded{"Auto", "encoding = \"auto\"", kSplitText},
                      Encoded{"Utf16LE", "encoding = \"utf-16\"",
                              utf16(u"Name;Notes;Fee\r\n\"Hill\"\"side\";\"a;b\r\nc\";\u00A35\r\n"
                                    u"Caf\u00E9 \U0001F600;\u201Cquoted\u201D;\u20AC7\r\n\r\n",
                                    true)},
                      Encoded{"Utf16BE", "encoding = \"utf-16\"",
                              utf16(u"Name;Notes;Fee\r\n\"Hill\"\"side\";\"a;b\r\nc\";\u00A35\r\n"
                                    u"Caf\u00E9 \U0001F600;\u201Cquoted\u201D;\u20AC7\r\n\r\n",
                                    false)}),
    [](const auto& info) { return info.param.name; });

TEST(CsvChunkBoundariesWindows1252, DoNotMatter) {
  const std::string bytes =
      "Name|Note\r\n\"a\r\nb\"|" + kLeftQuote1252 + "x" + kRightQuote1252 + kPound1252 + "\r\n";
  for (const char* setting : {"encoding = \"windows-1252\"", "encoding = \"auto\""}) {
    TrickleSource trickle(bytes);
    EXPECT_EQ(fields_of(read_rows(trickle, {"Name", "Note"}, setting)),
              (Fields{{"a\r\nb", kLeftQuote + "x" + kRightQuote + kPound}}))
        << setting;
  }
}

TEST(CsvChunkBoundariesErrors, StillNameTheRow) {
  TrickleSource trickle("A,B\r\n1,2\r\n3,\"x\r\n\xC3\r\n");
  const auto error = unreadable_from([&] { read_rows(trickle, {"A"}); });
  EXPECT_EQ(error.locator(), "row 3");
}

}  // namespace
}  // namespace opcat::adapters::testing
