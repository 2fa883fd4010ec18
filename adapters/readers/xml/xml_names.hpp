// The lexical rules for the names a mapping writes: namespace prefixes and record path steps.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/readers/xml/xml_settings.hpp"

namespace opcat::adapters {

// An XML NCName (a name without a colon). Non-ASCII bytes are accepted as name characters:
// libxml2 checks the document's names, this only keeps mapping typos out.
bool is_ncname(std::string_view text);

// Parses "/inspections/inspection" or "/h:report/h:inspection" against the declared prefixes.
// Throws std::invalid_argument with the reason.
std::vector<XmlPathStep> parse_record_path(std::string_view text,
                                           const std::vector<XmlNamespace>& namespaces);

// The namespace prefixes an XPath expression uses ("h" in "h:scores/h:score[@test='safety']"),
// outside string literals and axis names. Used to refuse an undeclared prefix at bind time:
// libxml2 only notices it when the step is evaluated against a matching node.
std::vector<std::string> xpath_prefixes(std::string_view expression);

}  // namespace opcat::adapters
