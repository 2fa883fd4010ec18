// The XML reader on well-formed exports: records by path, values by XPath, locators, encodings.
// Every document here is synthetic.
#include "adapters/readers/xml/xml_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iconv.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "xml_test_support.hpp"

namespace opcat::adapters {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::locators_and_values;
using testing::TricklingSource;
using testing::xml_reader;

constexpr std::string_view kRecordPath = R"(record = "/inspections/inspection")";

// Line numbers matter: locators name them.
const std::string kInspections = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- synthetic HMIP-shaped export -->
<inspections>
  <inspection id="HMIP-2024-001" region="north">
    <establishment>
      HMP Leeds
    </establishment>
    <scores>
      <score test="safety">2</score>
      <score test="respect">3</score>
    </scores>
    <recommendations>
      <recommendation id="R1" priority="key"><text>  Reduce violence.  </text><status>accepted</status></recommendation>
      <recommendation id="R2">
        <text>Improve time out of cell.</text>
        <actions><action>Audit regime</action><action>Recruit staff</action></actions>
      </recommendation>
    </recommendations>
    <empty/>
  </inspection>
  <note>not a record</note>
  <inspection id="HMIP-2024-002"><establishment><![CDATA[HMYOI Wetherby & Keppel]]></establishment></inspection>
  <inspection id="HMIP-2024-003"/>
</inspections>
)";

std::unique_ptr<Reader> inspections_reader(StringSource& source) {
  return xml_reader(source, kRecordPath);
}

TEST(XmlReader, YieldsEachElementAtTheRecordPathWithItsPositionAndLine) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  EXPECT_THAT(locators_and_values(*reader, "@id"),
              ElementsAre("/inspections/inspection[1] (line 4)=HMIP-2024-001",
                          "/inspections/inspection[2] (line 22)=HMIP-2024-002",
                          "/inspections/inspection[3] (line 23)=HMIP-2024-003"));
  EXPECT_EQ(reader->next(), nullptr);  // the end stays the end
}

TEST(XmlReader, ReadsAttributesAndTextWithSurroundingWhitespaceStripped) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  const Selector region = reader->bind(FieldPath{"@region"});
  const Selector establishment = reader->bind(FieldPath{"establishment"});
  const Selector first_text = reader->bind(FieldPath{"recommendations/recommendation[1]/text"});
  auto record = reader->next();
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->value(region), "north");
  EXPECT_EQ(record->value(establishment), "HMP Leeds");
  EXPECT_EQ(record->value(first_text), "Reduce violence.");
}

TEST(XmlReader, CdataIsText) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  const Selector establishment = reader->bind(FieldPath{"establishment"});
  reader->next();
  auto second = reader->next();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->value(establishment), "HMYOI Wetherby & Keppel");
}

TEST(XmlReader, MissingIsAbsentAndAnEmptyElementIsPresentButEmpty) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  const Selector missing = reader->bind(FieldPath{"report_date"});
  const Selector missing_attribute = reader->bind(FieldPath{"@published"});
  const Selector empty = reader->bind(FieldPath{"empty"});
  auto record = reader->next();
  EXPECT_EQ(record->value(missing), std::nullopt);
  EXPECT_EQ(record->value(missing_attribute), std::nullopt);
  EXPECT_EQ(record->value(empty), "");
  EXPECT_TRUE(record->values(missing).empty());
}

TEST(XmlReader, XPathPredicatesSelectAmongRepeatedElements) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  const Selector safety = reader->bind(FieldPath{"scores/score[@test='safety']"});
  const Selector respect = reader->bind(FieldPath{"scores/score[@test=\"respect\"]"});
  const Selector activity = reader->bind(FieldPath{"scores/score[@test='purposeful activity']"});
  auto record = reader->next();
  EXPECT_EQ(record->value(safety), "2");
  EXPECT_EQ(record->value(respect), "3");
  EXPECT_EQ(record->value(activity), std::nullopt);
}

