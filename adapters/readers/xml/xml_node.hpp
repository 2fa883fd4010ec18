// One record element (or an element nested in it) as a SourceNode. The record's subtree is in a
// document of its own (adopt_record), so a node stays valid after the reader has moved on.
#pragma once

#include <libxml/tree.h>

#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "adapters/core/reader.hpp"
#include "adapters/readers/xml/record_document.hpp"
#include "adapters/readers/xml/xpath_fields.hpp"

namespace opcat::adapters {

class XmlNode final : public SourceNode {
 public:
  // `element` belongs to `doc`, whose root element is the record taken from the export;
  // `record_path` is the record's position there ("/inspections/inspection[3]"). The locator is
  // the element's own position with its line when libxml2 knows it.
  XmlNode(SharedXmlDoc doc, xmlNodePtr element, std::shared_ptr<const XPathFields> fields,
          std::shared_ptr<const std::string> record_path);

  const std::string& locator() const override;
  // Attribute values and element text come with leading and trailing whitespace (space, tab,
  // CR, LF) removed: an export pretty-printed as <name>\n  HMP Leeds\n</name> means "HMP Leeds".
  // XPath strings, numbers and booleans come as their XPath text (stripped alike); NaN counts
  // as absent.
  std::optional<std::string_view> value(Selector selector) const override;
  std::vector<std::string> values(Selector selector) const override;
  // Each element the XPath selects; its locator extends this node's path
  // ("/inspections/inspection[3]/recommendations/recommendation[2]").
  std::vector<std::unique_ptr<SourceNode>> children(Selector selector) const override;

 private:
  SharedXmlDoc doc_;
  xmlNodePtr element_;
  std::shared_ptr<const XPathFields> fields_;
  std::shared_ptr<const std::string> record_path_;
  // Built on first use: most nodes are mapped without ever being named in an error.
  mutable std::string locator_;
  // value() hands out views, so each answer is kept for the node's lifetime (a deque never
  // moves its elements); few fields per node, so a linear search is the fast one.
  mutable std::deque<std::pair<Selector, std::optional<std::string>>> answers_;
};

}  // namespace opcat::adapters
