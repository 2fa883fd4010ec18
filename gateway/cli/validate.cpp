// opcat-gateway validate: checks a file of records against the common schema, in either form:
// JSON lines (as `normalise` writes them) or an XML document (against schemas/record.xsd).
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <cstring>
#include <iostream>

#include "adapters/core/byte_source.hpp"
#include "adapters/schema/record_schema.hpp"
#include "adapters/schema/schemas_dir.hpp"
#include "adapters/schema/xml_record_schema.hpp"
#include "gateway/cli/commands.hpp"

namespace opcat::cli {
namespace {

constexpr std::size_t kMaxLine = 16 * 1024 * 1024;  // a record is kilobytes; this is hostile
constexpr int kMaxDepth = 16;                        // a record nests four levels

void problem(std::uint64_t line, const std::string& field, const std::string& code,
             const std::string& message) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> json(text);
  json.StartObject();
  json.Key("line");
  json.Uint64(line);
  json.Key("field");
  json.String(field.c_str());
  json.Key("code");
  json.String(code.c_str());
  json.Key("message");
  json.String(message.c_str());
  json.EndObject();
  std::fprintf(stderr, "%s\n", text.GetString());
}

void summary(const std::string& file, std::uint64_t records, std::uint64_t invalid, const char* verdict) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> json(text);
  json.StartObject();
  json.Key("summary");
  json.StartObject();
  json.Key("file");
  json.String(file.c_str());
  json.Key("records");
  json.Uint64(records);
  json.Key("invalid");
  json.Uint64(invalid);
  json.Key("verdict");
  json.String(verdict);
  json.EndObject();
  json.EndObject();
  std::fprintf(stderr, "%s\n", text.GetString());
}

// RapidJSON builds and destroys a DOM recursively: refuse deep nesting before parsing.
bool too_deep(const std::string& line) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

int validate_json_lines(const std::string& file, const schema::RecordSchema& record_schema) {
  adapters::FileSource source(file);
  std::uint64_t line_number = 0, records = 0, invalid = 0;
  std::string line;
  char chunk[64 * 1024];
  bool more = true;
  std::size_t size = 0, offset = 0;
  while (more || offset < size) {
    // Take one line from the buffered chunks.
    bool complete = false;
    while (!complete) {
      if (offset == size) {
        size = more ? source.read(chunk, sizeof chunk) : 0;
        offset = 0;
        if (size == 0) {
          more = false;
          break;
        }
      }
      const char* start = chunk + offset;
      const void* newline = std::memchr(start, '\n', size - offset);
      const std::size_t take = newline ? static_cast<const char*>(newline) - start : size - offset;
      if (line.size() + take > kMaxLine) {
        problem(line_number + 1, "", "line_too_long", "a line longer than 16 MiB is not a record");
        summary(file, records, invalid + 1, "rejected");
        return kExitRejected;
      }
      line.append(start, take);
      offset += take + (newline ? 1 : 0);
      complete = newline != nullptr;
    }
    if (!complete && line.empty()) break;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    ++records;
    if (too_deep(line)) {
      ++invalid;
      problem(line_number, "", "too_deep", "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
      line.clear();
      continue;
    }
    rapidjson::Document record;
    record.Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
    if (record.HasParseError()) {
      ++invalid;
      problem(line_number, "", "not_json",
              std::string(rapidjson::GetParseError_En(record.GetParseError())) + " at byte " +
                  std::to_string(record.GetErrorOffset()));
    } else {
      const auto violations = record_schema.validate(record);
      if (!violations.empty()) ++invalid;
      for (const auto& violation : violations) {
        problem(line_number, violation.field, violation.code, violation.message);
      }
    }
    line.clear();
  }
  summary(file, records, invalid, invalid == 0 ? "valid" : "invalid");
  return invalid == 0 ? kExitOk : kExitSomeRejected;
}

int validate_xml(const std::string& file) {
  const auto xml_schema = schema::XmlRecordSchema::load(schema::schemas_dir());
  const auto violations = xml_schema.validate_file(file);
  for (const auto& violation : violations) problem(0, violation.field, violation.code, violation.message);
  summary(file, 0, violations.size(), violations.empty() ? "valid" : "invalid");
  return violations.empty() ? kExitOk : kExitSomeRejected;
}

}  // namespace

void add_validate(CLI::App& app, int& exit_code) {
  auto file = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "validate",
      "Check records against the common schema: a JSON-lines file (as normalise writes) or an XML "
      "document (.xml). Problems go to stderr as JSON lines. Exit 0: valid; 3: invalid records; "
      "4: unreadable.");
  command->add_option("file", *file, "The records file")->required()->check(CLI::ExistingFile);
  command->callback([file, &exit_code] {
    try {
      const bool xml = file->size() > 4 && file->compare(file->size() - 4, 4, ".xml") == 0;
      exit_code = xml ? validate_xml(*file)
                      : validate_json_lines(*file, schema::RecordSchema::load(schema::schemas_dir()));
    } catch (const std::exception& e) {
      std::cerr << "opcat-gateway validate: " << e.what() << '\n';
      exit_code = kExitRejected;
    }
  });
}

}  // namespace opcat::cli
