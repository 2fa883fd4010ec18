// Tests of the JSON reader through its public face (configure_json_reader, Reader, SourceNode):
// records at a pointer, documents in sequence, every kind of value, children, and hostile input.
#include "adapters/readers/json/json_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/config.hpp"

namespace opcat::adapters {
namespace {
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;

// Hands out its bytes one per read, like a slow socket: chunk boundaries fall everywhere.
class OneByteSource final : public ByteSource {
 public:
  explicit OneByteSource(std::string bytes) : bytes_(std::move(bytes)) {}
  std::size_t read(char* buffer, std::size_t size) override {
    if (position_ == bytes_.size() || size == 0) return 0;
    buffer[0] = bytes_[position_++];
    return 1;
  }
  std::string name() const override { return "one byte at a time"; }

 private:
  std::string bytes_;
  std::size_t position_ = 0;
};

// `head`, then `filler` repeated up to `total` bytes, generated as read: a huge input that never
// exists in memory. Counts what the reader pulled, to show that it stops early.
class GeneratedSource final : public ByteSource {
 public:
  GeneratedSource(std::string head, char filler, std::size_t total)
      : head_(std::move(head)), filler_(filler), total_(total) {}
  std::size_t read(char* buffer, std::size_t size) override {
    std::size_t n = 0;
    while (n < size && produced_ < total_) {
      buffer[n++] = produced_ < head_.size() ? head_[produced_] : filler_;
      ++produced_;
    }
    return n;
  }
  std::string name() const override { return "generated"; }
  std::size_t produced() const { return produced_; }

 private:
  std::string head_;
  char filler_;
  std::size_t total_;
  std::size_t produced_ = 0;
};

ReaderFactory factory(std::string_view settings) {
  toml::table file = toml::parse("[reader]\n" + std::string(settings));
  return configure_json_reader(file["reader"].as_table());
}

// A reader with its source, kept together.
struct Opened {
  std::unique_ptr<ByteSource> source;
  std::unique_ptr<Reader> reader;
  Selector bind(const std::string& pointer) {
    FieldPath path;
    path.path = pointer;
    return reader->bind(path);
  }
};

Opened open(std::string_view settings, std::string input, bool one_byte = false) {
  Opened opened;
  if (one_byte) {
    opened.source = std::make_unique<OneByteSource>(std::move(input));
  } else {
    opened.source = std::make_unique<StringSource>(std::move(input));
  }
  opened.reader = factory(settings)(*opened.source);
  return opened;
}

std::vector<std::unique_ptr<SourceNode>> read_all(Reader& reader) {
  std::vector<std::unique_ptr<SourceNode>> nodes;
  while (auto node = reader.next()) nodes.push_back(std::move(node));
  return nodes;
}

// Reads until the reader throws; returns the locators of the records read before, and the error.
struct Interrupted {
  std::vector<std::string> records;
  std::optional<UnreadableInput> error;
};

Interrupted read_until_error(Reader& reader) {
  Interrupted result;
  try {
    while (auto node = reader.next()) result.records.push_back(node->locator());
  } catch (const UnreadableInput& e) {
    result.error = e;
  }
  return result;
}

std::vector<std::string> locators(const std::vector<std::unique_ptr<SourceNode>>& nodes) {
  std::vector<std::string> result;
  for (const auto& node : nodes) result.push_back(node->locator());
  return result;
}

std::string value_or(const SourceNode& node, Selector selector, const char* absent = "<absent>") {
  const auto value = node.value(selector);
  return value ? std::string(*value) : absent;
}

// Everything a mapping could observe of one read: each record's locator and the value of
// `pointer`, then the error that ended it (locator and message), if any.
std::vector<std::string> observe(std::string_view settings, const std::string& input,
                                 const std::string& pointer, bool one_byte) {
  Opened opened = open(settings, input, one_byte);
  const Selector selector = opened.bind(pointer);
  std::vector<std::string> seen;
  try {
    while (auto node = opened.reader->next()) {
      seen.push_back(node->locator() + " = " + value_or(*node, selector));
    }
  } catch (const UnreadableInput& e) {
    seen.push_back("error at " + e.locator() + ": " + e.what());
  }
  return seen;
}

// --- where the records are --------------------------------------------------------------------

TEST(JsonReader, ReadsRecordsAtAPointer) {
  Opened opened = open(R"(records = "/data/locations")",
                       R"({"total": 2, "data": {"locations": [{"name": "HMP Leeds"},
                           {"name": "HMP Hull"}], "after": [1, 2]}, "page": 1})");
  const Selector name = opened.bind("/name");
  const auto records = read_all(*opened.reader);
  EXPECT_THAT(locators(records), ElementsAre("/data/locations/0", "/data/locations/1"));
  EXPECT_EQ(value_or(*records[0], name), "HMP Leeds");
  EXPECT_EQ(value_or(*records[1], name), "HMP Hull");
  EXPECT_EQ(opened.reader->next(), nullptr);  // and stays at the end
}

