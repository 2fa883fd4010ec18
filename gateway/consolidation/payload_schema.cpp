#include "gateway/consolidation/payload_schema.hpp"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/filereadstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "adapters/readers/xml/untrusted_xml.hpp"
#include "adapters/schema/codelist_provider.hpp"
#include "adapters/schema/json_file.hpp"
#include "adapters/schema/xml_source.hpp"
#include "adapters/schema/xml_validation.hpp"

namespace opcat::consolidation {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRecordSchemaRef = "record.schema.json";
constexpr const char* kNamespace = "urn:opcat-gateway:record:1";

// consolidated.schema.json refers to record.schema.json (its definitions) and to the code lists,
// which record.schema.json refers to as well: the record schema's own provider serves those.
class Provider final : public rapidjson::IRemoteSchemaDocumentProvider {
 public:
  explicit Provider(const fs::path& dir)
      : record_raw_(schema::detail::read_json_file(dir / kRecordSchemaRef)),
        codelists_(dir / kRecordSchemaRef, record_raw_),
        record_(record_raw_, &codelists_) {}

  const rapidjson::SchemaDocument* GetRemoteDocument(const char* uri,
                                                     rapidjson::SizeType length) override {
    // RapidJSON 1.1.0 passes one character less than the ref (see CodelistProvider).
    const std::string_view given(uri, length);
    if (given == kRecordSchemaRef ||
        (given.size() + 1 == kRecordSchemaRef.size() && kRecordSchemaRef.starts_with(given))) {
      return &record_;
    }
    return codelists_.GetRemoteDocument(uri, length);
  }

 private:
  rapidjson::Document record_raw_;
  schema::CodelistProvider codelists_;
  rapidjson::SchemaDocument record_;
};

// ---- JSON ---------------------------------------------------------------------------------------

// A consolidated payload nests about eight levels; far more is no payload but an attack on memory
// (the validator keeps a context per open level, even inside values the schema does not constrain).
constexpr int kMaxJsonDepth = 64;

// Passes the reader's events on to the validator, and stops the reader past kMaxJsonDepth.
class DepthLimit {
 public:
  explicit DepthLimit(rapidjson::SchemaValidator& next) : next_(next) {}

  bool Null() { return next_.Null(); }
  bool Bool(bool b) { return next_.Bool(b); }
  bool Int(int i) { return next_.Int(i); }
  bool Uint(unsigned u) { return next_.Uint(u); }
  bool Int64(std::int64_t i) { return next_.Int64(i); }
  bool Uint64(std::uint64_t u) { return next_.Uint64(u); }
  bool Double(double d) { return next_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return next_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return next_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return next_.Key(s, n, copy); }
  bool StartObject() { return enter() && next_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return next_.EndObject(members);
  }
  bool StartArray() { return enter() && next_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return next_.EndArray(elements);
  }

  bool too_deep() const { return too_deep_; }

 private:
  bool enter() {
    too_deep_ = ++depth_ > kMaxJsonDepth;
    return !too_deep_;
  }

