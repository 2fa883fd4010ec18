// The XML reader on broken and hostile exports: each ends in UnreadableInput with a message the
// member can act on, never reads a file named in the document, never holds more than one record.
// Every document here is synthetic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "adapters/readers/xml/untrusted_xml.hpp"
#include "xml_test_support.hpp"

namespace opcat::adapters {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RepeatingSource;
using testing::xml_reader;

constexpr std::string_view kRecordPath = R"(record = "/inspections/inspection")";

struct Outcome {
  std::vector<std::string> ids;  // of the records yielded before the failure
  std::string locator;           // of the UnreadableInput, "" when none was thrown
  std::string message;
};

// Reads every record, collecting @id, until the end or an UnreadableInput.
Outcome read_all(Reader& reader) {
  Outcome outcome;
  const Selector id = reader.bind(FieldPath{"@id"});
  try {
    while (auto record = reader.next()) outcome.ids.emplace_back(record->value(id).value_or(""));
  } catch (const UnreadableInput& e) {
    outcome.locator = e.locator();
    outcome.message = e.what();
  }
  return outcome;
}

Outcome read_all(const std::string& document, std::string_view settings = kRecordPath) {
  StringSource source(document);
  auto reader = xml_reader(source, settings);
  return read_all(*reader);
}

// A temporary file whose content must never show up anywhere.
class SecretFile {
 public:
  SecretFile() {
    path_ = std::filesystem::temp_directory_path() /
            ("opcat-xml-secret-" + std::to_string(::getpid()) + ".txt");
    std::ofstream(path_) << kMarker;
  }
  ~SecretFile() { std::filesystem::remove(path_); }
  std::string url() const { return "file://" + path_.string(); }
  static constexpr const char* kMarker = "SECRET-MARKER-7f3a";