TEST(JsonReader, TopLevelArrayByDefaultAndWithEmptyOrSlashPointer) {
  for (std::string_view settings : {"", "records = \"\"", "records = \"/\""}) {
    Opened opened = open(settings, R"([{"id": 1}, {"id": 2}, {"id": 3}])");
    EXPECT_THAT(locators(read_all(*opened.reader)), ElementsAre("/0", "/1", "/2")) << settings;
  }
}

TEST(JsonReader, WildcardSegmentCollectsEveryPage) {
  Opened opened = open(R"(records = "/pages/*/locations")",
                       R"({"pages": [
                            {"page": 1, "perPage": 2, "locations": [{"id": "a"}, {"id": "b"}]},
                            {"page": 2, "locations": null},
                            {"page": 3},
                            {"page": 4, "locations": [{"id": "c"}], "nextPageUri": null}]})");
  const Selector id = opened.bind("/id");
  const auto records = read_all(*opened.reader);
  EXPECT_THAT(locators(records),
              ElementsAre("/pages/0/locations/0", "/pages/0/locations/1", "/pages/3/locations/0"));
  EXPECT_EQ(value_or(*records[2], id), "c");
}

TEST(JsonReader, WildcardMatchesObjectKeysToo) {
  Opened opened = open(R"(records = "/regions/*")",
                       R"({"regions": {"north": [{"n": 1}], "a/b": [{"n": 2}, {"n": 3}]}})");
  EXPECT_THAT(locators(read_all(*opened.reader)),
              ElementsAre("/regions/north/0", "/regions/a~1b/0", "/regions/a~1b/1"));
}

TEST(JsonReader, PointerWithAnIndexSelectsOneArrayOnly) {
  Opened opened = open(R"(records = "/batches/1/items")",
                       R"({"batches": [{"items": [{"x": 0}]}, {"items": [{"x": 1}, {"x": 2}]},
                                       {"items": [{"x": 3}]}]})");
  EXPECT_THAT(locators(read_all(*opened.reader)),
              ElementsAre("/batches/1/items/0", "/batches/1/items/1"));
}

TEST(JsonReader, DocumentsInSequenceEachGetThePointer) {
  Opened opened =
      open("records = \"/data\"\ndocuments = \"sequence\"",
           "{\"page\": 1, \"data\": [{\"id\": \"a\"}, {\"id\": \"b\"}]}\n"
           "{\"page\": 2, \"data\": []}\n"
           "{\"page\": 3, \"data\": [{\"id\": \"c\"}]}{\"data\": [{\"id\": \"d\"}]}\n\n");
  const Selector id = opened.bind("/id");
  const auto records = read_all(*opened.reader);
  EXPECT_THAT(locators(records), ElementsAre("document 1: /data/0", "document 1: /data/1",
                                             "document 3: /data/0", "document 4: /data/0"));
  EXPECT_EQ(value_or(*records[3], id), "d");
}

TEST(JsonReader, SingleDocumentRefusesASecondOne) {
  Opened opened = open("", "[{\"a\": 1}]\n[{\"a\": 2}]\n");
  ASSERT_NE(opened.reader->next(), nullptr);
  try {
    opened.reader->next();
    FAIL() << "a second document was accepted";
  } catch (const UnreadableInput& e) {
    EXPECT_THAT(e.what(), HasSubstr("byte offset 11"));
    EXPECT_THAT(e.what(), HasSubstr("must not be followed by other values"));
  }
}

TEST(JsonReader, RecordsMayBeScalars) {
  Opened opened = open(R"(records = "/ids")", R"({"ids": ["1-545611283", 17, null]})");
  const Selector self = opened.bind("");
  const auto records = read_all(*opened.reader);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(value_or(*records[0], self), "1-545611283");
  EXPECT_EQ(value_or(*records[1], self), "17");
  EXPECT_EQ(value_or(*records[2], self), "");
  EXPECT_EQ(records[2]->locator(), "/ids/2");
}

TEST(JsonReader, ParsingGoesOnCorrectlyAfterTheRecords) {
  // The reader pauses inside several open containers; what follows must parse as before.
  const std::string input =
      R"({"meta": {"a": [1, {"b": 2}]}, "data": {"x": [{"r": 1}, {"r": [2, {"s": 3}]}],
          "after": {"deep": [[{}]]}}, "z": "end"})";
  Opened opened = open(R"(records = "/data/x")", input);
  EXPECT_THAT(locators(read_all(*opened.reader)), ElementsAre("/data/x/0", "/data/x/1"));

  // ...and a defect after the records is still found, where it is.
  Opened broken = open(R"(records = "/data/x")", input.substr(0, input.size() - 1) + ",}");
  const Interrupted read = read_until_error(*broken.reader);
  EXPECT_EQ(read.records.size(), 2u);
  ASSERT_TRUE(read.error);
  EXPECT_THAT(read.error->what(), HasSubstr("Missing a name for object member"));
  EXPECT_EQ(read.error->locator(), "/z");
}

// --- values ------------------------------------------------------------------------------------

TEST(JsonReader, ValuesOfEveryKind) {
  Opened opened = open(R"(records = "/data")", R"({"data": [{
      "name": "HMP Leeds", "beds": 42, "ratio": 1.50, "negative": -0.5e-3, "exponent": 1E+2,
      "id": 123456789012345678901234567890, "careHome": true, "closed": false,
      "postalCode": null, "escaped": "a\"b\\c\u00e9\ud83d\ude00", "empty": "",
      "object": {"x": 1}, "array": [1, 2], "dup": "first", "dup": "second"}]})");
  const auto bind = [&](const char* pointer) { return opened.bind(pointer); };
  const Selector name = bind("/name"), beds = bind("/beds"), ratio = bind("/ratio"),
                 negative = bind("/negative"), exponent = bind("/exponent"), id = bind("/id"),
                 care_home = bind("/careHome"), closed = bind("/closed"),
                 postal_code = bind("/postalCode"), escaped = bind("/escaped"),
                 empty = bind("/empty"), object = bind("/object"), array = bind("/array"),
                 missing = bind("/registrationDate"), dup = bind("/dup"),
                 below_scalar = bind("/name/first");
  const auto record = opened.reader->next();
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->value(name), "HMP Leeds");
  EXPECT_EQ(record->value(beds), "42");
  EXPECT_EQ(record->value(ratio), "1.50");  // as written, not 1.5
  EXPECT_EQ(record->value(negative), "-0.5e-3");
  EXPECT_EQ(record->value(exponent), "1E+2");
  EXPECT_EQ(record->value(id), "123456789012345678901234567890");  // every digit
  EXPECT_EQ(record->value(care_home), "true");
  EXPECT_EQ(record->value(closed), "false");
  EXPECT_EQ(record->value(postal_code), "");  // present but empty
  EXPECT_EQ(record->value(escaped), "a\"b\\c\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(record->value(empty), "");
  EXPECT_EQ(record->value(object), std::nullopt);
  EXPECT_EQ(record->value(array), std::nullopt);
  EXPECT_EQ(record->value(missing), std::nullopt);
  EXPECT_EQ(record->value(dup), "first");
  EXPECT_EQ(record->value(below_scalar), std::nullopt);
  EXPECT_EQ(opened.reader->source_field(ratio), "/ratio");
}

TEST(JsonReader, SelectorsFollowRfc6901Escapes) {
  Opened opened = open("", R"([{"a/b": "slash", "m~n": "tilde", "": "empty key",
                               "list": ["zero", "one"], "10": "key ten"}])");
  const Selector slash = opened.bind("/a~1b"), tilde = opened.bind("/m~0n"),
                 empty_key = opened.bind("/"), second = opened.bind("/list/1"),
                 leading_zero = opened.bind("/list/01"), past_end = opened.bind("/list/2"),
                 numeric_key = opened.bind("/10");
  const auto record = opened.reader->next();
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->value(slash), "slash");
  EXPECT_EQ(record->value(tilde), "tilde");
  EXPECT_EQ(record->value(empty_key), "empty key");
  EXPECT_EQ(record->value(second), "one");
  EXPECT_EQ(record->value(leading_zero), std::nullopt);
  EXPECT_EQ(record->value(past_end), std::nullopt);
  EXPECT_EQ(record->value(numeric_key), "key ten");
}

TEST(JsonReader, ValuesOfArraysOfScalars) {
  Opened opened = open("", R"([{"inspectionCategories": ["H1", "H2", 3, true, null, {"x": 1}, []],
                               "name": "Leeds", "nothing": null, "none": [], "object": {"a": 1}}])");
  const Selector categories = opened.bind("/inspectionCategories"), name = opened.bind("/name"),
                 nothing = opened.bind("/nothing"), none = opened.bind("/none"),
                 object = opened.bind("/object"), missing = opened.bind("/missing");
  const auto record = opened.reader->next();
  ASSERT_NE(record, nullptr);
  EXPECT_THAT(record->values(categories), ElementsAre("H1", "H2", "3", "true", ""));
  EXPECT_THAT(record->values(name), ElementsAre("Leeds"));
  EXPECT_THAT(record->values(nothing), IsEmpty());
  EXPECT_THAT(record->values(none), IsEmpty());
  EXPECT_THAT(record->values(object), IsEmpty());
  EXPECT_THAT(record->values(missing), IsEmpty());
}

TEST(JsonReader, WildcardSelectorsReachEveryElement) {
  Opened opened = open("", R"([{"reports": [{"linkId": "r1"}, {"other": 1}, {"linkId": "r3"}]}])");
  const Selector link_ids = opened.bind("/reports/*/linkId");
  const auto record = opened.reader->next();
  ASSERT_NE(record, nullptr);
  EXPECT_THAT(record->values(link_ids), ElementsAre("r1", "r3"));
  EXPECT_EQ(record->value(link_ids), "r1");
}

// --- nested units ------------------------------------------------------------------------------

constexpr const char* kLocations = R"({"data": {"locations": [{}, {}, {}, {},
    {"locationId": "1-545611283",
     "reports": [{"linkId": "r1", "findings": [{"theme": "safety"}, {"theme": "respect"}]},
                 {"linkId": "r2", "findings": []}],
     "currentRatings": {"overall": {"rating": "Good", "keyQuestionRatings": [
         {"name": "Safe", "rating": "Requires improvement"}]}},
     "regions": ["North", "Yorkshire"], "nothing": null, "solo": "x"}]}})";

