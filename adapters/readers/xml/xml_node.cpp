#include "adapters/readers/xml/xml_node.hpp"

#include <algorithm>
#include <iterator>

namespace opcat::adapters {
namespace {

std::string_view as_view(const xmlChar* text) {
  return text == nullptr ? std::string_view{} : reinterpret_cast<const char*>(text);
}

bool is_xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string stripped(std::string_view text) {
  while (!text.empty() && is_xml_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_xml_space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::string node_text(xmlNodePtr node) {
  if (auto text = single_text(node)) return stripped(*text);
  return stripped(string_value(node));
}

std::optional<std::string> first_text(const Selection& selection) {
  if (selection.is_scalar) {
    if (!selection.scalar) return std::nullopt;
    return stripped(*selection.scalar);
  }
  if (selection.nodes.empty()) return std::nullopt;
  return node_text(selection.nodes.front());
}

// Same namespace and local name: what makes two siblings "the same step" of a path.
bool same_name(xmlNodePtr a, xmlNodePtr b) {
  if (a->type != XML_ELEMENT_NODE || b->type != XML_ELEMENT_NODE) return false;
  if (!xmlStrEqual(a->name, b->name)) return false;
  const xmlChar* a_uri = a->ns != nullptr ? a->ns->href : nullptr;
  const xmlChar* b_uri = b->ns != nullptr ? b->ns->href : nullptr;
  return xmlStrEqual(a_uri, b_uri) != 0;
}

// "recommendation[2]" (1-based among same-named siblings), or "recommendations" when alone; the
// name as the document writes it, prefix included, so the member recognises it.
std::string step(xmlNodePtr element) {
  std::string name;
  if (element->ns != nullptr && element->ns->prefix != nullptr) {
    name = std::string(as_view(element->ns->prefix)) + ":";
  }
  name += as_view(element->name);
  std::size_t position = 1;
  bool repeated = false;
  for (xmlNodePtr other = element->prev; other != nullptr; other = other->prev) {
    if (same_name(other, element)) ++position;
  }
  for (xmlNodePtr other = element->next; other != nullptr && !repeated; other = other->next) {
    repeated = same_name(other, element);
  }
  if (position > 1 || repeated) name += "[" + std::to_string(position) + "]";
  return name;
}

// The element's path below the record (the document's root element): "" for the record itself.
std::string path_below_record(xmlNodePtr element) {
  std::string path;
  for (xmlNodePtr node = element; node->parent != nullptr && node->parent->type == XML_ELEMENT_NODE;
       node = node->parent) {
    path.insert(0, "/" + step(node));
  }
  return path;
}

}  // namespace

XmlNode::XmlNode(SharedXmlDoc doc, xmlNodePtr element, std::shared_ptr<const XPathFields> fields,
                 std::shared_ptr<const std::string> record_path)
    : doc_(std::move(doc)),
      element_(element),
      fields_(std::move(fields)),
      record_path_(std::move(record_path)) {}

const std::string& XmlNode::locator() const {
  if (locator_.empty()) {
    locator_ = *record_path_ + path_below_record(element_);
    const long line = xmlGetLineNo(element_);
    if (line > 0) locator_ += " (line " + std::to_string(line) + ")";
  }
  return locator_;
}

std::optional<std::string_view> XmlNode::value(Selector selector) const {
  auto known = std::find_if(answers_.begin(), answers_.end(),
                            [&](const auto& answer) { return answer.first == selector; });
  if (known == answers_.end()) {
    answers_.emplace_back(selector, first_text(fields_->select(selector, element_, 1)));
    known = std::prev(answers_.end());
  }
  if (!known->second) return std::nullopt;
  return std::string_view(*known->second);
}

std::vector<std::string> XmlNode::values(Selector selector) const {
  const Selection& selection = fields_->select(selector, element_);
  std::vector<std::string> texts;
  if (selection.is_scalar) {
    if (selection.scalar) texts.push_back(stripped(*selection.scalar));
    return texts;
  }
  texts.reserve(selection.nodes.size());
  for (xmlNodePtr node : selection.nodes) texts.push_back(node_text(node));
  return texts;
}

std::vector<std::unique_ptr<SourceNode>> XmlNode::children(Selector selector) const {
  const Selection& selection = fields_->select(selector, element_);
  std::vector<std::unique_ptr<SourceNode>> nodes;
  for (xmlNodePtr node : selection.nodes) {
    if (node->type != XML_ELEMENT_NODE) continue;  // attributes and text have no fields
    nodes.push_back(std::make_unique<XmlNode>(doc_, node, fields_, record_path_));
  }
  return nodes;
}

}  // namespace opcat::adapters