TEST(XmlReader, ValuesGivesEveryMatchInDocumentOrder) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  const Selector ids = reader->bind(FieldPath{"recommendations/recommendation/@id"});
  const Selector scores = reader->bind(FieldPath{"scores/score"});
  auto record = reader->next();
  EXPECT_THAT(record->values(ids), ElementsAre("R1", "R2"));
  EXPECT_THAT(record->values(scores), ElementsAre("2", "3"));
  EXPECT_EQ(record->value(ids), "R1");  // value() is the first of them
}

TEST(XmlReader, XPathScalarResultsComeAsText) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  const Selector count = reader->bind(FieldPath{"count(recommendations/recommendation)"});
  const Selector has_empty = reader->bind(FieldPath{"boolean(empty)"});
  const Selector joined = reader->bind(FieldPath{"concat(@id, '/', @region)"});
  const Selector string_of_nothing = reader->bind(FieldPath{"string(report_date)"});
  const Selector number_of_nothing = reader->bind(FieldPath{"number(report_date)"});
  auto record = reader->next();
  EXPECT_EQ(record->value(count), "2");
  EXPECT_EQ(record->value(has_empty), "true");
  EXPECT_EQ(record->value(joined), "HMIP-2024-001/north");
  EXPECT_EQ(record->value(string_of_nothing), "");
  EXPECT_EQ(record->value(number_of_nothing), std::nullopt);  // NaN is no number
  EXPECT_THAT(record->values(count), ElementsAre("2"));
}

TEST(XmlReader, ChildrenResolveTheSameSelectorsAndNameTheirOwnPosition) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  const Selector recommendations = reader->bind(FieldPath{"recommendations/recommendation"});
  const Selector id = reader->bind(FieldPath{"@id"});
  const Selector text = reader->bind(FieldPath{"text"});
  const Selector status = reader->bind(FieldPath{"status"});
  const Selector actions = reader->bind(FieldPath{"actions/action"});
  auto record = reader->next();
  const auto children = record->children(recommendations);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0]->locator(),
            "/inspections/inspection[1]/recommendations/recommendation[1] (line 13)");
  EXPECT_EQ(children[0]->value(id), "R1");
  EXPECT_EQ(children[0]->value(text), "Reduce violence.");
  EXPECT_EQ(children[0]->value(status), "accepted");
  EXPECT_EQ(children[1]->locator(),
            "/inspections/inspection[1]/recommendations/recommendation[2] (line 14)");
  EXPECT_EQ(children[1]->value(text), "Improve time out of cell.");
  EXPECT_EQ(children[1]->value(status), std::nullopt);

  const auto grandchildren = children[1]->children(actions);
  ASSERT_EQ(grandchildren.size(), 2u);
  EXPECT_EQ(grandchildren[1]->locator(),
            "/inspections/inspection[1]/recommendations/recommendation[2]/actions/action[2] "
            "(line 16)");
  EXPECT_EQ(grandchildren[1]->value(text), std::nullopt);  // relative to the action
  EXPECT_TRUE(record->children(text).empty());
  EXPECT_TRUE(record->children(id).empty());  // attributes are not nested units
}

TEST(XmlReader, ANodeStaysUsableAfterTheReaderMovedOnOrIsGone) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  const Selector establishment = reader->bind(FieldPath{"establishment"});
  const Selector recommendations = reader->bind(FieldPath{"recommendations/recommendation"});
  const Selector text = reader->bind(FieldPath{"text"});
  auto first = reader->next();
  auto children = first->children(recommendations);
  while (reader->next()) {
  }
  reader.reset();
  EXPECT_EQ(first->value(establishment), "HMP Leeds");
  first.reset();
  EXPECT_EQ(children[1]->value(text), "Improve time out of cell.");
}

