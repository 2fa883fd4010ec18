// The direct walk for simple field paths gives what libxml2's XPath engine gives: each path is
// compared with the same path in parentheses, which is a filter expression libxml2 evaluates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/readers/xml/simple_path.hpp"
#include "xml_test_support.hpp"

namespace opcat::adapters {
namespace {

using testing::xml_reader;

const std::string kDocument = R"(<inspections xmlns:h="urn:example:hmip">
  <inspection id="1" h:id="h1">
    <scores><score test="safety">2</score><score test="respect"> 3 </score></scores>
    <scores><score test="safety">4</score><score h:test="safety">9</score></scores>
    <h:name>Leeds</h:name><name>Unqualified</name>
    <recommendations>
      <recommendation id="R1"><text>One <b>bold</b> step</text></recommendation>
      <recommendation id="R2"><text/></recommendation>
      <recommendation><text>Three</text></recommendation>
    </recommendations>
    <empty></empty>
    <blank>   </blank>
  </inspection>
</inspections>)";

const std::vector<std::string> kPaths = {"@id",
                                         "@h:id",
                                         "@missing",
                                         "scores",
                                         "scores/score",
                                         "scores/score[@test='safety']",
                                         "scores/score[@test=\"respect\"]",
                                         "scores/score[@h:test='safety']",
                                         "scores/score[2]",
                                         "scores[2]/score[1]",
                                         "scores/score/@test",
                                         "h:name",
                                         "name",
                                         "recommendations/recommendation",
                                         "recommendations/recommendation/@id",
                                         "recommendations/recommendation[3]/text",
                                         "recommendations/recommendation[@id='R2']/text",
                                         "recommendations/recommendation[4]",
                                         "recommendations/recommendation/text",
                                         "empty",
                                         "blank",
                                         "nothing/here",
                                         "@xml:lang"};

TEST(XmlSimplePath, CoversTheCommonShapes) {
  const std::vector<XmlNamespace> namespaces{{"h", "urn:example:hmip"}};
  for (const auto& path : kPaths) {
    EXPECT_TRUE(SimplePath::parse(path, namespaces).has_value()) << path;
  }
  for (const std::string other :
       {"(a)", "a//b", "//a", "a/*", "a/text()", "a[1][2]", "a[0]", "a[@b='c' and @d]", "a/..",
        "./a", "a | b", "count(a)", "a[@b = 'c']", "a[b='c']", "a/", "x:a", "a[@b='c]"}) {
    EXPECT_FALSE(SimplePath::parse(other, namespaces).has_value()) << other;
  }
}

TEST(XmlSimplePath, GivesWhatLibxml2Gives) {
  StringSource source(kDocument);
  auto reader = xml_reader(source, R"(
record = "/inspections/inspection"
namespaces = { h = "urn:example:hmip" })");
  std::vector<std::pair<Selector, Selector>> pairs;
  for (const auto& path : kPaths) {
    pairs.emplace_back(reader->bind(FieldPath{path}), reader->bind(FieldPath{"(" + path + ")"}));
  }
  auto record = reader->next();
  ASSERT_NE(record, nullptr);
  for (std::size_t i = 0; i < kPaths.size(); ++i) {
    const auto [simple, engine] = pairs[i];
    EXPECT_EQ(record->value(simple), record->value(engine)) << kPaths[i];
    EXPECT_EQ(record->values(simple), record->values(engine)) << kPaths[i];
    std::vector<std::string> simple_children, engine_children;
    for (const auto& child : record->children(simple)) simple_children.push_back(child->locator());
    for (const auto& child : record->children(engine)) engine_children.push_back(child->locator());
    EXPECT_EQ(simple_children, engine_children) << kPaths[i];
  }
  // A sample of the answers themselves, so that both cannot be wrong the same way.
  EXPECT_EQ(record->value(pairs[5].first), "2");
  EXPECT_THAT(record->values(pairs[5].first), ::testing::ElementsAre("2", "4"));
  EXPECT_EQ(record->value(pairs[7].first), "9");
  EXPECT_EQ(record->value(pairs[15].first), "Three");
  EXPECT_EQ(record->value(pairs[20].first), "");
  EXPECT_THAT(record->values(pairs[18].first),
              ::testing::ElementsAre("One bold step", "", "Three"));
}

}  // namespace
}  // namespace opcat::adapters