TEST(JsonReader, ChildrenOfAnArrayAreItsElementsWithTheirPointers) {
  Opened opened = open(R"(records = "/data/locations")", kLocations);
  const Selector reports = opened.bind("/reports"), link_id = opened.bind("/linkId"),
                 findings = opened.bind("/findings"), theme = opened.bind("/theme");
  const auto records = read_all(*opened.reader);
  ASSERT_EQ(records.size(), 5u);
  const auto children = records[4]->children(reports);
  EXPECT_THAT(locators(children),
              ElementsAre("/data/locations/4/reports/0", "/data/locations/4/reports/1"));
  EXPECT_EQ(value_or(*children[1], link_id), "r2");
  const auto grandchildren = children[0]->children(findings);
  EXPECT_THAT(locators(grandchildren), ElementsAre("/data/locations/4/reports/0/findings/0",
                                                   "/data/locations/4/reports/0/findings/1"));
  EXPECT_EQ(value_or(*grandchildren[1], theme), "respect");
  EXPECT_THAT(children[1]->children(findings), IsEmpty());
  EXPECT_THAT(records[0]->children(reports), IsEmpty());
}

TEST(JsonReader, ChildrenOfAnObjectScalarsAndNull) {
  Opened opened = open(R"(records = "/data/locations")", kLocations);
  const Selector overall = opened.bind("/currentRatings/overall"), rating = opened.bind("/rating"),
                 key_questions = opened.bind("/currentRatings/overall/keyQuestionRatings"),
                 regions = opened.bind("/regions"), self = opened.bind(""),
                 nothing = opened.bind("/nothing"), solo = opened.bind("/solo");
  const auto records = read_all(*opened.reader);
  ASSERT_EQ(records.size(), 5u);
  const SourceNode& location = *records[4];

  const auto ratings = location.children(overall);
  ASSERT_EQ(ratings.size(), 1u);
  EXPECT_EQ(ratings[0]->locator(), "/data/locations/4/currentRatings/overall");
  EXPECT_EQ(value_or(*ratings[0], rating), "Good");

  const auto questions = location.children(key_questions);
  ASSERT_EQ(questions.size(), 1u);
  EXPECT_EQ(questions[0]->locator(),
            "/data/locations/4/currentRatings/overall/keyQuestionRatings/0");
  EXPECT_EQ(value_or(*questions[0], rating), "Requires improvement");

  const auto names = location.children(regions);
  EXPECT_THAT(locators(names),
              ElementsAre("/data/locations/4/regions/0", "/data/locations/4/regions/1"));
  EXPECT_EQ(value_or(*names[1], self), "Yorkshire");

  EXPECT_THAT(location.children(nothing), IsEmpty());
  const auto single = location.children(solo);
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(value_or(*single[0], self), "x");
}

