// The common record schema v1, XML form (schemas/record.xsd): load once, then validate documents
// from any number of threads. Documents are read as a stream, one record at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "adapters/schema/violation.hpp"

namespace opcat::schema {

class XmlRecordSchema {
 public:
  // Parses and compiles record.xsd from `dir`. Nothing is printed and nothing is fetched: errors
  // are collected, and the schema is read from memory with XML_PARSE_NONET. Throws
  // std::runtime_error naming the file on any problem.
  static XmlRecordSchema load(const std::filesystem::path& dir);

  XmlRecordSchema(XmlRecordSchema&&) noexcept;
  XmlRecordSchema& operator=(XmlRecordSchema&&) noexcept;
  ~XmlRecordSchema();

  // Everything wrong with a <records> document; empty when it is valid. A document may come from
  // anyone: any DOCTYPE is refused ("doctype") before its content is used, no entity is
  // substituted, nothing is fetched. Each record is checked on its own, so `field` is the dotted
  // path inside the record ("ratings[0].value") and each message starts "line N, record K".
  // validate_file throws std::runtime_error when the file cannot be read.
  std::vector<Violation> validate_file(const std::filesystem::path& path) const;
  std::vector<Violation> validate_memory(std::string_view xml) const;

 private:
  struct Impl;
  explicit XmlRecordSchema(std::unique_ptr<const Impl> impl);
  std::unique_ptr<const Impl> impl_;
};

}  // namespace opcat::schema