TEST(XmlReader, NamespacedNodesStayUsableAfterTheReaderIsGone) {
  // Namespaces declared on the root, on the record and inside it; an xml:id (an ID without a
  // DTD); entities and character references; comments and processing instructions.
  const std::string document = R"(<?xml version="1.0"?>
<hm:inspections xmlns:hm="urn:example:hmip" xmlns:geo="urn:example:geo">
  <hm:inspection xml:id="i1" xmlns:t="urn:example:tests" geo:region="north">
    <!-- a comment --><?review later?>
    <t:score t:test="safety">2</t:score>
    <hm:name>HMP Leeds &amp; Wakefield &#x2013; annex</hm:name>
    <x:note xmlns:x="urn:example:notes" x:by="lead">Follow up</x:note>
  </hm:inspection>
  <hm:inspection xml:id="i2" geo:region="south"/>
</hm:inspections>)";
  StringSource source(document);
  auto reader = xml_reader(source, R"(
record = "/h:inspections/h:inspection"
namespaces = { h = "urn:example:hmip", g = "urn:example:geo", s = "urn:example:tests", n = "urn:example:notes" })");
  const Selector id = reader->bind(FieldPath{"@xml:id"});
  const Selector region = reader->bind(FieldPath{"@g:region"});
  const Selector safety = reader->bind(FieldPath{"s:score[@s:test='safety']"});
  const Selector name = reader->bind(FieldPath{"h:name"});
  const Selector note = reader->bind(FieldPath{"n:note"});
  const Selector by = reader->bind(FieldPath{"@n:by"});
  auto first = reader->next();
  auto notes = first->children(note);
  auto second = reader->next();
  EXPECT_EQ(reader->next(), nullptr);
  reader.reset();
  EXPECT_EQ(first->value(id), "i1");
  EXPECT_EQ(first->value(region), "north");
  EXPECT_EQ(first->value(safety), "2");
  EXPECT_EQ(first->value(name), "HMP Leeds & Wakefield – annex");
  EXPECT_EQ(first->locator(), "/hm:inspections/hm:inspection[1] (line 3)");
  first.reset();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]->value(by), "lead");
  EXPECT_EQ(notes[0]->locator(), "/hm:inspections/hm:inspection[1]/x:note (line 7)");
  EXPECT_EQ(second->value(region), "south");
  EXPECT_EQ(second->value(id), "i2");
}

TEST(XmlReader, LineNumbersPast65535AreKept) {
  // libxml2 keeps an element's line in 16 bits; past 65535 (with XML_PARSE_BIG_LINES) it is the
  // line of the element's first text, exact when that text starts on the element's line.
  const std::string document = "<inspections>" + std::string(69999, '\n') +
                               "<inspection id=\"far\"><name>HMP Far</name>\n"
                               "<status>open</status></inspection></inspections>";
  StringSource source(document);
  auto reader = xml_reader(source, kRecordPath);
  const Selector status = reader->bind(FieldPath{"status"});
  auto record = reader->next();
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->locator(), "/inspections/inspection[1] (line 70000)");
  EXPECT_EQ(record->children(status).at(0)->locator(),
            "/inspections/inspection[1]/status (line 70001)");
}

TEST(XmlReader, ElementsOffTheRecordPathAreSkippedAndRecordsCountedAcrossParents) {
  const std::string document = R"(<export>
  <places><inspection id="not-a-record"/></places>
  <inspections><inspection id="a"/><inspection id="b"/></inspections>
  <inspections><inspection id="c"><inspection id="nested"/></inspection></inspections>
</export>)";
  StringSource source(document);
  auto reader = xml_reader(source, R"(record = "/export/inspections/inspection")");
  EXPECT_THAT(locators_and_values(*reader, "@id"),
              ElementsAre("/export/inspections/inspection[1] (line 3)=a",
                          "/export/inspections/inspection[2] (line 3)=b",
                          "/export/inspections/inspection[3] (line 4)=c"));
}

TEST(XmlReader, AnExportWithNoRecordsYieldsNothing) {
  StringSource source("<inspections>\n  <note/>\n</inspections>\n");
  auto reader = xml_reader(source, kRecordPath);
  EXPECT_EQ(reader->next(), nullptr);
}