TEST(JsonReader, ChildrenInASequenceNameTheirDocument) {
  Opened opened = open("records = \"/data\"\ndocuments = \"sequence\"",
                       "{\"data\": []}\n{\"data\": [{\"reports\": [{}, {}]}]}\n");
  const Selector reports = opened.bind("/reports");
  const auto records = read_all(*opened.reader);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(locators(records[0]->children(reports)),
              ElementsAre("document 2: /data/0/reports/0", "document 2: /data/0/reports/1"));
}

TEST(JsonReader, NodesOutliveTheirReader) {
  std::vector<std::unique_ptr<SourceNode>> records;
  Selector name = 0;
  {
    Opened opened = open("", R"([{"name": "kept", "list": [{"name": "child"}]}])");
    name = opened.bind("/name");
    records = read_all(*opened.reader);
  }
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(value_or(*records[0], name), "kept");
}

// --- what the export may get wrong --------------------------------------------------------------

TEST(JsonReader, AbsentRecordsPointerIsReported) {
  Opened opened = open(R"(records = "/data/locations")", R"({"data": {"items": [{"a": 1}]}})");
  const Interrupted read = read_until_error(*opened.reader);
  EXPECT_THAT(read.records, IsEmpty());
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->locator(), "/data/locations");
  EXPECT_THAT(read.error->what(), HasSubstr("no records at /data/locations"));
}

