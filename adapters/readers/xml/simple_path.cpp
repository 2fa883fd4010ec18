#include "adapters/readers/xml/simple_path.hpp"

#include <libxml/xpathInternals.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "adapters/readers/xml/xml_names.hpp"

namespace opcat::adapters {
namespace {

constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";

std::string_view as_view(const xmlChar* text) {
  return text == nullptr ? std::string_view{} : reinterpret_cast<const char*>(text);
}

// A cursor over the expression; every take_ function consumes only on success.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}
  bool done() const { return position_ == text_.size(); }
  bool take(char c) {
    if (done() || text_[position_] != c) return false;
    ++position_;
    return true;
  }
  // "name" or "prefix:name".
  std::optional<std::pair<std::string_view, std::string_view>> take_qname() {
    const std::size_t start = position_;
    auto first = take_ncname();
    if (!first) return std::nullopt;
    if (!take(':')) return std::pair{std::string_view{}, *first};
    auto second = take_ncname();
    if (!second) {
      position_ = start;
      return std::nullopt;
    }
    return std::pair{*first, *second};
  }
  std::optional<std::size_t> take_position() {
    std::size_t value = 0;
    const char* begin = text_.data() + position_;
    const char* end = text_.data() + text_.size();
    const auto [ptr, error] = std::from_chars(begin, end, value);
    if (error != std::errc() || value == 0) return std::nullopt;
    position_ += static_cast<std::size_t>(ptr - begin);
    return value;
  }
  std::optional<std::string_view> take_literal() {
    if (done() || (text_[position_] != '\'' && text_[position_] != '"')) return std::nullopt;
    const std::size_t close = text_.find(text_[position_], position_ + 1);
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view literal = text_.substr(position_ + 1, close - position_ - 1);
    position_ = close + 1;
    return literal;
  }

 private:
  std::optional<std::string_view> take_ncname() {
    std::size_t end = position_;
    while (end < text_.size() && text_[end] != ':' && text_[end] != '/' && text_[end] != '[' &&
           text_[end] != ']' && text_[end] != '=' && text_[end] != '@') {
      ++end;
    }
    const std::string_view name = text_.substr(position_, end - position_);
    if (!is_ncname(name)) return std::nullopt;
    position_ = end;
    return name;
  }

  std::string_view text_;
  std::size_t position_ = 0;
};

}  // namespace

std::optional<SimplePath> SimplePath::parse(std::string_view expression,
                                            const std::vector<XmlNamespace>& namespaces) {
  Lexer lexer(expression);
  SimplePath path;
  bool unknown_prefix = false;
  auto resolve = [&](std::pair<std::string_view, std::string_view> qname) {
    Name name{"", std::string(qname.second)};
    if (qname.first == "xml") {
      name.uri = kXmlNamespace;
    } else if (!qname.first.empty()) {
      auto ns = std::find_if(namespaces.begin(), namespaces.end(),
                             [&](const XmlNamespace& n) { return n.prefix == qname.first; });
      if (ns == namespaces.end())
        unknown_prefix = true;
      else
        name.uri = ns->uri;
    }
    return name;
  };
  for (;;) {
    if (lexer.take('@')) {
      auto qname = lexer.take_qname();
      if (!qname || !lexer.done()) return std::nullopt;
      path.attribute_ = resolve(*qname);
      break;
    }
    auto qname = lexer.take_qname();
    if (!qname) return std::nullopt;
    Step step;
    step.element = resolve(*qname);
    if (lexer.take('[')) {
      if (lexer.take('@')) {
        auto attribute = lexer.take_qname();
        if (!attribute || !lexer.take('=')) return std::nullopt;
        auto literal = lexer.take_literal();
        if (!literal) return std::nullopt;
        step.attribute = resolve(*attribute);
        step.value = std::string(*literal);
      } else {
        step.position = lexer.take_position();
        if (!step.position) return std::nullopt;
      }
      if (!lexer.take(']')) return std::nullopt;
    }
    path.steps_.push_back(std::move(step));
    if (lexer.done()) break;
    if (!lexer.take('/')) return std::nullopt;
  }
  if (unknown_prefix) return std::nullopt;
  return path;
}

void SimplePath::select(xmlNodePtr context, std::vector<xmlNodePtr>& out, std::size_t limit) const {
  if (out.size() < limit) walk(context, 0, out, limit);
}

// Depth first, children in order: the document order XPath gives its results in.
void SimplePath::walk(xmlNodePtr context, std::size_t step, std::vector<xmlNodePtr>& out,
                      std::size_t limit) const {
  if (step == steps_.size()) {
    if (!attribute_) {
      out.push_back(context);
    } else if (xmlAttrPtr attribute = find_attribute(context, *attribute_)) {
      out.push_back(reinterpret_cast<xmlNodePtr>(attribute));
    }
    return;
  }
  const Step& current = steps_[step];
  std::size_t position = 0;
  for (xmlNodePtr child = context->children; child != nullptr; child = child->next) {
    if (!is_named(child, current.element)) continue;
    ++position;
    if (current.position && position != *current.position) continue;
    if (current.attribute) {
      xmlAttrPtr attribute = find_attribute(child, *current.attribute);
      if (attribute == nullptr ||
          string_value(reinterpret_cast<xmlNodePtr>(attribute)) != current.value) {
        continue;
      }
    }
    walk(child, step + 1, out, limit);
    if (out.size() >= limit || current.position) return;
  }
}

bool SimplePath::is_named(xmlNodePtr node, const Name& name) {
  if (node->type != XML_ELEMENT_NODE && node->type != XML_ATTRIBUTE_NODE) return false;
  if (std::strcmp(reinterpret_cast<const char*>(node->name), name.local.c_str()) != 0) return false;
  if (node->ns == nullptr || node->ns->href == nullptr) return name.uri.empty();
  return std::strcmp(reinterpret_cast<const char*>(node->ns->href), name.uri.c_str()) == 0;
}

xmlAttrPtr SimplePath::find_attribute(xmlNodePtr element, const Name& name) {
  for (xmlAttrPtr attribute = element->properties; attribute != nullptr;
       attribute = attribute->next) {
    if (is_named(reinterpret_cast<xmlNodePtr>(attribute), name)) return attribute;
  }
  return nullptr;
}

std::optional<std::string_view> single_text(xmlNodePtr node) {
  xmlNodePtr only = node->children;
  if (only == nullptr || only->next != nullptr || only->type != XML_TEXT_NODE) return std::nullopt;
  return as_view(only->content);
}

std::string string_value(xmlNodePtr node) {
  if (auto text = single_text(node)) return std::string(*text);
  xmlChar* text = xmlXPathCastNodeToString(node);
  std::string value(as_view(text));
  xmlFree(text);
  return value;
}

}  // namespace opcat::adapters
