#include "adapters/schema/xml_validation.hpp"

#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "adapters/schema/calendar_date.hpp"

namespace opcat::schema::detail {
namespace {

const xmlChar* x(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}
const char* c(const xmlChar* text) {
  return reinterpret_cast<const char*>(text);
}

// Where the element an error is about sits inside its record, and its line in the original
// document (copies carry it in _private; see Validation::validate_record).
struct Place {
  std::string field;
  long line = 0;
};

Place place_of(xmlNodePtr node, xmlNodePtr record) {
  Place place;
  while (node != nullptr && node->type != XML_ELEMENT_NODE) node = node->parent;
  if (node != nullptr && node->_private != nullptr) {
    place.line = static_cast<long>(reinterpret_cast<std::intptr_t>(node->_private));
  }
  std::vector<std::string> parts;
  bool inside = false;
  for (xmlNodePtr at = node; at != nullptr && at->type == XML_ELEMENT_NODE; at = at->parent) {
    if (at == record) {
      inside = true;
      break;
    }
    std::string part = c(at->name);
    if (part == "item") {
      std::size_t index = 0;
      for (xmlNodePtr before = at->prev; before != nullptr; before = before->prev) {
        if (before->type == XML_ELEMENT_NODE && std::strcmp(c(before->name), "item") == 0) ++index;
      }
      part = "[" + std::to_string(index) + "]";
    }
    parts.push_back(std::move(part));
  }
  if (!inside) return place;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!place.field.empty() && !it->starts_with("[")) place.field += ".";
    place.field += *it;
  }
  return place;
}

std::string text_content(xmlNodePtr node) {
  xmlChar* content = node != nullptr ? xmlNodeGetContent(node) : nullptr;
  std::string text = content != nullptr ? c(content) : "";
  xmlFree(content);
  return text;
}

// The violation codes RecordSchema uses, where the XSD's check is the same one.
std::string code_of(const xmlError& error, xmlNodePtr node, const std::string& message) {
  switch (error.code) {
    case XML_SCHEMAV_CVC_ENUMERATION_VALID:
      return "enum";
    case XML_SCHEMAV_CVC_PATTERN_VALID:
      return "pattern";
    case XML_SCHEMAV_CVC_MININCLUSIVE_VALID:
      return "minimum";
    case XML_SCHEMAV_CVC_MAXINCLUSIVE_VALID:
      return "maximum";
    case XML_SCHEMAV_CVC_MINLENGTH_VALID:
      return "minLength";
    case XML_SCHEMAV_CVC_IDC:
      return "uniqueItems";
    case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1:
      // A date-shaped value xs:date refuses is a day that does not exist.
      if (message.find("atomic type 'date'") != std::string::npos) {
        return has_date_shape(text_content(node)) ? "invalid_date" : "pattern";
      }
      return "type";
    case XML_SCHEMAV_ELEMENT_CONTENT:
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_4:
      return message.find("Missing child") != std::string::npos ? "required" : "unexpected";
    case XML_SCHEMAV_CVC_ELT_1:
      return "root";
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_1:
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_2:
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_4:
      return "attribute";
    default:
      return error.domain == XML_FROM_SCHEMASV ? "type" : "schema";
  }
}

// One run of validate_*: the reader, a validation context, and what they found.
class Validation {
 public:
  Validation(xmlSchemaPtr schema, std::vector<Violation>& out) : out_(out) {
    context_ = xmlSchemaNewValidCtxt(schema);
    if (context_ == nullptr) throw std::runtime_error("cannot create an XSD validation context");
    xmlSchemaSetValidStructuredErrors(context_, &Validation::on_validity_error, this);
  }
  ~Validation() { xmlSchemaFreeValidCtxt(context_); }
  Validation(const Validation&) = delete;
  Validation& operator=(const Validation&) = delete;

  void run(xmlTextReaderPtr reader);

 private:
  static void on_parse_error(void* self, xmlErrorPtr error);
  static void on_validity_error(void* self, xmlErrorPtr error);
  bool validate_root(xmlNodePtr root);
  void validate_record(xmlNodePtr root, xmlNodePtr record);

  std::vector<Violation>& out_;
  xmlSchemaValidCtxtPtr context_ = nullptr;
  xmlNodePtr record_ = nullptr;  // the copy being validated
  std::size_t record_number_ = 0;
  bool parse_failed_ = false;
};

void Validation::on_parse_error(void* self, xmlErrorPtr error) {
  auto* validation = static_cast<Validation*>(self);
  if (error->level < XML_ERR_ERROR) return;
  validation->parse_failed_ = true;
  validation->out_.push_back(
      {"", "xml", "line " + std::to_string(error->line) + ": " + readable(error->message)});
}