TEST(JsonReader, EmptyOrNullRecordsArrayIsNoError) {
  for (const char* input : {R"({"data": {"locations": []}})", R"({"data": {"locations": null}})"}) {
    Opened opened = open(R"(records = "/data/locations")", input);
    EXPECT_EQ(opened.reader->next(), nullptr) << input;
  }
}

TEST(JsonReader, RecordsPointerAtSomethingElseThanAnArray) {
  Opened object = open(R"(records = "/data/locations")", R"({"data": {"locations": {"a": 1}}})");
  const Interrupted read = read_until_error(*object.reader);
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->locator(), "/data/locations");
  EXPECT_THAT(read.error->what(),
              HasSubstr("expected the array of records at /data/locations, found an object"));

  Opened top = open("", R"({"data": []})");
  const Interrupted top_read = read_until_error(*top.reader);
  ASSERT_TRUE(top_read.error);
  EXPECT_THAT(top_read.error->what(), HasSubstr("at the top level, found an object"));
}

TEST(JsonReader, TruncatedDocumentKeepsTheRecordsBeforeIt) {
  Opened opened = open(R"(records = "/data")", R"({"data": [{"a": 1}, {"a": 2}, {"a": )");
  const Selector a = opened.bind("/a");
  auto first = opened.reader->next();
  auto second = opened.reader->next();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(value_or(*second, a), "2");
  try {
    opened.reader->next();
    FAIL() << "a truncated document was accepted";
  } catch (const UnreadableInput& e) {
    EXPECT_EQ(e.locator(), "/data/2/a");
    EXPECT_THAT(e.what(), HasSubstr("ends early, at byte offset 36"));
  }
  // The failure sticks: a caller that tries again learns the same.
  EXPECT_THROW(opened.reader->next(), UnreadableInput);
}

TEST(JsonReader, SyntaxErrorNamesOffsetAndRapidJsonMessage) {
  Opened opened = open("", R"([{"a": 1}, {"a": 2} {"a": 3}])");
  const Interrupted read = read_until_error(*opened.reader);
  EXPECT_THAT(read.records, ElementsAre("/0", "/1"));
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->locator(), "/2");
  EXPECT_STREQ(read.error->what(),
               "invalid JSON at byte offset 20: Missing a comma or ']' after an array element.");
}

TEST(JsonReader, ExtensionsBeyondJsonAreRefused) {
  for (const char* input : {"[{\"a\": 1} // comment\n]", "[{\"a\": 1},]", "[{\"a\": NaN}]",
                            "[{\"a\": 1,}]", "[{'a': 1}]"}) {
    Opened opened = open("", input);
    EXPECT_THROW(read_all(*opened.reader), UnreadableInput) << input;
  }
}

