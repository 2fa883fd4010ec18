#include "adapters/readers/xml/xml_names.hpp"

#include <algorithm>
#include <stdexcept>

namespace opcat::adapters {
namespace {

bool is_name_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

bool is_name_char(unsigned char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// The end of the NCName starting at `from`.
std::size_t name_end(std::string_view text, std::size_t from) {
  while (from < text.size() && is_name_char(static_cast<unsigned char>(text[from]))) ++from;
  return from;
}

const XmlNamespace* find_prefix(const std::vector<XmlNamespace>& namespaces,
                                std::string_view prefix) {
  auto it = std::find_if(namespaces.begin(), namespaces.end(),
                         [&](const XmlNamespace& ns) { return ns.prefix == prefix; });
  return it == namespaces.end() ? nullptr : &*it;
}

XmlPathStep parse_step(std::string_view step, const std::vector<XmlNamespace>& namespaces) {
  const std::size_t colon = step.find(':');
  if (colon == std::string_view::npos) {
    if (!is_ncname(step))
      throw std::invalid_argument("\"" + std::string(step) + "\" is not an element name");
    return XmlPathStep{"", std::string(step)};
  }
  const std::string_view prefix = step.substr(0, colon);
  const std::string_view local = step.substr(colon + 1);
  if (!is_ncname(prefix) || !is_ncname(local)) {
    throw std::invalid_argument("\"" + std::string(step) + "\" is not an element name");
  }
  const XmlNamespace* ns = find_prefix(namespaces, prefix);
  if (ns == nullptr) {
    throw std::invalid_argument("namespace prefix \"" + std::string(prefix) +
                                "\" is not declared in reader.namespaces");
  }
  return XmlPathStep{ns->uri, std::string(local)};
}

}  // namespace

bool is_ncname(std::string_view text) {
  return !text.empty() && is_name_start(static_cast<unsigned char>(text[0])) &&
         name_end(text, 0) == text.size();
}

std::vector<XmlPathStep> parse_record_path(std::string_view text,
                                           const std::vector<XmlNamespace>& namespaces) {
  if (text.empty() || text[0] != '/' || text.size() < 2 || text[1] == '/') {
    throw std::invalid_argument(
        "expected an absolute path of element names such as \"/inspections/inspection\"");
  }
  std::vector<XmlPathStep> steps;
  std::size_t start = 1;
  for (;;) {
    const std::size_t slash = text.find('/', start);
    const std::string_view step = text.substr(start, slash - start);
    if (step.empty()) throw std::invalid_argument("empty step in \"" + std::string(text) + "\"");
    steps.push_back(parse_step(step, namespaces));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return steps;
}

std::vector<std::string> xpath_prefixes(std::string_view expression) {
  std::vector<std::string> prefixes;
  std::size_t i = 0;
  while (i < expression.size()) {
    const char c = expression[i];
    if (c == '\'' || c == '"') {  // a literal: skip to its closing quote
      const std::size_t close = expression.find(c, i + 1);
      if (close == std::string_view::npos) break;
      i = close + 1;
      continue;
    }
    if (c >= '0' && c <= '9') {  // a number ("1.5" is not a name)
      while (i < expression.size() &&
             ((expression[i] >= '0' && expression[i] <= '9') || expression[i] == '.')) {
        ++i;
      }
      continue;
    }
    if (!is_name_start(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    const std::size_t end = name_end(expression, i);
    const bool qualified = end + 1 < expression.size() && expression[end] == ':' &&
                           (is_name_start(static_cast<unsigned char>(expression[end + 1])) ||
                            expression[end + 1] == '*');
    if (qualified) prefixes.emplace_back(expression.substr(i, end - i));
    i = end + (qualified ? 1 : 0);  // an axis ("child::x") is not a prefix: "::" is skipped
  }
  return prefixes;
}

}  // namespace opcat::adapters
