// The [reader] table of an XML mapping: every mistake names reader.<key> and its line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "adapters/readers/xml/xml_reader.hpp"
#include "gateway/config/config.hpp"
#include "xml_test_support.hpp"

namespace opcat::adapters {
namespace {

using ::testing::HasSubstr;

// The ConfigError message for `toml_text` as the [reader] table, or "" when it is accepted.
std::string config_error(const std::string& toml_text) {
  const toml::table settings = testing::reader_table(toml_text);
  try {
    configure_xml_reader(&settings);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(XmlReaderSettings, AcceptsTheDocumentedKeys) {
  EXPECT_EQ(config_error(R"(
record = "/h:report/h:inspections/h:inspection"
namespaces = { h = "urn:example:hmip", x = "http://www.w3.org/1999/xhtml" }
max_record_bytes = 1048576)"),
            "");
  EXPECT_EQ(config_error(R"(record = "/inspections/inspection")"), "");
}

TEST(XmlReaderSettings, AnUnknownKeyIsNamedWithASuggestion) {
  const std::string error = config_error("record = \"/a/b\"\nmax_record_byte = 10\n");
  EXPECT_THAT(error, HasSubstr("reader.max_record_byte: unknown key"));
  EXPECT_THAT(error, HasSubstr("did you mean \"max_record_bytes\""));
  EXPECT_THAT(error, HasSubstr("line 2"));
}

TEST(XmlReaderSettings, RecordIsRequired) {
  EXPECT_THAT(config_error("max_record_bytes = 4096\n"),
              HasSubstr("reader.record: required key is missing"));
  EXPECT_THROW(configure_xml_reader(nullptr), config::ConfigError);  // no [reader] table at all
}

TEST(XmlReaderSettings, RecordMustBeAnAbsolutePathOfElementNames) {
  for (const std::string bad :
       {"inspections/inspection", "//inspection", "/inspections//inspection", "/inspections/",
        "/inspections/@id", "/inspections/inspection[1]", "/1inspections"}) {
    EXPECT_THAT(config_error("record = \"" + bad + "\""), HasSubstr("reader.record: ")) << bad;
  }
  EXPECT_THAT(config_error("record = 3"), HasSubstr("reader.record: expected a string"));
  EXPECT_THAT(config_error("record = \"\""), HasSubstr("reader.record: must not be empty"));
}

TEST(XmlReaderSettings, RecordPrefixesMustBeDeclared) {
  const std::string error = config_error("record = \"/h:inspections/h:inspection\"");
  EXPECT_THAT(error, HasSubstr("reader.record: namespace prefix \"h\" is not declared"));
  EXPECT_THAT(error, HasSubstr("line 1"));
}

TEST(XmlReaderSettings, NamespacesMustBeATableOfPrefixToUri) {
  EXPECT_THAT(config_error("record = \"/a\"\nnamespaces = \"urn:x\""),
              HasSubstr("reader.namespaces: expected a table, got a string"));
  EXPECT_THAT(
      config_error("record = \"/a\"\nnamespaces = { h = 1 }"),
      HasSubstr("reader.namespaces.h: expected a string (the namespace URI), got an integer"));
  EXPECT_THAT(config_error("record = \"/a\"\nnamespaces = { h = \"\" }"),
              HasSubstr("reader.namespaces.h: the namespace URI must not be empty"));
  EXPECT_THAT(config_error("record = \"/a\"\nnamespaces = { 1h = \"urn:x\" }"),
              HasSubstr("reader.namespaces.1h: a prefix must be an XML name"));
  EXPECT_THAT(config_error("record = \"/a\"\nnamespaces = { xml = \"urn:x\" }"),
              HasSubstr("reader.namespaces.xml: this prefix is reserved"));
  EXPECT_THAT(config_error("record = \"/a\"\n[namespaces]\nh = \"urn:x\"\n\"a:b\" = \"urn:y\"\n"),
              HasSubstr("line 4"));
}

TEST(XmlReaderSettings, MaxRecordBytesIsABoundedInteger) {
  EXPECT_THAT(config_error("record = \"/a\"\nmax_record_bytes = 0"),
              HasSubstr("reader.max_record_bytes: must be between 1024 and 1073741824, got 0"));
  EXPECT_THAT(config_error("record = \"/a\"\nmax_record_bytes = \"16M\""),
              HasSubstr("reader.max_record_bytes: expected an integer"));
}

}  // namespace
}  // namespace opcat::adapters