TEST(JsonReader, EmptyInputIsUnreadable) {
  for (const char* input : {"", "  \n "}) {
    Opened opened = open("", input);
    const Interrupted read = read_until_error(*opened.reader);
    ASSERT_TRUE(read.error);
    EXPECT_THAT(read.error->what(), HasSubstr("no JSON value"));
  }
  Opened sequence = open("documents = \"sequence\"", "\n");
  const Interrupted read = read_until_error(*sequence.reader);
  ASSERT_TRUE(read.error);
  EXPECT_THAT(read.error->what(), HasSubstr("no records at the top level"));
}

TEST(JsonReader, InvalidUtf8IsUnreadableWithItsOffset) {
  const std::string cases[] = {
      std::string(R"([{"a": "ok"}, {"a": "caf)") + "\xC3" + "\"}]",           // cut sequence
      std::string(R"([{"a": "ok"}, {"a": ")") + "\xC0\xAF" + "\"}]",          // overlong "/"
      std::string(R"([{"a": "ok"}, {"a": ")") + "\xED\xA0\x80" + "\"}]",      // raw surrogate
      std::string(R"([{"a": "ok"}, {"a": ")") + "\xF4\x90\x80\x80" + "\"}]",  // past U+10FFFF
      std::string(R"([{"a": "ok"}, {")") + "\xFF" + "\": 1}]",                // in a key
  };
  for (const std::string& input : cases) {
    Opened opened = open("", input);
    const Interrupted read = read_until_error(*opened.reader);
    EXPECT_THAT(read.records, ElementsAre("/0")) << input;
    ASSERT_TRUE(read.error) << input;
    EXPECT_THAT(read.error->what(), HasSubstr("invalid UTF-8 in a string at byte offset"));
  }
  Opened opened = open("", std::string(R"([{"a": ")") + "\xC3" + "\"}]");
  const Interrupted read = read_until_error(*opened.reader);
  ASSERT_TRUE(read.error);
  EXPECT_STREQ(read.error->what(), "invalid UTF-8 in a string at byte offset 8");
}

TEST(JsonReader, UnpairedSurrogateEscapeIsRefused) {
  for (const char* input : {R"([{"a": "x\udc00y"}])", R"([{"\udfff": 1}])"}) {
    Opened opened = open("", input);
    const Interrupted read = read_until_error(*opened.reader);
    ASSERT_TRUE(read.error) << input;
    EXPECT_THAT(read.error->what(), HasSubstr("unpaired surrogate")) << input;
  }
  // Outside records too: a key there would end up in locators.
  Opened outside = open(R"(records = "/data")", R"({"\udc00": 1, "data": []})");
  const Interrupted read = read_until_error(*outside.reader);
  ASSERT_TRUE(read.error);
  EXPECT_THAT(read.error->what(), HasSubstr("unpaired surrogate"));
  // RapidJSON itself refuses a high surrogate without its pair.
  Opened high = open("", R"([{"a": "\ud800x"}])");
  EXPECT_THROW(read_all(*high.reader), UnreadableInput);
}

TEST(JsonReader, NulByteIsUnreadable) {
  using namespace std::string_literals;
  for (const auto& [input, offset] :
       {std::pair("[{\"a\": 1}]\0"s, 10), {"[{\"a\": 1}, \0{}]"s, 11}}) {
    Opened opened = open("", input);
    const Interrupted read = read_until_error(*opened.reader);
    EXPECT_THAT(read.records, ElementsAre("/0"));
    ASSERT_TRUE(read.error);
    EXPECT_THAT(read.error->what(), HasSubstr("NUL byte at byte offset " + std::to_string(offset)));
  }
}

TEST(JsonReader, Utf8ByteOrderMarkIsSkipped) {
  for (bool one_byte : {false, true}) {
    Opened opened = open("", "\xEF\xBB\xBF[{\"a\": \"b\"}]", one_byte);
    const Selector a = opened.bind("/a");
    const auto records = read_all(*opened.reader);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(value_or(*records[0], a), "b");
  }
}

TEST(JsonReader, NumberBeyondDoubleRangeIsUnreadable) {
  // RapidJSON 1.1.0 checks the range even when it hands the text over: a 400-digit integer
  // cannot be read, while 30 digits (above) can.
  Opened opened = open("", "[{\"a\": 1" + std::string(400, '0') + "}]");
  const Interrupted read = read_until_error(*opened.reader);
  ASSERT_TRUE(read.error);
  EXPECT_THAT(read.error->what(), HasSubstr("Number too big"));
}

// --- limits -----------------------------------------------------------------------------------

