#include "adapters/readers/xml/xpath_fields.hpp"

#include <libxml/xpathInternals.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "adapters/readers/xml/xml_names.hpp"

namespace opcat::adapters {
namespace {

const xmlChar* xml_text(const std::string& text) {
  return reinterpret_cast<const xmlChar*>(text.c_str());
}

// Namespace nodes (the namespace axis) are copies owned by the result and carry nothing a
// mapping reads: they are left out, everything else is a node of the record's tree.
void to_selection(const xmlXPathObject& result, Selection& selection) {
  switch (result.type) {
    case XPATH_NODESET:
      if (result.nodesetval == nullptr) break;
      for (int i = 0; i < result.nodesetval->nodeNr; ++i) {
        xmlNodePtr node = result.nodesetval->nodeTab[i];
        if (node->type != XML_NAMESPACE_DECL) selection.nodes.push_back(node);
      }
      break;
    case XPATH_BOOLEAN:
      selection.is_scalar = true;
      selection.scalar = result.boolval != 0 ? "true" : "false";
      break;
    case XPATH_NUMBER:
      selection.is_scalar = true;
      if (!std::isnan(result.floatval)) {  // number() of nothing is no number
        xmlChar* text = xmlXPathCastNumberToString(result.floatval);
        selection.scalar = reinterpret_cast<const char*>(text);
        xmlFree(text);
      }
      break;
    case XPATH_STRING:
      selection.is_scalar = true;
      selection.scalar =
          result.stringval != nullptr ? reinterpret_cast<const char*>(result.stringval) : "";
      break;
    default:
      selection.is_scalar = true;
      break;
  }
}

}  // namespace

XPathFields::XPathFields(const std::vector<XmlNamespace>& namespaces) : namespaces_(namespaces) {
  XmlError ignored;
  const UntrustedXmlScope scope(ignored);
  scratch_ = xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0"));
  if (scratch_ != nullptr) {
    xmlDocSetRootElement(scratch_, xmlNewDocNode(scratch_, nullptr, xml_text("record"), nullptr));
  }
  context_ = xmlXPathNewContext(scratch_);
  if (scratch_ == nullptr || xmlDocGetRootElement(scratch_) == nullptr || context_ == nullptr) {
    xmlXPathFreeContext(context_);
    xmlFreeDoc(scratch_);
    throw std::bad_alloc();
  }
  // XPath errors go to error_ through the context: without this libxml2 prints them.
  context_->error = record_xml_error;
  context_->userData = &error_;
  for (const auto& ns : namespaces) {
    xmlXPathRegisterNs(context_, xml_text(ns.prefix), xml_text(ns.uri));
    declared_prefixes_.push_back(ns.prefix);
  }
  declared_prefixes_.emplace_back("xml");  // always bound, as in XML itself
}

XPathFields::~XPathFields() {
  for (auto& field : fields_) xmlXPathFreeCompExpr(field.compiled);
  xmlXPathFreeContext(context_);
  xmlFreeDoc(scratch_);
}

Selector XPathFields::compile(const std::string& expression) {
  auto same = std::find_if(fields_.begin(), fields_.end(),
                           [&](const Field& field) { return field.expression == expression; });
  if (same != fields_.end()) return static_cast<Selector>(same - fields_.begin());

  for (const auto& prefix : xpath_prefixes(expression)) {
    if (std::find(declared_prefixes_.begin(), declared_prefixes_.end(), prefix) ==
        declared_prefixes_.end()) {
      throw std::invalid_argument("XPath \"" + expression + "\": namespace prefix \"" + prefix +
                                  "\" is not declared in reader.namespaces");
    }
  }
  error_ = XmlError{};
  const UntrustedXmlScope scope(error_);
  xmlXPathCompExprPtr compiled = xmlXPathCtxtCompile(context_, xml_text(expression));
  if (compiled == nullptr) {
    throw std::invalid_argument("XPath \"" + expression + "\" does not compile: " +
                                (error_.reported ? error_.message : "invalid expression"));
  }
  Field field{expression, compiled, SimplePath::parse(expression, namespaces_)};
  // libxml2 2.9.14 compiles some broken expressions ("count(" with its ")" missing) and checks
  // function names and arities only when evaluating: a trial on an empty record finds those.
  try {
    evaluate(field, xmlDocGetRootElement(scratch_));
  } catch (const std::invalid_argument&) {
    xmlXPathFreeCompExpr(compiled);
    throw std::invalid_argument("XPath \"" + expression + "\" does not compile: " +
                                (error_.reported ? error_.message : "invalid expression"));
  }
  fields_.push_back(std::move(field));
  return fields_.size() - 1;
}

const std::string& XPathFields::expression(Selector selector) const {
  return fields_.at(selector).expression;
}

const Selection& XPathFields::select(Selector selector, xmlNodePtr node, std::size_t limit) const {
  const Field& field = fields_.at(selector);
  selection_.nodes.clear();
  selection_.scalar.reset();
  selection_.is_scalar = false;
  if (field.simple) {
    field.simple->select(node, selection_.nodes, limit);
  } else {
    evaluate(field, node);
  }
  return selection_;
}

void XPathFields::evaluate(const Field& field, xmlNodePtr node) const {
  error_ = XmlError{};
  // Most XPath errors reach error_ through the context, but some ("function not found") are
  // printed with xmlGenericError: the scope keeps them off stderr.
  const UntrustedXmlScope scope(error_);
  context_->doc = node->doc;
  context_->node = node;
  xmlXPathObjectPtr result = xmlXPathCompiledEval(field.compiled, context_);
  context_->doc = scratch_;
  context_->node = nullptr;  // no dangling pointer into a record that may be freed
  if (result == nullptr) {
    throw std::invalid_argument("XPath \"" + field.expression + "\" failed: " +
                                (error_.reported ? error_.message : "evaluation error"));
  }
  to_selection(*result, selection_);
  xmlXPathFreeObject(result);
}

}  // namespace opcat::adapters
