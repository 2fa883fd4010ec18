// The field paths most mappings use ("@id", "establishment", "scores/score[@test='safety']",
// "recommendations/recommendation[2]/@id"), walked directly over the record's tree. libxml2's
// XPath engine costs thousands of instructions per evaluation (a parser context, a value stack,
// node-set objects); these paths need a few pointer hops, and give the same nodes in the same
// (document) order. Anything else goes to libxml2.
#pragma once

#include <libxml/tree.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/readers/xml/xml_settings.hpp"

namespace opcat::adapters {

class SimplePath {
 public:
  // The path if it is of the form step("/"step)*("/@"name)? or "@"name, where a step is a name
  // with at most one predicate [@name='literal'] or [n]; nullopt otherwise. Names may carry the
  // mapping's prefixes (and "xml").
  static std::optional<SimplePath> parse(std::string_view expression,
                                         const std::vector<XmlNamespace>& namespaces);

  // Appends the selected elements or attributes (as xmlNodePtr) under `context` in document
  // order, stopping once `out` holds `limit` nodes.
  void select(xmlNodePtr context, std::vector<xmlNodePtr>& out, std::size_t limit) const;

 private:
  struct Name {
    std::string uri;  // empty: no namespace
    std::string local;
  };
  struct Step {
    Name element;
    std::optional<std::size_t> position;  // [n]
    std::optional<Name> attribute;        // [@name='value']
    std::string value;
  };

  void walk(xmlNodePtr context, std::size_t step, std::vector<xmlNodePtr>& out,
            std::size_t limit) const;
  static bool is_named(xmlNodePtr node, const Name& name);
  static xmlAttrPtr find_attribute(xmlNodePtr element, const Name& name);

  std::vector<Step> steps_;
  std::optional<Name> attribute_;  // the final "@name"
};

// The XPath string-value of an element (its text content) or attribute (its value).
std::string string_value(xmlNodePtr node);

// The text of a node whose only child is one text node (most elements and attributes), without
// libxml2's allocate-and-concatenate; nullopt otherwise. Valid as long as the node.
std::optional<std::string_view> single_text(xmlNodePtr node);

}  // namespace opcat::adapters
