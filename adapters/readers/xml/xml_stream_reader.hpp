// The Reader over one XML export: walks the document with libxml2's streaming reader and yields
// each element at the record path, expanded and copied, so memory is one record, not the file.
#pragma once

#include <libxml/xmlreader.h>

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/core/byte_source.hpp"
#include "adapters/core/reader.hpp"
#include "adapters/readers/xml/source_feed.hpp"
#include "adapters/readers/xml/untrusted_xml.hpp"
#include "adapters/readers/xml/xml_settings.hpp"
#include "adapters/readers/xml/xpath_fields.hpp"

namespace opcat::adapters {

class XmlStreamReader final : public Reader {
 public:
  XmlStreamReader(ByteSource& source, std::shared_ptr<const XmlSettings> settings);
  ~XmlStreamReader() override;
  XmlStreamReader(const XmlStreamReader&) = delete;
  XmlStreamReader& operator=(const XmlStreamReader&) = delete;

  // XPath relative to the record element; only FieldPath::Match::exact.
  Selector bind(const FieldPath& path) override;
  std::string source_field(Selector selector) const override;
  // Record locators are "/inspections/inspection[3] (line 120)": the index counts every record
  // of the file (1-based), whatever parent it sits in.
  std::unique_ptr<SourceNode> next() override;

 private:
  std::unique_ptr<SourceNode> find_record();
  std::unique_ptr<SourceNode> take_record();
  // One libxml2 call, within a fresh byte budget; throws on any failure it reported.
  int step(int (*call)(xmlTextReaderPtr), const std::string* record = nullptr);
  void throw_if_failed(bool failed, const std::string* record);
  bool matches(const XmlPathStep& step) const;
  std::string here() const;  // "line 57": where the parser is
  [[noreturn]] void reject_doctype();
  [[noreturn]] void unreadable(std::string locator, const std::string& message);

  std::shared_ptr<const XmlSettings> settings_;
  SourceFeed feed_;
  XmlError error_;
  std::shared_ptr<XPathFields> fields_;
  xmlTextReaderPtr reader_ = nullptr;
  std::vector<std::string> open_names_;  // the document's names of the elements on the path
  std::optional<int> skipping_depth_;    // inside an element off the record path
  bool on_taken_record_ = false;         // the next step skips the record just yielded
  std::size_t records_ = 0;
  bool finished_ = false;
  std::exception_ptr failure_;  // what ended the reading, thrown again on every later next()
};

}  // namespace opcat::adapters