  rapidjson::SchemaValidator& next_;
  int depth_ = 0;
  bool too_deep_ = false;
};

// One pass of the reader over `in` into the validator: what problem() and problem_in_file() share.
template <class Stream>
std::string json_problem(const rapidjson::SchemaDocument& schema, Stream& in) {
  rapidjson::SchemaValidator validator(schema);
  DepthLimit limit(validator);
  rapidjson::Reader reader;
  // Iterative: no recursion however deep the input. Encoding validated: RapidJSON passes invalid
  // UTF-8 through otherwise.
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  const rapidjson::ParseResult result = reader.Parse<kFlags>(in, limit);
  if (!validator.IsValid()) {
    rapidjson::StringBuffer where;
    validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
    return std::string(where.GetString()) + ": " + validator.GetInvalidSchemaKeyword();
  }
  const std::string at = "byte " + std::to_string(result.Offset()) + ": ";
  if (limit.too_deep()) {
    return at + "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
  }
  if (result.IsError()) {
    return at + "not well-formed JSON: " + rapidjson::GetParseError_En(result.Code());
  }
  return {};
}

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

// ---- XML ----------------------------------------------------------------------------------------

// Untrusted documents: no network, no entity substitution, no DTD loading; big line numbers.
constexpr int kXmlReadOptions = XML_PARSE_NONET | XML_PARSE_BIG_LINES;

struct XsdDeleter {
  void operator()(xmlSchemaPtr schema) const noexcept { xmlSchemaFree(schema); }
};
using Xsd = std::unique_ptr<xmlSchema, XsdDeleter>;

void collect_schema_error(void* errors, xmlErrorPtr error) {
  if (error->level >= XML_ERR_ERROR) {
    static_cast<std::vector<std::string>*>(errors)->push_back(
        (error->line > 0 ? "line " + std::to_string(error->line) + ": " : "") +
        schema::detail::readable(error->message));
  }
}

// consolidated.xsd and the record.xsd it includes, which libxml2 resolves against the file's own
// path: our own trusted files. Errors are collected, never printed.
Xsd load_xsd(const fs::path& path) {
  xmlInitParser();
  const std::string file = path.string();
  if (!std::ifstream(path)) throw std::runtime_error(file + ": cannot be read");
  std::vector<std::string> errors;
  xmlSchemaParserCtxtPtr context = xmlSchemaNewParserCtxt(file.c_str());
  if (context == nullptr) throw std::runtime_error(file + ": cannot create a schema parser");
  xmlSchemaSetParserStructuredErrors(context, &collect_schema_error, &errors);
  Xsd schema{xmlSchemaParse(context)};
  xmlSchemaFreeParserCtxt(context);
  if (!schema || !errors.empty()) {
    throw std::runtime_error(file + ": " + (errors.empty() ? "cannot be parsed" : errors.front()));
  }
  return schema;
}

struct ReaderDeleter {
  void operator()(xmlTextReaderPtr reader) const noexcept { xmlFreeTextReader(reader); }
};
struct ValidationDeleter {
  void operator()(xmlSchemaValidCtxtPtr context) const noexcept { xmlSchemaFreeValidCtxt(context); }
};

// Validity errors raised while the validator is between nodes carry no line: the parser's, where
// it stands, is the nearest.
struct ValidityErrors {
  xmlTextReaderPtr reader = nullptr;
  adapters::XmlError first;

  static void on_error(void* self, xmlErrorPtr error) {
    auto& errors = *static_cast<ValidityErrors*>(self);
    xmlError located = *error;
    if (located.line <= 0) located.line = xmlTextReaderGetParserLineNumber(errors.reader);
    adapters::record_xml_error(&errors.first, &located);
  }
};

// "line N: " for the node the reader stands on.
std::string line_of(xmlTextReaderPtr reader) {
  const xmlNodePtr node = xmlTextReaderCurrentNode(reader);
  const long line = node != nullptr ? xmlGetLineNo(node) : -1;
  return "line " + std::to_string(line > 0 ? line : xmlTextReaderGetParserLineNumber(reader)) +
         ": ";
}

int read_source(void* source, char* buffer, int length) {
  return static_cast<schema::detail::XmlSource*>(source)->read(buffer, length);
}
int close_source(void*) {
  return 0;
}

constexpr const char* kNoDoctype = "a DOCTYPE is not allowed in a consolidated submission";

std::string xml_problem(xmlSchemaPtr xsd, schema::detail::XmlSource& source,
                        const std::string& url) {
  if (const auto line = source.doctype_line()) {
    return "line " + std::to_string(*line) + ": " + kNoDoctype;
  }
  // Parse errors reach `parse` through this thread's structured handler, which the scope sets
  // (with a loader refusing every external entity, and nothing printed to stderr). Not through
  // xmlTextReaderSetStructuredErrorHandler: once the XSD validator is plugged into the reader,
  // libxml2 2.9.14 hands that handler the plug's user data in place of the parser context.
  adapters::XmlError parse;
  const adapters::UntrustedXmlScope scope(parse);
  // Declared before the reader: the reader unplugs the validator when it is freed.
  const std::unique_ptr<xmlSchemaValidCtxt, ValidationDeleter> validation{
      xmlSchemaNewValidCtxt(xsd)};
  const std::unique_ptr<xmlTextReader, ReaderDeleter> reader{
      xmlReaderForIO(&read_source, &close_source, &source, url.c_str(), nullptr, kXmlReadOptions)};
  if (!validation || !reader) throw std::runtime_error(url + ": cannot start reading");
  ValidityErrors validity{reader.get(), {}};
  xmlSchemaSetValidStructuredErrors(validation.get(), &ValidityErrors::on_error, &validity);
  if (xmlTextReaderSchemaValidateCtxt(reader.get(), validation.get(), 0) != 0) {
    throw std::runtime_error(url + ": cannot plug the XSD validator into the reader");
  }

  int status = 0;
  // The validator sees each node as the reader parses it, before Read returns it: an error it
  // raised about this node comes first.
  while ((status = xmlTextReaderRead(reader.get())) == 1 && !parse.reported &&
         !validity.first.reported) {
    const int type = xmlTextReaderNodeType(reader.get());
    if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
      // One the prolog scan did not reach (a prolog of over 1 MiB): still nothing of it is used.
      return line_of(reader.get()) + kNoDoctype;
    }
    if (type == XML_READER_TYPE_ELEMENT && xmlTextReaderDepth(reader.get()) == 0) {
      // consolidated.xsd includes record.xsd, whose <records> is a global element too: valid
      // against the XSD, but a member's export, not a consolidated submission.
      const auto* name = reinterpret_cast<const char*>(xmlTextReaderConstLocalName(reader.get()));
      const auto* ns = reinterpret_cast<const char*>(xmlTextReaderConstNamespaceUri(reader.get()));
      if (name == nullptr || std::strcmp(name, "consolidated_submission") != 0 || ns == nullptr ||
          std::strcmp(ns, kNamespace) != 0) {
        return line_of(reader.get()) + "the root element is not consolidated_submission in " +
               kNamespace;
      }
    }
  }
  // libxml2 parses ahead of the node the reader returns: the validator, or an entity of a DOCTYPE
  // the reader has not returned yet, can fail first. The DOCTYPE is then the reason to give.
  const xmlNodePtr at = xmlTextReaderCurrentNode(reader.get());
  if (parse.after_doctype || (at != nullptr && at->doc != nullptr && at->doc->intSubset)) {
    return kNoDoctype;
  }
  // Otherwise the earlier of the two; on one line, not being well-formed is the more basic.
  const adapters::XmlError* first = parse.reported ? &parse : nullptr;
  if (validity.first.reported && (first == nullptr || validity.first.line < first->line)) {
    first = &validity.first;
  }
  if (first != nullptr) {
    return "line " + std::to_string(first->line) + ": " +
           schema::detail::readable(first->message.c_str());
  }
  if (status < 0) return "the document is not well-formed XML";
  if (xmlTextReaderIsValid(reader.get()) != 1) return "the document is not valid";
  return {};
}

}  // namespace

