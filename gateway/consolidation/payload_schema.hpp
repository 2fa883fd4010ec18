// Checking a consolidated submission against its schema, as a recipient does before accepting it
// (the inbox): the JSON form against schemas/consolidated.schema.json, the XML form against
// schemas/consolidated.xsd. Both refer to the record schema and the code lists beside them; all
// are read once, from one folder.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/consolidation/payload_writer.hpp"

namespace opcat::consolidation {

class PayloadSchema {
 public:
  // Reads consolidated.schema.json, record.schema.json, the code lists and consolidated.xsd (with
  // the record.xsd it includes) from `dir` (usually schema::schemas_dir()). Throws
  // std::runtime_error naming the file on any problem.
  static PayloadSchema load(const std::filesystem::path& dir);

  PayloadSchema(PayloadSchema&&) noexcept;
  PayloadSchema& operator=(PayloadSchema&&) noexcept;
  ~PayloadSchema();

  // The first thing wrong with the JSON payload ("<JSON pointer>: <keyword>", or "byte N: ..."
  // when it is not well-formed JSON), or empty when it is valid.
  //
  // Not thread-safe (RapidJSON 1.1.0's validator keeps state in the schema's regexes): one
  // PayloadSchema per thread, or one at a time.
  std::string problem(std::string_view json) const;

  // The first thing wrong with the payload file, or empty when it is valid. Memory stays
  // constant whatever the file's size: JSON is streamed through RapidJSON's SAX reader into the
  // schema validator, never into a DOM; XML through libxml2's xmlTextReader with the XSD
  // validator plugged into it, each node freed once passed. Problems read "<JSON pointer>:
  // <keyword>" or "byte N: ..." (JSON), "line N: <libxml2's message>" (XML).
  //
  // The file may come from anyone: JSON nesting is limited; an XML DOCTYPE is refused before
  // anything in it is parsed (no DTD, no entity is ever loaded or substituted, XML_PARSE_NONET).
  // Throws std::runtime_error naming the file when it cannot be opened or read. Not thread-safe,
  // as problem().
  std::string problem_in_file(const std::filesystem::path& payload, PayloadFormat format) const;

 private:
  struct Impl;
  explicit PayloadSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace opcat::consolidation
