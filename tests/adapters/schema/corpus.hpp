// The record corpus (corpus/*.json) and helpers shared by the schema tests.
#pragma once

#include <rapidjson/document.h>

#include <filesystem>
#include <string>
#include <vector>

#include "adapters/schema/record_schema.hpp"
#include "adapters/schema/xml_record_schema.hpp"

namespace opcat::schema::testing {

const std::filesystem::path kSchemasDir = std::filesystem::path(OPCAT_SOURCE_DIR) / "schemas";

// Loaded once for the whole test binary (both are immutable and thread-safe).
const RecordSchema& record_schema();
const XmlRecordSchema& xml_schema();

struct ExpectedViolation {
  std::string field;
  std::string code;
};

struct CorpusCase {
  std::string name;
  rapidjson::Document record;
  std::vector<ExpectedViolation> expect;  // empty for a valid record
  bool xml_valid = false;                 // the XML form cannot see the fault (see README.md)
};

// valid.json's records, then invalid.json's cases built from them.
const std::vector<CorpusCase>& corpus();
const rapidjson::Value& valid_record(const std::string& name);

rapidjson::Document parse(const std::string& json);

// A <records> document holding `records`, written with begin/write/end_xml_document. Throws what
// write_xml_record throws.
std::string xml_document(const std::vector<const rapidjson::Value*>& records, bool indent = true);

std::string fields_and_codes(const std::vector<Violation>& violations);

}  // namespace opcat::schema::testing
