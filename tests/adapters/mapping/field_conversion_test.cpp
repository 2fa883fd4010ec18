#include "adapters/mapping/field_conversion.hpp"

#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace opcat::adapters {
namespace {

// Converts `raw` with `rule` and gives the JSON text of the result, or "!code" on a problem.
std::string convert(const FieldRule& rule, std::string_view raw, std::string_view member = "icva") {
  rapidjson::Document document;
  rapidjson::Value out;
  ConversionProblem problem;
  if (!convert_value(rule, raw, member, out, document.GetAllocator(), problem)) return "!" + problem.code;
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> writer(text);
  out.Accept(writer);
  return text.GetString();
}

FieldRule of_kind(FieldRule::Kind kind) {
  FieldRule rule;
  rule.field = "f";
  rule.kind = kind;
  return rule;
}

TEST(FieldConversion, StringsAreTrimmedAndReferencesScopedToTheMember) {
  EXPECT_EQ(convert(of_kind(FieldRule::Kind::string), "  HMP Example \t"), R"("HMP Example")");
  FieldRule reference = of_kind(FieldRule::Kind::string);
  reference.reference = true;
  EXPECT_EQ(convert(reference, " V-17 ", "icva"), R"("icva:V-17")");
}

TEST(FieldConversion, IntegersAsMembersWriteThem) {
  const auto rule = of_kind(FieldRule::Kind::integer);
  EXPECT_EQ(convert(rule, "42"), "42");
  EXPECT_EQ(convert(rule, " 1,234 "), "1234");
  EXPECT_EQ(convert(rule, "12.0"), "12");
  EXPECT_EQ(convert(rule, "12.5"), "!bad_integer");
  EXPECT_EQ(convert(rule, "twelve"), "!bad_integer");
  EXPECT_EQ(convert(rule, "99999999999999999999999"), "!bad_integer");
}

TEST(FieldConversion, NumbersBooleansDates) {
  EXPECT_EQ(convert(of_kind(FieldRule::Kind::number), "3.5"), "3.5");
  EXPECT_EQ(convert(of_kind(FieldRule::Kind::number), "nan"), "!bad_number");
  EXPECT_EQ(convert(of_kind(FieldRule::Kind::boolean), "Y"), "true");
  EXPECT_EQ(convert(of_kind(FieldRule::Kind::boolean), "no"), "false");
  EXPECT_EQ(convert(of_kind(FieldRule::Kind::boolean), "maybe"), "!bad_boolean");
  FieldRule date = of_kind(FieldRule::Kind::date);
  date.date_formats = {DateFormat::dmy_slash};
  EXPECT_EQ(convert(date, "12/03/2025"), R"("2025-03-12")");
  EXPECT_EQ(convert(date, "2025-03-12"), "!bad_date");
}

TEST(FieldConversion, ValueMapsComeFirstAndIgnoreCaseAndSpaces) {
  FieldRule rule = of_kind(FieldRule::Kind::integer);
  rule.value_map = {{"outstanding", std::int64_t{1}}, {"good", std::int64_t{2}}};
  EXPECT_EQ(convert(rule, "  Good "), "2");
  EXPECT_EQ(convert(rule, "OUTSTANDING"), "1");
  EXPECT_EQ(convert(rule, "Inadequate"), "!unmapped_value");
  rule.map_passthrough = true;
  EXPECT_EQ(convert(rule, "4"), "4");
}

TEST(FieldConversion, UnmappedValueNamesWhatIsKnown) {
  FieldRule rule = of_kind(FieldRule::Kind::string);
  rule.value_map = {{"hmp", std::string("prison")}, {"yoi", std::string("young_offender_institution")}};
  rapidjson::Document document;
  rapidjson::Value out;
  ConversionProblem problem;
  ASSERT_FALSE(convert_value(rule, "Gaol", "hmip", out, document.GetAllocator(), problem));
  EXPECT_EQ(problem.code, "unmapped_value");
  EXPECT_NE(problem.message.find("\"Gaol\""), std::string::npos);
  EXPECT_NE(problem.message.find("hmp, yoi"), std::string::npos);
}

TEST(FieldConversion, ListsDropEmptyItems) {
  FieldRule rule = of_kind(FieldRule::Kind::list);
  rapidjson::Document document;
  rapidjson::Value out;
  ConversionProblem problem;
  ASSERT_TRUE(convert_list(rule, {" cqc", "", "ofsted "}, "hmip", out, document.GetAllocator(), problem));
  ASSERT_TRUE(out.IsArray());
  ASSERT_EQ(out.Size(), 2u);
  EXPECT_STREQ(out[0].GetString(), "cqc");
  EXPECT_STREQ(out[1].GetString(), "ofsted");
}

}  // namespace
}  // namespace opcat::adapters