TEST(XmlReader, MatchesNamespacesByUriWhateverPrefixTheDocumentUses) {
  const std::string document = R"(<hm:inspections xmlns:hm="urn:example:hmip">
  <hm:inspection hm:id="1"><hm:name>HMP Leeds</hm:name></hm:inspection>
  <other:inspection xmlns:other="urn:example:other"/>
  <hm:inspection hm:id="2"><hm:name>HMP Hull</hm:name></hm:inspection>
</hm:inspections>)";
  StringSource source(document);
  auto reader = xml_reader(source, R"(
record = "/h:inspections/h:inspection"
namespaces = { h = "urn:example:hmip" })");
  const Selector id = reader->bind(FieldPath{"@h:id"});
  EXPECT_THAT(locators_and_values(*reader, "h:name"),
              ElementsAre("/hm:inspections/hm:inspection[1] (line 2)=HMP Leeds",
                          "/hm:inspections/hm:inspection[2] (line 4)=HMP Hull"));
  EXPECT_EQ(reader->source_field(id), "@h:id");
}

TEST(XmlReader, ADefaultNamespaceIsReachedThroughAMappingPrefix) {
  const std::string document = R"(<inspections xmlns="urn:example:cjini">
  <inspection id="CJINI-7"><establishment>Maghaberry</establishment></inspection>
</inspections>)";
  StringSource source(document);
  auto reader = xml_reader(source, R"(
record = "/c:inspections/c:inspection"
namespaces = { c = "urn:example:cjini" })");
  const Selector unprefixed = reader->bind(FieldPath{"establishment"});
  const Selector prefixed = reader->bind(FieldPath{"c:establishment"});
  auto record = reader->next();
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->locator(), "/inspections/inspection[1] (line 2)");
  EXPECT_EQ(record->value(prefixed), "Maghaberry");
  EXPECT_EQ(record->value(unprefixed), std::nullopt);  // XPath 1.0: no prefix, no namespace
}

TEST(XmlReader, AnUnprefixedRecordPathDoesNotMatchADefaultNamespace) {
  StringSource source(R"(<inspections xmlns="urn:example:cjini"><inspection/></inspections>)");
  auto reader = xml_reader(source, kRecordPath);
  try {
    reader->next();
    FAIL() << "expected UnreadableInput";
  } catch (const UnreadableInput& e) {
    EXPECT_THAT(e.what(), HasSubstr("<{urn:example:cjini}inspections>"));
    EXPECT_THAT(e.what(), HasSubstr("reader.record starts at <inspections>"));
  }
}

TEST(XmlReader, SameXPathGivesTheSameSelectorAndSourceFieldIsTheXPath) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  const Selector a = reader->bind(FieldPath{"scores/score[@test='safety']"});
  const Selector b = reader->bind(FieldPath{"@id"});
  EXPECT_NE(a, b);
  EXPECT_EQ(reader->bind(FieldPath{"scores/score[@test='safety']"}), a);
  EXPECT_EQ(reader->source_field(a), "scores/score[@test='safety']");
}

TEST(XmlReader, AnXPathThatDoesNotCompileIsRefusedAtBindNamingIt) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  for (const std::string bad : {"scores/score[", "@", "count(", "a b", "recommendation]",
                                "no-such-function(@id)", "count('a')", "$undeclared"}) {
    try {
      reader->bind(FieldPath{bad});
      ADD_FAILURE() << "expected invalid_argument for " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr("\"" + bad + "\"")) << bad;
    }
  }
}

TEST(XmlReader, AnUndeclaredPrefixIsRefusedAtBind) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  EXPECT_THROW(reader->bind(FieldPath{"scores/x:score"}), std::invalid_argument);
  try {
    reader->bind(FieldPath{"recommendations/recommendation[@x:id='1']"});
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("prefix \"x\""));
  }
  // Axes, literals and the xml prefix are not undeclared prefixes.
  EXPECT_NO_THROW(reader->bind(FieldPath{"child::scores/score[@test='a:b']/@xml:lang"}));
}

