// The guard around every libxml2 call on a member's document: no external entity is ever loaded
// and no error reaches stderr. libxml2 2.9.14 has no XML_PARSE_NO_XXE, so the refusal is an
// external entity loader of our own.
#pragma once

#include <libxml/xmlerror.h>

#include <string>

namespace opcat::adapters {

// The first error libxml2 reported while a reader (or its XPath evaluation) worked.
struct XmlError {
  bool reported = false;
  std::string message;  // libxml2's own text, without the trailing newline
  int line = 0;         // 0 when unknown
  int column = 0;
  // The document had declared a DOCTYPE when the error came: libxml2 parses a little ahead, so
  // an entity the DOCTYPE declared can fail before the reader reaches the DOCTYPE node, and the
  // DOCTYPE is then the reason to give.
  bool after_doctype = false;
};

// A libxml2 structured error callback whose user data is an XmlError: keeps the first error or
// fatal error and ignores warnings (they never stop a parse).
void record_xml_error(void* xml_error, xmlErrorPtr error);

// While one is alive on this thread, libxml2 refuses every external entity (DTD, entity, XInclude)
// and sends the errors it raises without a parser context (encoding, I/O) to `sink` rather than
// stderr. The thread's previous handlers come back on destruction, so other libxml2 users in the
// process (the XSD validator loading the schema's includes) keep the default entity loader.
class UntrustedXmlScope {
 public:
  explicit UntrustedXmlScope(XmlError& sink);
  ~UntrustedXmlScope();
  UntrustedXmlScope(const UntrustedXmlScope&) = delete;
  UntrustedXmlScope& operator=(const UntrustedXmlScope&) = delete;

 private:
  XmlError* outer_sink_;
  xmlStructuredErrorFunc saved_structured_;
  void* saved_structured_context_;
  xmlGenericErrorFunc saved_generic_;
  void* saved_generic_context_;
};

}  // namespace opcat::adapters
