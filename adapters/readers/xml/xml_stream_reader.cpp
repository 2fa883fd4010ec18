#include "adapters/readers/xml/xml_stream_reader.hpp"

#include <libxml/parser.h>

#include <new>
#include <stdexcept>

#include "adapters/readers/xml/record_document.hpp"
#include "adapters/readers/xml/xml_node.hpp"

namespace opcat::adapters {
namespace {

// Never XML_PARSE_NOENT, DTDLOAD, DTDATTR, DTDVALID or HUGE (see STYLE.md): entities stay
// unexpanded, no DTD is fetched, libxml2's size limits stay on. CDATA is merged into text, line
// numbers above 65535 are kept, and short text is stored inline (less allocation per node).
constexpr int kParseOptions =
    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT;

std::string_view as_view(const xmlChar* text) {
  return text == nullptr ? std::string_view{} : reinterpret_cast<const char*>(text);
}

// "<inspection>" or "<{urn:example:hmip}inspection>", for messages about names.
std::string element_name(std::string_view uri, std::string_view local_name) {
  if (uri.empty()) return "<" + std::string(local_name) + ">";
  return "<{" + std::string(uri) + "}" + std::string(local_name) + ">";
}

}  // namespace

XmlStreamReader::XmlStreamReader(ByteSource& source, std::shared_ptr<const XmlSettings> settings)
    : settings_(std::move(settings)),
      feed_(source, settings_->max_record_bytes),
      fields_(std::make_shared<XPathFields>(settings_->namespaces)) {
  const UntrustedXmlScope scope(error_);
  feed_.open_window();
  // No URL: there is no base against which anything in the document could be resolved.
  reader_ =
      xmlReaderForIO(SourceFeed::read, SourceFeed::close, &feed_, nullptr, nullptr, kParseOptions);
  if (reader_ == nullptr) {
    feed_.rethrow_source_failure();
    if (error_.reported) unreadable("line 1", "unreadable XML: " + error_.message);
    throw std::bad_alloc();
  }
  // Parse errors go to this reader's error_, never to libxml2's global handler (stderr).
  xmlTextReaderSetStructuredErrorHandler(reader_, record_xml_error, &error_);
}

XmlStreamReader::~XmlStreamReader() {
  XmlError ignored;
  const UntrustedXmlScope scope(ignored);
  xmlFreeTextReader(reader_);
}

Selector XmlStreamReader::bind(const FieldPath& path) {
  if (path.match != FieldPath::Match::exact) {
    throw std::invalid_argument("XPath \"" + path.path +
                                "\": XML fields match exactly (insensitive and prefix matching "
                                "are for CSV column names)");
  }
  return fields_->compile(path.path);
}

std::string XmlStreamReader::source_field(Selector selector) const {
  return fields_->expression(selector);
}

std::unique_ptr<SourceNode> XmlStreamReader::next() {
  if (failure_) std::rethrow_exception(failure_);
  if (finished_) return nullptr;
  try {
    return find_record();
  } catch (...) {
    failure_ = std::current_exception();  // libxml2's state is spent: the file ends here
    throw;
  }
}

std::unique_ptr<SourceNode> XmlStreamReader::find_record() {
  const UntrustedXmlScope scope(error_);
  const auto& path = settings_->record;
  for (;;) {
    const bool skip_record = on_taken_record_;
    on_taken_record_ = false;
    if (step(skip_record ? xmlTextReaderNext : xmlTextReaderRead) == 0) {
      finished_ = true;
      return nullptr;
    }
    const int type = xmlTextReaderNodeType(reader_);
    if (type == XML_READER_TYPE_DOCUMENT_TYPE) reject_doctype();
    const int depth = xmlTextReaderDepth(reader_);
    if (skipping_depth_) {
      if (depth == *skipping_depth_ && type == XML_READER_TYPE_END_ELEMENT) skipping_depth_.reset();
      continue;
    }
    if (type != XML_READER_TYPE_ELEMENT || depth < 0 ||
        static_cast<std::size_t>(depth) >= path.size()) {
      continue;
    }
    const auto level = static_cast<std::size_t>(depth);
    if (!matches(path[level])) {
      if (level == 0) {
        unreadable(here(), "the root element is " +
                               element_name(as_view(xmlTextReaderConstNamespaceUri(reader_)),
                                            as_view(xmlTextReaderConstLocalName(reader_))) +
                               " but reader.record starts at " +
                               element_name(path[0].uri, path[0].local_name));
      }
      // Off the record path: read through it node by node (each read within the byte budget)
      // rather than with xmlTextReaderNext, whose one call would cover the whole subtree.
      if (xmlTextReaderIsEmptyElement(reader_) == 0) skipping_depth_ = depth;
      continue;
    }
    open_names_.resize(level);
    open_names_.emplace_back(as_view(xmlTextReaderConstName(reader_)));
    if (level + 1 == path.size()) return take_record();
  }
}

std::unique_ptr<SourceNode> XmlStreamReader::take_record() {
  ++records_;
  std::string path;
  for (const auto& name : open_names_) path += "/" + name;
  path += "[" + std::to_string(records_) + "]";

  feed_.open_window();
  xmlNodePtr expanded = xmlTextReaderExpand(reader_);
  throw_if_failed(expanded == nullptr, &path);
  on_taken_record_ = true;

  SharedXmlDoc doc = adopt_record(expanded);
  xmlNodePtr record = xmlDocGetRootElement(doc.get());
  return std::make_unique<XmlNode>(std::move(doc), record, fields_,
                                   std::make_shared<const std::string>(std::move(path)));
}

int XmlStreamReader::step(int (*call)(xmlTextReaderPtr), const std::string* record) {
  feed_.open_window();
  const int status = call(reader_);
  throw_if_failed(status < 0, record);
  return status;
}

// libxml2 keeps going after some errors (a namespace error is not fatal to it); a member's file
// with any error is not one to take records from, so the first error ends the reading.
void XmlStreamReader::throw_if_failed(bool failed, const std::string* record) {
  feed_.rethrow_source_failure();
  if (feed_.over_budget()) {
    const std::string limit =
        "reader.max_record_bytes (" + std::to_string(settings_->max_record_bytes) + " bytes)";
    if (record != nullptr) unreadable(*record, "the record is larger than " + limit);
    unreadable(here(), "an XML node is larger than " + limit);
  }
  if (error_.reported && error_.after_doctype) reject_doctype();
  if (error_.reported && feed_.delivered() == 0) unreadable("line 1", "the file is empty");
  if (error_.reported) {
    const std::string line = std::to_string(error_.line);
    if (error_.line <= 0) unreadable(here(), "unreadable XML: " + error_.message);
    unreadable("line " + line, "unreadable XML at line " + line + ", column " +
                                   std::to_string(error_.column) + ": " + error_.message);
  }
  if (failed) unreadable(here(), "unreadable XML (libxml2 gave no reason)");
}

// Internal subsets carry entity bombs and external entities (XXE); no member needs one. libxml2
// keeps no line for a DOCTYPE, so the locator names the declaration itself.
void XmlStreamReader::reject_doctype() {
  unreadable("<!DOCTYPE>",
             "DOCTYPE declarations are not accepted: remove the <!DOCTYPE ...> declaration (no "
             "DTD or entity is ever read from an export)");
}

bool XmlStreamReader::matches(const XmlPathStep& step) const {
  return as_view(xmlTextReaderConstLocalName(reader_)) == step.local_name &&
         as_view(xmlTextReaderConstNamespaceUri(reader_)) == step.uri;
}

std::string XmlStreamReader::here() const {
  return "line " + std::to_string(xmlTextReaderGetParserLineNumber(reader_));
}

void XmlStreamReader::unreadable(std::string locator, const std::string& message) {
  throw UnreadableInput(std::move(locator), message);
}

}  // namespace opcat::adapters