struct PayloadSchema::Impl {
  explicit Impl(const fs::path& dir)
      : provider(dir),
        raw(schema::detail::read_json_file(dir / "consolidated.schema.json")),
        document(raw, &provider),
        xsd(load_xsd(dir / "consolidated.xsd")) {}

  Provider provider;
  rapidjson::Document raw;
  rapidjson::SchemaDocument document;
  Xsd xsd;
};

PayloadSchema PayloadSchema::load(const fs::path& dir) {
  return PayloadSchema(std::make_unique<Impl>(dir));
}

PayloadSchema::PayloadSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PayloadSchema::PayloadSchema(PayloadSchema&&) noexcept = default;
PayloadSchema& PayloadSchema::operator=(PayloadSchema&&) noexcept = default;
PayloadSchema::~PayloadSchema() = default;

std::string PayloadSchema::problem(std::string_view json) const {
  rapidjson::MemoryStream in(json.data(), json.size());
  return json_problem(impl_->document, in);
}

std::string PayloadSchema::problem_in_file(const fs::path& payload, PayloadFormat format) const {
  const std::string name = payload.string();
  if (format == PayloadFormat::json) {
    const std::unique_ptr<std::FILE, FileCloser> file{std::fopen(name.c_str(), "rb")};
    if (!file) throw std::runtime_error(name + ": cannot be read");
    char buffer[64 * 1024];
    rapidjson::FileReadStream in(file.get(), buffer, sizeof buffer);
    std::string problem = json_problem(impl_->document, in);
    // FileReadStream takes a failed read for the end of the file.
    if (std::ferror(file.get()) != 0) throw std::runtime_error(name + ": cannot be read");
    return problem;
  }
  std::ifstream in(payload, std::ios::binary);
  if (!in) throw std::runtime_error(name + ": cannot be read");
  // libxml2's push parser calls an empty document "Extra content at the end of the document".
  if (in.peek() == std::char_traits<char>::eof() && !in.bad()) return "the document is empty";
  bool read_failed = false;
  schema::detail::XmlSource source([&](char* buffer, int length) {
    in.read(buffer, length);
    if (in.bad()) {
      read_failed = true;
      return -1;
    }
    return static_cast<int>(in.gcount());
  });
  std::string problem = xml_problem(impl_->xsd.get(), source, name);
  if (read_failed) throw std::runtime_error(name + ": cannot be read");
  return problem;
}

}  // namespace opcat::consolidation