 private:
  std::filesystem::path path_;
};

TEST(XmlReaderHostile, MalformedXmlMidFileKeepsTheRecordsBeforeAndNamesTheLine) {
  std::string document = "<inspections>\n";
  for (int i = 1; i <= 300; ++i) {
    if (i == 200) {
      document += "  <inspection id=\"200\"><name>Broken</nme></inspection>\n";  // line 201
    } else {
      document += "  <inspection id=\"" + std::to_string(i) + "\"><name>HMP " + std::to_string(i) +
                  "</name></inspection>\n";
    }
  }
  document += "</inspections>\n";
  StringSource source(document);
  auto reader = xml_reader(source, kRecordPath);
  const Outcome outcome = read_all(*reader);
  // libxml2 parses a little ahead of the record it hands out, so the error may surface a few
  // records early; everything well before it must have been yielded, nothing after it.
  ASSERT_GE(outcome.ids.size(), 100u);
  EXPECT_LT(outcome.ids.size(), 200u);
  EXPECT_EQ(outcome.ids.front(), "1");
  EXPECT_EQ(outcome.locator, "line 201");
  EXPECT_THAT(outcome.message, HasSubstr("line 201"));
  EXPECT_THAT(outcome.message, HasSubstr("nme"));
  EXPECT_THROW(reader->next(), UnreadableInput);  // and it stays unreadable
}

TEST(XmlReaderHostile, LibxmlErrorsNeverReachStderr) {
  ::testing::internal::CaptureStderr();
  read_all("<inspections><inspection id=\"1\"></inspections>");
  read_all("<inspections><inspection>&undefined;</inspection></inspections>");
  read_all("<inspections><x:inspection/></inspections>");
  read_all("<?xml version=\"1.0\" encoding=\"no-such-encoding\"?><inspections/>");
  read_all("<!DOCTYPE inspections SYSTEM \"http://example.invalid/x.dtd\"><inspections/>");
  StringSource source("<inspections><inspection><a/></inspection></inspections>");
  auto reader = xml_reader(source, kRecordPath);
  const Selector failing = reader->bind(FieldPath{"a[no-such-function()]"});
  EXPECT_THROW(reader->next()->value(failing), std::invalid_argument);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(XmlReaderHostile, ExternalEntityIsRefusedAndTheFileNeverRead) {
  const SecretFile secret;
  for (const std::string& target : {secret.url(), std::string("file:///etc/passwd")}) {
    const std::string document =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE inspections [\n"
        "  <!ENTITY xxe SYSTEM \"" +
        target +
        "\">\n]>\n"
        "<inspections><inspection id=\"&xxe;\">&xxe;</inspection>"
        "</inspections>\n";
    const Outcome outcome = read_all(document);
    EXPECT_TRUE(outcome.ids.empty());
    EXPECT_THAT(outcome.message, HasSubstr("DOCTYPE declarations are not accepted"));
    EXPECT_THAT(outcome.message, Not(HasSubstr(SecretFile::kMarker)));
    EXPECT_THAT(outcome.message, Not(HasSubstr("root:")));
  }
}

TEST(XmlReaderHostile, ExternalParameterEntityAndExternalDtdAreRefused) {
  const SecretFile secret;
  const Outcome parameter = read_all("<!DOCTYPE inspections [<!ENTITY % p SYSTEM \"" +
                                     secret.url() + "\"> %p;]><inspections/>");
  EXPECT_THAT(parameter.message, HasSubstr("DOCTYPE declarations are not accepted"));
  const Outcome external_dtd =
      read_all("<!DOCTYPE inspections SYSTEM \"" + secret.url() + "\"><inspections/>");
  EXPECT_THAT(external_dtd.message, HasSubstr("DOCTYPE declarations are not accepted"));
}

TEST(XmlReaderHostile, TheEntityLoaderRefusesInsideAReaderAndDefersOutside) {
  const SecretFile secret;
  StringSource source("<inspections/>");
  auto reader = xml_reader(source, kRecordPath);  // installs the loader
  reader->next();
  XmlError sink;
  {
    const UntrustedXmlScope scope(sink);
    EXPECT_EQ(xmlGetExternalEntityLoader()(secret.url().c_str(), nullptr, nullptr), nullptr);
  }
  EXPECT_THAT(sink.message, HasSubstr("external entities are not accepted"));
  // Outside a reader, libxml2 users that load their own trusted files (the XSD validator and
  // its includes) keep working.
  const std::filesystem::path trusted =
      std::filesystem::temp_directory_path() /
      ("opcat-xml-trusted-" + std::to_string(::getpid()) + ".xml");
  std::ofstream(trusted) << "<schema-part/>";
  xmlDocPtr doc = xmlReadFile(trusted.c_str(), nullptr, XML_PARSE_NONET);
  EXPECT_NE(doc, nullptr);
  xmlFreeDoc(doc);
  std::filesystem::remove(trusted);
}

TEST(XmlReaderHostile, BillionLaughsIsRefusedBeforeAnyExpansion) {
  std::string document =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE inspections [\n"
      "  <!ENTITY lol \"lol\">\n";
  for (int level = 1; level <= 9; ++level) {
    const std::string previous = level == 1 ? "lol" : "lol" + std::to_string(level - 1);
    document += "  <!ENTITY lol" + std::to_string(level) + " \"";
    for (int i = 0; i < 10; ++i) document += "&" + previous + ";";
    document += "\">\n";
  }
  document += "]>\n<inspections><inspection id=\"&lol9;\">&lol9;</inspection></inspections>\n";
  const Outcome outcome = read_all(document);
  EXPECT_TRUE(outcome.ids.empty());
  EXPECT_THAT(outcome.message, HasSubstr("DOCTYPE declarations are not accepted"));
}

TEST(XmlReaderHostile, ADoctypeAloneIsRefused) {
  const Outcome outcome = read_all(
      "<?xml version=\"1.0\"?>\n<!DOCTYPE inspections>\n"
      "<inspections><inspection id=\"1\"/></inspections>\n");
  EXPECT_TRUE(outcome.ids.empty());
  EXPECT_THAT(outcome.message, HasSubstr("DOCTYPE declarations are not accepted"));
  EXPECT_EQ(outcome.locator, "<!DOCTYPE>");
}

TEST(XmlReaderHostile, EntitiesWithoutADoctypeAreErrors) {
  const Outcome outcome =
      read_all("<inspections><inspection id=\"1\">&xxe;</inspection></inspections>");
  EXPECT_TRUE(outcome.ids.empty());
  EXPECT_THAT(outcome.message, HasSubstr("xxe"));
}

TEST(XmlReaderHostile, ARecordOverTheLimitStopsReadingAtTheLimit) {
  // A 4 MiB record, 64 times the limit.
  RepeatingSource source("<inspections>\n<inspection id=\"1\"/>\n<inspection id=\"2\">",
                         "<score test=\"safety\">2</score>", 140000, "</inspection></inspections>");
  auto reader =
      xml_reader(source, "record = \"/inspections/inspection\"\nmax_record_bytes = 65536");
  const Outcome outcome = read_all(*reader);
  EXPECT_EQ(outcome.ids, std::vector<std::string>{"1"});
  EXPECT_EQ(outcome.locator, "/inspections/inspection[2]");
  EXPECT_THAT(outcome.message, HasSubstr("reader.max_record_bytes (65536 bytes)"));
  EXPECT_LE(source.served(), 65536u + 16384u);  // the record's bytes and libxml2's read-ahead
}

TEST(XmlReaderHostile, AHugeNodeOffTheRecordPathIsBoundedToo) {
  RepeatingSource text("<inspections><notes>", "lorem ipsum ", 350000, "</notes></inspections>");
  auto text_reader =
      xml_reader(text, "record = \"/inspections/inspection\"\nmax_record_bytes = 65536");
  EXPECT_THAT(read_all(*text_reader).message, HasSubstr("max_record_bytes"));
  EXPECT_LE(text.served(), 65536u + 16384u);

  RepeatingSource tag("<inspections note=\"", "lorem ipsum ", 350000, "\"/>");
  auto tag_reader =
      xml_reader(tag, "record = \"/inspections/inspection\"\nmax_record_bytes = 65536");
  EXPECT_THAT(read_all(*tag_reader).message, HasSubstr("max_record_bytes"));
  EXPECT_LE(tag.served(), 65536u + 16384u);
}

TEST(XmlReaderHostile, TheLimitIsPerRecordNotPerFile) {
  const std::string record = "<inspection id=\"x\"><name>HMP Somewhere</name></inspection>\n";
  // About 2.4 MB, 37 times the limit.
  RepeatingSource source("<inspections>\n", record, 40000, "</inspections>\n");
  auto reader =
      xml_reader(source, "record = \"/inspections/inspection\"\nmax_record_bytes = 65536");
  const Outcome outcome = read_all(*reader);
  EXPECT_EQ(outcome.message, "");
  EXPECT_EQ(outcome.ids.size(), 40000u);
}

TEST(XmlReaderHostile, ExcessiveNestingIsRefused) {
  std::string document = "<inspections><inspection id=\"1\">";
  for (int i = 0; i < 5000; ++i) document += "<a>";
  for (int i = 0; i < 5000; ++i) document += "</a>";
  document += "</inspection></inspections>";
  const Outcome outcome = read_all(document);
  EXPECT_TRUE(outcome.ids.empty());
  EXPECT_THAT(outcome.message, HasSubstr("depth"));
}

TEST(XmlReaderHostile, NamespaceErrorsAreNotIgnored) {
  const Outcome outcome = read_all("<inspections>\n<x:inspection id=\"1\"/></inspections>");
  EXPECT_TRUE(outcome.ids.empty());
  EXPECT_THAT(outcome.message, HasSubstr("line 2"));
  EXPECT_THAT(outcome.message, HasSubstr("x"));
}

TEST(XmlReaderHostile, EmptyTruncatedAndTrailingGarbageAreUnreadable) {
  EXPECT_EQ(read_all("").message, "the file is empty");
  const Outcome truncated =
      read_all("<inspections>\n<inspection id=\"1\"/>\n<inspection id=\"2\">");
  EXPECT_NE(truncated.message, "");
  EXPECT_THAT(read_all("<inspections/>\n<inspections/>").message, HasSubstr("line 2"));
  constexpr char kBinary[] = "\x00\x01\x02 binary, not XML";
  EXPECT_NE(read_all(std::string(kBinary, sizeof kBinary - 1)).message, "");
}

TEST(XmlReaderHostile, BytesThatAreNotTheDeclaredEncodingAreUnreadable) {
  const Outcome outcome = read_all(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<inspections><inspection id=\"1\"><name>Caf\xE9</name></inspection></inspections>");
  EXPECT_TRUE(outcome.ids.empty());
  EXPECT_THAT(outcome.message, HasSubstr("line 2"));
}

TEST(XmlReaderHostile, ARootOtherThanTheRecordPathsIsUnreadable) {
  const Outcome outcome = read_all("<visits><visit id=\"1\"/></visits>");
  EXPECT_THAT(outcome.message,
              HasSubstr("the root element is <visits> but reader.record starts at <inspections>"));
}

TEST(XmlReaderHostile, AFailingSourceThrowsItsOwnError) {
  testing::FailingSource source("<inspections>\n<inspection id=\"1\"/>\n");
  auto reader = xml_reader(source, kRecordPath);
  try {
    while (reader->next()) {
    }
    FAIL() << "expected the source's error";
  } catch (const UnreadableInput&) {
    FAIL() << "a failing source is not the member's malformed file";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("connection reset"));
  }
}

}  // namespace
}  // namespace opcat::adapters