TEST(XmlReader, AnXPathFailingOnARecordSaysWhich) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  // Only evaluated where a recommendation exists, so bind's trial on an empty record passes.
  const std::string path = "recommendations/recommendation[no-such-function()]";
  const Selector unknown_function = reader->bind(FieldPath{path});
  auto record = reader->next();
  try {
    record->value(unknown_function);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
  }
}

TEST(XmlReader, OnlyExactMatchingApplies) {
  StringSource source(kInspections);
  auto reader = inspections_reader(source);
  EXPECT_THROW(reader->bind(FieldPath{"@id", FieldPath::Match::insensitive}),
               std::invalid_argument);
  EXPECT_THROW(reader->bind(FieldPath{"@id", FieldPath::Match::prefix}), std::invalid_argument);
}

TEST(XmlReader, BytesArrivingOneAtATimeReadTheSame) {
  StringSource whole(kInspections);
  TricklingSource trickle(kInspections, 1);
  auto from_whole = inspections_reader(whole);
  auto from_trickle = xml_reader(trickle, kRecordPath);
  const auto expected = locators_and_values(*from_whole, "establishment");
  ASSERT_EQ(expected.size(), 3u);
  EXPECT_EQ(locators_and_values(*from_trickle, "establishment"), expected);
}

// The document re-encoded with glibc's iconv: how a member's system would write it.
std::string encoded(const std::string& utf8, const char* encoding) {
  iconv_t cd = iconv_open(encoding, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("no iconv for encoding");
  std::string out(utf8.size() * 4 + 4, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* to = out.data();
  std::size_t out_left = out.size();
  const std::size_t result = iconv(cd, &in, &in_left, &to, &out_left);
  iconv_close(cd);
  if (result == static_cast<std::size_t>(-1)) throw std::runtime_error("iconv failed");
  out.resize(out.size() - out_left);
  return out;
}

const std::string kWelshVisits =
    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"
    "<inspections>\n"
    "  <inspection id=\"HIW-1\"><place>Ysbyty Gwynedd – Uned Hergest</place></inspection>\n"
    "  <inspection id=\"HIW-2\"><place>Ysbyty Maelor Wrecsam – Heddfan</place></inspection>\n"
    "</inspections>\n";

TEST(XmlReader, Utf16WithAByteOrderMarkIsConvertedToUtf8) {
  for (const char* encoding : {"UTF-16LE", "UTF-16BE"}) {
    const std::string bom = std::string(encoding) == "UTF-16LE" ? "\xFF\xFE" : "\xFE\xFF";
    const std::string bytes = bom + encoded(kWelshVisits, encoding);
    StringSource source(bytes);
    auto reader = xml_reader(source, kRecordPath);
    EXPECT_THAT(locators_and_values(*reader, "place"),
                ElementsAre("/inspections/inspection[1] (line 3)=Ysbyty Gwynedd – Uned Hergest",
                            "/inspections/inspection[2] (line 4)=Ysbyty Maelor Wrecsam – Heddfan"))
        << encoding;
    TricklingSource trickle(bytes, 1);
    auto trickled = xml_reader(trickle, kRecordPath);
    EXPECT_EQ(locators_and_values(*trickled, "place").size(), 2u) << encoding;
  }
}

TEST(XmlReader, TheDeclaredEncodingIsHonoured) {
  for (const char* encoding : {"ISO-8859-1", "windows-1252"}) {
    const std::string document =
        std::string("<?xml version=\"1.0\" encoding=\"") + encoding +
        "\"?>\n"
        "<inspections><inspection><place>Caf\xE9 Ward</place></inspection></inspections>";
    StringSource source(document);
    auto reader = xml_reader(source, kRecordPath);
    EXPECT_THAT(locators_and_values(*reader, "place"),
                ElementsAre("/inspections/inspection[1] (line 2)=Caf\xC3\xA9 Ward"))
        << encoding;
  }
}

}  // namespace
}  // namespace opcat::adapters
