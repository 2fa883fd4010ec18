#include "adapters/schema/xml_record_schema.hpp"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>

#include "adapters/schema/json_file.hpp"
#include "adapters/schema/xml_source.hpp"
#include "adapters/schema/xml_validation.hpp"

namespace opcat::schema {
namespace {

// Parse errors of the schema file itself, gathered through the parser context's structured
// handler (libxml2 hands it the context; _private carries our list).
void collect_parser_error(void* context, xmlErrorPtr error) {
  auto* parser = static_cast<xmlParserCtxtPtr>(context);
  auto* errors = static_cast<std::vector<std::string>*>(parser->_private);
  if (error->level >= XML_ERR_ERROR) {
    errors->push_back("line " + std::to_string(error->line) + ": " +
                      detail::readable(error->message));
  }
}

void collect_schema_error(void* context, xmlErrorPtr error) {
  auto* errors = static_cast<std::vector<std::string>*>(context);
  if (error->level >= XML_ERR_ERROR) {
    errors->push_back((error->line > 0 ? "line " + std::to_string(error->line) + ": " : "") +
                      detail::readable(error->message));
  }
}

std::string first(const std::vector<std::string>& errors) {
  return errors.empty() ? "cannot be parsed" : errors.front();
}

// Untrusted documents: no network, no entity substitution, no DTD loading; big line numbers.
constexpr int kReadOptions = XML_PARSE_NONET | XML_PARSE_BIG_LINES;

int read_source(void* context, char* buffer, int length) {
  return static_cast<detail::XmlSource*>(context)->read(buffer, length);
}
int close_source(void*) {
  return 0;
}

}  // namespace

struct XmlRecordSchema::Impl {
  xmlDocPtr document = nullptr;  // the XSD; the compiled schema points into it
  xmlSchemaPtr schema = nullptr;
  ~Impl() {
    if (schema != nullptr) xmlSchemaFree(schema);
    if (document != nullptr) xmlFreeDoc(document);
  }
  std::vector<Violation> validate(detail::XmlSource& source, const std::string& url) const;
};

std::vector<Violation> XmlRecordSchema::Impl::validate(detail::XmlSource& source,
                                                       const std::string& url) const {
  std::vector<Violation> out;
  if (const auto line = source.doctype_line()) {
    out.push_back(
        {"", "doctype",
         "line " + std::to_string(*line) + ": a DOCTYPE is not allowed in a records document"});
    return out;
  }
  xmlTextReaderPtr reader =
      xmlReaderForIO(&read_source, &close_source, &source, url.c_str(), nullptr, kReadOptions);
  if (reader == nullptr) throw std::runtime_error(url + ": cannot start reading");
  try {
    detail::validate_records(schema, reader, out);
  } catch (...) {
    xmlFreeTextReader(reader);
    throw;
  }
  xmlFreeTextReader(reader);
  return out;
}

XmlRecordSchema::XmlRecordSchema(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
XmlRecordSchema::XmlRecordSchema(XmlRecordSchema&&) noexcept = default;
XmlRecordSchema& XmlRecordSchema::operator=(XmlRecordSchema&&) noexcept = default;
XmlRecordSchema::~XmlRecordSchema() = default;

XmlRecordSchema XmlRecordSchema::load(const std::filesystem::path& dir) {
  xmlInitParser();
  const std::filesystem::path path = dir / "record.xsd";
  const std::string file = path.string();
  // Read by us, parsed from memory: libxml2's loaders (and any process-wide entity loader
  // another part of the gateway installs) never see the file name.
  const std::string bytes = detail::read_file(path);
  auto impl = std::make_unique<Impl>();
  std::vector<std::string> errors;

  xmlParserCtxtPtr parser = xmlNewParserCtxt();
  if (parser == nullptr) throw std::runtime_error(file + ": cannot create a parser");
  parser->_private = &errors;
  parser->sax->serror = &collect_parser_error;
  impl->document = xmlCtxtReadMemory(parser, bytes.data(), static_cast<int>(bytes.size()),
                                     file.c_str(), nullptr, XML_PARSE_NONET);
  xmlFreeParserCtxt(parser);
  if (impl->document == nullptr) throw std::runtime_error(file + ": " + first(errors));

  xmlSchemaParserCtxtPtr context = xmlSchemaNewDocParserCtxt(impl->document);
  if (context == nullptr) throw std::runtime_error(file + ": cannot create a schema parser");
  xmlSchemaSetParserStructuredErrors(context, &collect_schema_error, &errors);
  impl->schema = xmlSchemaParse(context);
  xmlSchemaFreeParserCtxt(context);
  if (impl->schema == nullptr || !errors.empty()) {
    throw std::runtime_error(file + ": " + first(errors));
  }
  return XmlRecordSchema(std::move(impl));
}

std::vector<Violation> XmlRecordSchema::validate_file(const std::filesystem::path& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot be read");
  detail::XmlSource source([&](char* buffer, int length) {
    in.read(buffer, length);
    if (in.bad()) return -1;
    return static_cast<int>(in.gcount());
  });
  return impl_->validate(source, path.string());
}

std::vector<Violation> XmlRecordSchema::validate_memory(std::string_view xml) const {
  std::size_t offset = 0;
  detail::XmlSource source([&](char* buffer, int length) {
    const std::size_t n = std::min(static_cast<std::size_t>(length), xml.size() - offset);
    std::memcpy(buffer, xml.data() + offset, n);
    offset += n;
    return static_cast<int>(n);
  });
  return impl_->validate(source, "memory");
}

}  // namespace opcat::schema
