// The mapping's field paths for one XML reader: XPath expressions compiled once at bind time and
// evaluated against each record element (or a child element) with the mapping's namespaces.
#pragma once

#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/core/reader.hpp"
#include "adapters/readers/xml/simple_path.hpp"
#include "adapters/readers/xml/untrusted_xml.hpp"
#include "adapters/readers/xml/xml_settings.hpp"

namespace opcat::adapters {

// What a field path selected under one node.
struct Selection {
  std::vector<xmlNodePtr> nodes;      // elements and attributes, in document order
  std::optional<std::string> scalar;  // a string, number or boolean result, as text
  bool is_scalar = false;
};

// Not thread-safe: one evaluation context serves every node of a reader, so a reader and the
// nodes it yields are used from one thread at a time (as readers are).
class XPathFields {
 public:
  explicit XPathFields(const std::vector<XmlNamespace>& namespaces);
  ~XPathFields();
  XPathFields(const XPathFields&) = delete;
  XPathFields& operator=(const XPathFields&) = delete;

  // Compiles `expression` (once: the same text gives the same selector). Throws
  // std::invalid_argument naming the expression when it does not compile or uses a prefix that
  // reader.namespaces does not declare.
  Selector compile(const std::string& expression);

  const std::string& expression(Selector selector) const;

  // Evaluates with `node` as the context node; `limit` caps how many nodes are wanted (a hint
  // that only the direct walk of a SimplePath can use). Throws std::invalid_argument naming the
  // expression when libxml2 fails (an unknown function called only on some records, say).
  // The returned reference is to a buffer reused by the next select().
  const Selection& select(Selector selector, xmlNodePtr node, std::size_t limit = SIZE_MAX) const;

 private:
  struct Field {
    std::string expression;
    xmlXPathCompExprPtr compiled;
    std::optional<SimplePath> simple;
  };

  // libxml2's XPath engine; fills selection_.
  void evaluate(const Field& field, xmlNodePtr node) const;

  std::vector<XmlNamespace> namespaces_;
  std::vector<std::string> declared_prefixes_;
  std::vector<Field> fields_;
  xmlDocPtr scratch_;  // the context's document between evaluations
  xmlXPathContextPtr context_;
  mutable XmlError error_;
  mutable Selection selection_;  // reused: one allocation per reader, not per evaluation
};

}  // namespace opcat::adapters