TEST(JsonReader, DeepNestingStopsEarlyWithBoundedReading) {
  // 100000 '[' and more: the reader must stop at the limit, having read a chunk or two, and
  // neither recurse nor allocate with the depth.
  GeneratedSource source("", '[', 100'000'000);
  auto reader = factory("")(source);
  try {
    reader->next();
    FAIL() << "deep nesting was accepted";
  } catch (const UnreadableInput& e) {
    EXPECT_THAT(e.what(), HasSubstr("nesting deeper than 64 at /0/0/0/"));
  }
  EXPECT_LE(source.produced(), std::size_t{128} << 10);
}

TEST(JsonReader, DeepNestingInsideARecordCountsTheWholePath) {
  Opened opened = open("records = \"/data\"\nmax_depth = 4",
                       R"({"data": [{"a": {"b": 1}}, {"a": {"b": {"c": 1}}}]})");
  const Interrupted read = read_until_error(*opened.reader);
  EXPECT_THAT(read.records, ElementsAre("/data/0"));
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->locator(), "/data/1/a/b");
  EXPECT_STREQ(read.error->what(), "nesting deeper than 4 at /data/1/a/b");
}

TEST(JsonReader, HundredThousandBracketsAsARealString) {
  Opened opened = open("", std::string(100'000, '['));
  const Interrupted read = read_until_error(*opened.reader);
  ASSERT_TRUE(read.error);
  EXPECT_THAT(read.error->what(), HasSubstr("nesting deeper than 64"));
}

TEST(JsonReader, RecordOverMaxRecordBytes) {
  Opened opened = open("max_record_bytes = 64",
                       R"([{"name": "small"}, {"name": ")" + std::string(100, 'x') + R"("}, {}])");
  const Interrupted read = read_until_error(*opened.reader);
  EXPECT_THAT(read.records, ElementsAre("/0"));
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->locator(), "/1");
  EXPECT_STREQ(read.error->what(), "record larger than max_record_bytes (64 bytes)");
}

TEST(JsonReader, RecordExactlyAtMaxRecordBytesIsAccepted) {
  const std::string record = R"({"name": "exact"})";  // 17 bytes
  Opened opened = open("max_record_bytes = 17", "[" + record + "," + record + "]");
  EXPECT_EQ(read_all(*opened.reader).size(), 2u);
  Opened over = open("max_record_bytes = 16", "[" + record + "]");
  EXPECT_THROW(read_all(*over.reader), UnreadableInput);
}

TEST(JsonReader, HugeStringOutsideRecordsIsBounded) {
  Opened opened = open("records = \"/data\"\nmax_record_bytes = 64",
                       R"({"note": ")" + std::string(200, 'x') + R"(", "data": []})");
  const Interrupted read = read_until_error(*opened.reader);
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->locator(), "/note");
  EXPECT_THAT(read.error->what(), HasSubstr("more than max_record_bytes (64 bytes)"));
}

TEST(JsonReader, HundredMegabyteFieldStopsAtTheDefaultLimit) {
  GeneratedSource source(R"({"data": [{"name": ")", 'x', 100'000'000);
  auto reader = factory(R"(records = "/data")")(source);
  try {
    reader->next();
    FAIL() << "a 100 MB field was accepted";
  } catch (const UnreadableInput& e) {
    EXPECT_EQ(e.locator(), "/data/0");
    EXPECT_STREQ(e.what(), "record larger than max_record_bytes (16777216 bytes)");
  }
  EXPECT_LE(source.produced(), (std::size_t{16} << 20) + (std::size_t{128} << 10));
}

TEST(JsonReader, FailingSourceFailsEveryLaterCallToo) {
  // A read error (a dropped connection) goes through RapidJSON and reaches the caller as is.
  class BrokenSource final : public ByteSource {
   public:
    std::size_t read(char* buffer, std::size_t size) override {
      if (calls_++ > 0) throw std::runtime_error("connection reset");
      const std::string head = R"([{"a": 1}, {"a": )";
      const std::size_t n = std::min(size, head.size());
      head.copy(buffer, n);
      return n;
    }
    std::string name() const override { return "broken"; }

   private:
    int calls_ = 0;
  } source;
  auto reader = factory("")(source);
  EXPECT_NE(reader->next(), nullptr);
  EXPECT_THROW(reader->next(), std::runtime_error);
  EXPECT_THROW(reader->next(), std::runtime_error);
}

// --- the same whatever the chunking ----------------------------------------------------------

TEST(JsonReader, OneByteAtATimeGivesTheSameResults) {
  struct Case {
    const char* settings;
    std::string input;
    const char* pointer;
  };
  const std::vector<Case> cases = {
      {R"(records = "/data/locations")", kLocations, "/locationId"},
      {R"(records = "/pages/*/locations")",
       R"({"pages": [{"locations": [{"id": 1}, {"id": 2}]}, {"locations": [{"id": 3}]}]})", "/id"},
      {"records = \"/data\"\ndocuments = \"sequence\"",
       "{\"data\": [{\"id\": 1.50}]}\n{\"data\": [{\"id\": 2}, {\"id\": 3}]}\n", "/id"},
      {"", R"([{"a": "x"}, {"a": "y"}, {"a": )", "/a"},
      {"", R"([{"a": 1}, {"a": 2} {"a": 3}])", "/a"},
      {"", std::string(R"([{"a": "ok"}, {"a": "caf)") + "\xC3" + "\"}]", "/a"},
      {"max_record_bytes = 20", R"([{"a": "short"}, {"a": "much longer than twenty"}])", "/a"},
      {"",
       "\xEF\xBB\xBF"
       R"([{"a": "bom"}, "scalar", null])",
       "/a"},
      {"max_depth = 3", R"([{"a": [1]}, {"a": [[1]]}])", "/a/0"},
      {R"(records = "/data/locations")", R"({"data": {}})", "/a"},
  };
  for (const Case& c : cases) {
    const auto whole = observe(c.settings, c.input, c.pointer, false);
    const auto bytewise = observe(c.settings, c.input, c.pointer, true);
    EXPECT_EQ(whole, bytewise) << c.input;
    EXPECT_FALSE(whole.empty()) << c.input;
  }
}

TEST(JsonReader, RecordsAcrossChunkBoundariesOfALargeInput) {
  // Enough records to cross many 64 KiB chunks, with a resume at every position of a chunk.
  std::string input = R"({"data": [)";
  const std::size_t count = 20'000;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) input += ",\n";
    input += R"({"id": )" + std::to_string(i) + R"(, "name": "place )" + std::to_string(i) +
             R"(", "tags": ["a", "b"]})";
  }
  input += "]}";
  Opened opened = open(R"(records = "/data")", input);
  const Selector id = opened.bind("/id");
  std::size_t seen = 0;
  while (auto record = opened.reader->next()) {
    ASSERT_EQ(value_or(*record, id), std::to_string(seen));
    ASSERT_EQ(record->locator(), "/data/" + std::to_string(seen));
    ++seen;
  }
  EXPECT_EQ(seen, count);
}

// --- the mapping's side ------------------------------------------------------------------------

TEST(JsonReader, BindRefusesAnInvalidPointer) {
  Opened opened = open("", "[]");
  for (const char* bad : {"name", "/a~2", "/a~", "currentRatings/overall"}) {
    try {
      opened.bind(bad);
      FAIL() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("\"") + bad + "\""));
    }
  }
  FieldPath insensitive;
  insensitive.path = "/name";
  insensitive.match = FieldPath::Match::insensitive;
  EXPECT_THROW(opened.reader->bind(insensitive), std::invalid_argument);
}

TEST(JsonReader, SettingsErrorsNameTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"record = \"/data\"", "reader.record: unknown key; did you mean \"records\"?"},
      {"max_depth = 0", "reader.max_depth: must be between 1 and 4096, got 0"},
      {"max_depth = \"deep\"", "reader.max_depth: expected an integer, got a string"},
      {"max_record_bytes = 0", "reader.max_record_bytes: must be between"},
      {"documents = \"many\"", "reader.documents: expected \"single\" or \"sequence\""},
      {"records = \"data\"", "reader.records: invalid JSON Pointer \"data\""},
      {"records = 3", "reader.records: expected a string, got an integer"},
      {"records = \"/a/b/c\"\nmax_depth = 3", "reader.max_depth: 3 is too small for records"},
  };
  for (const auto& [settings, expected] : cases) {
    try {
      factory(settings);
      FAIL() << settings << " was accepted";
    } catch (const config::ConfigError& e) {
      EXPECT_THAT(e.what(), HasSubstr(expected)) << settings;
      EXPECT_THAT(e.what(), HasSubstr("line ")) << settings;
    }
  }
}

TEST(JsonReader, NoSettingsTableMeansDefaults) {
  StringSource source(R"([{"a": 1}])");
  auto reader = configure_json_reader(nullptr)(source);
  EXPECT_NE(reader->next(), nullptr);
  EXPECT_EQ(reader->next(), nullptr);
}

}  // namespace
}  // namespace opcat::adapters
