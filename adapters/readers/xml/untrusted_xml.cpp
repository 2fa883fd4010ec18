#include "adapters/readers/xml/untrusted_xml.hpp"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <atomic>
#include <mutex>

namespace opcat::adapters {
namespace {

// Where errors go on this thread while an UntrustedXmlScope is alive; null outside any scope.
thread_local XmlError* current_sink = nullptr;

// The loader that was in place before ours, used outside untrusted scopes.
std::atomic<xmlExternalEntityLoader> previous_loader{nullptr};

xmlParserInputPtr refuse_in_untrusted_scope(const char* url, const char* id,
                                            xmlParserCtxtPtr context) {
  if (current_sink != nullptr) {
    if (!current_sink->reported) {
      current_sink->reported = true;
      current_sink->message = "external entities are not accepted (";
      current_sink->message += url != nullptr ? url : (id != nullptr ? id : "unnamed");
      current_sink->message += ")";
      if (context != nullptr && context->input != nullptr)
        current_sink->line = context->input->line;
    }
    return nullptr;
  }
  return previous_loader.load()(url, id, context);
}

void discard_generic_error(void* /*context*/, const char* /*format*/, ...) {}

// Installs the loader once per process, and again should another component replace it: the
// refusal must hold whatever else in the process does with libxml2.
void install_entity_loader() {
  static std::once_flag initialised;
  std::call_once(initialised, [] { xmlInitParser(); });
  if (xmlGetExternalEntityLoader() == refuse_in_untrusted_scope) return;
  static std::mutex installing;
  const std::lock_guard lock(installing);
  const xmlExternalEntityLoader current = xmlGetExternalEntityLoader();
  if (current == refuse_in_untrusted_scope) return;
  previous_loader.store(current);
  xmlSetExternalEntityLoader(refuse_in_untrusted_scope);
}

}  // namespace

void record_xml_error(void* xml_error, xmlErrorPtr error) {
  auto& sink = *static_cast<XmlError*>(xml_error);
  if (error == nullptr || error->level < XML_ERR_ERROR || sink.reported) return;
  sink.reported = true;
  sink.message = error->message != nullptr ? error->message : "unknown libxml2 error";
  while (!sink.message.empty() && (sink.message.back() == '\n' || sink.message.back() == ' ')) {
    sink.message.pop_back();
  }
  sink.line = error->line;
  sink.column = error->int2;
  const bool from_parser = error->domain == XML_FROM_PARSER ||
                           error->domain == XML_FROM_NAMESPACE || error->domain == XML_FROM_DTD ||
                           error->domain == XML_FROM_IO;
  if (from_parser && error->ctxt != nullptr) {
    const auto* parser = static_cast<const xmlParserCtxt*>(error->ctxt);
    sink.after_doctype = parser->intSubName != nullptr ||
                         (parser->myDoc != nullptr && parser->myDoc->intSubset != nullptr);
  }
}

UntrustedXmlScope::UntrustedXmlScope(XmlError& sink)
    : outer_sink_(current_sink),
      saved_structured_(xmlStructuredError),
      saved_structured_context_(xmlStructuredErrorContext),
      saved_generic_(xmlGenericError),
      saved_generic_context_(xmlGenericErrorContext) {
  install_entity_loader();
  current_sink = &sink;
  xmlSetStructuredErrorFunc(&sink, record_xml_error);
  xmlSetGenericErrorFunc(nullptr, discard_generic_error);
}

UntrustedXmlScope::~UntrustedXmlScope() {
  xmlSetGenericErrorFunc(saved_generic_context_, saved_generic_);
  xmlSetStructuredErrorFunc(saved_structured_context_, saved_structured_);
  current_sink = outer_sink_;
}

}  // namespace opcat::adapters