void Validation::on_validity_error(void* self, xmlErrorPtr error) {
  auto* validation = static_cast<Validation*>(self);
  if (error->level < XML_ERR_ERROR) return;
  const auto node = static_cast<xmlNodePtr>(error->node);
  const Place place = place_of(node, validation->record_);
  const std::string message = readable(error->message);
  const long line = place.line > 0 ? place.line : error->line;
  std::string where = "line " + std::to_string(line);
  if (validation->record_ != nullptr) {
    where += ", record " + std::to_string(validation->record_number_) + " (" +
             c(validation->record_->name) + ")";
  }
  std::string field = place.field;
  std::string code = code_of(*error, node, message);
  if (node != nullptr && node == validation->record_ && code == "unexpected") {
    // The record's element name is its record_type: an unknown name is an unknown type.
    field = "record_type";
    code = "enum";
  }
  validation->out_.push_back({std::move(field), std::move(code), where + ": " + message});
}

// The root alone, without its children: <records> and its schema_version attribute.
bool Validation::validate_root(xmlNodePtr root) {
  const std::size_t before = out_.size();
  xmlDocPtr document = xmlNewDoc(x("1.0"));
  xmlDocSetRootElement(document, xmlDocCopyNode(root, document, 2));
  record_ = nullptr;
  xmlSchemaValidateDoc(context_, document);
  xmlFreeDoc(document);
  return out_.size() == before;
}

// Copies the expanded record under a childless copy of the root and validates that small
// document: memory stays bounded by one record, and errors point at nodes whose ancestors and
// siblings are all there, so they name the field exactly.
void Validation::validate_record(xmlNodePtr root, xmlNodePtr record) {
  xmlDocPtr document = xmlNewDoc(x("1.0"));
  xmlNodePtr top = xmlDocCopyNode(root, document, 2);
  xmlDocSetRootElement(document, top);
  xmlNodePtr copy = xmlDocCopyNode(record, document, 1);
  xmlAddChild(top, copy);
  // Copies lose lines past 65535; keep each element's real line in its _private.
  std::function<void(xmlNodePtr, xmlNodePtr)> mark = [&](xmlNodePtr from, xmlNodePtr to) {
    for (; from != nullptr && to != nullptr; from = from->next, to = to->next) {
      if (from->type != XML_ELEMENT_NODE) continue;
      to->_private = reinterpret_cast<void*>(static_cast<std::intptr_t>(xmlGetLineNo(from)));
      mark(from->children, to->children);
    }
  };
  copy->_private = reinterpret_cast<void*>(static_cast<std::intptr_t>(xmlGetLineNo(record)));
  mark(record->children, copy->children);
  record_ = copy;
  xmlSchemaValidateDoc(context_, document);
  record_ = nullptr;
  xmlFreeDoc(document);
}

void Validation::run(xmlTextReaderPtr reader) {
  xmlTextReaderSetStructuredErrorHandler(reader, &Validation::on_parse_error, this);
  xmlNodePtr root = nullptr;
  int status = xmlTextReaderRead(reader);
  while (status == 1) {
    const int type = xmlTextReaderNodeType(reader);
    const int depth = xmlTextReaderDepth(reader);
    if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
      // Refused before the document's content is used: entities, external subsets and all.
      out_.push_back({"", "doctype",
                      "line " + std::to_string(xmlTextReaderGetParserLineNumber(reader)) +
                          ": a DOCTYPE is not allowed in a records document"});
      return;
    }
    if (type == XML_READER_TYPE_ELEMENT && depth == 0) {
      root = xmlTextReaderCurrentNode(reader);
      if (!validate_root(root)) return;
    } else if (type == XML_READER_TYPE_ELEMENT && depth == 1) {
      ++record_number_;
      xmlNodePtr record = xmlTextReaderExpand(reader);
      if (record == nullptr) break;  // not well-formed: the parse error is reported
      validate_record(root, record);
      status = xmlTextReaderNext(reader);
      continue;
    } else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) && depth == 1) {
      const char* text = c(xmlTextReaderConstValue(reader));
      if (text != nullptr && std::strspn(text, " \t\r\n") != std::strlen(text)) {
        out_.push_back({"", "unexpected",
                        "line " + std::to_string(xmlTextReaderGetParserLineNumber(reader)) +
                            ": text between records is not allowed"});
      }
    }
    status = xmlTextReaderRead(reader);
  }
  if (status < 0 && !parse_failed_) {
    out_.push_back({"", "xml", "the document is not well-formed XML"});
  }
}

}  // namespace

// libxml2's messages name elements "{urn:opcat-gateway:record:1}place_type"; people read
// "place_type". Also drops the trailing newline.
std::string readable(const char* message) {
  std::string text = message != nullptr ? message : "unknown error";
  const std::string ns = "{urn:opcat-gateway:record:1}";
  for (std::size_t at = text.find(ns); at != std::string::npos; at = text.find(ns, at)) {
    text.erase(at, ns.size());
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void validate_records(xmlSchemaPtr schema, xmlTextReaderPtr reader, std::vector<Violation>& out) {
  Validation validation(schema, out);
  validation.run(reader);
}

}  // namespace opcat::schema::detail
