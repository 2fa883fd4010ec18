#include "adapters/schema/xml_source.hpp"

#include <libxml/SAX2.h>
#include <libxml/parser.h>

#include <algorithm>
#include <cstring>

namespace opcat::schema::detail {
namespace {

// A prolog longer than this is no records document; the real parse will say what it is.
constexpr std::size_t kLongestProlog = 1 << 20;
constexpr int kChunk = 4096;

struct PrologScan {
  bool doctype = false;
  bool root = false;
  int line = 0;
};

PrologScan& scan_of(void* context) {
  return *static_cast<PrologScan*>(static_cast<xmlParserCtxtPtr>(context)->_private);
}

void on_doctype(void* context, const xmlChar*, const xmlChar*, const xmlChar*) {
  scan_of(context).doctype = true;
  scan_of(context).line = xmlSAX2GetLineNumber(context);
  xmlStopParser(static_cast<xmlParserCtxtPtr>(context));
}

void on_root(void* context, const xmlChar*, const xmlChar*, const xmlChar*, int, const xmlChar**,
             int, int, const xmlChar**) {
  scan_of(context).root = true;
  xmlStopParser(static_cast<xmlParserCtxtPtr>(context));
}

// Errors are the real parse's to report; here they only must not reach stderr.
void ignore_error(void*, xmlErrorPtr) {}

}  // namespace

int XmlSource::read(char* buffer, int length) {
  if (replayed_ < ahead_.size()) {
    const std::size_t n = std::min(static_cast<std::size_t>(length), ahead_.size() - replayed_);
    std::memcpy(buffer, ahead_.data() + replayed_, n);
    replayed_ += n;
    return static_cast<int>(n);
  }
  return read_(buffer, length);
}

std::optional<int> XmlSource::doctype_line() {
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof sax);
  sax.initialized = XML_SAX2_MAGIC;
  sax.internalSubset = &on_doctype;
  sax.startElementNs = &on_root;
  sax.serror = &ignore_error;
  xmlParserCtxtPtr parser = xmlCreatePushParserCtxt(&sax, nullptr, nullptr, 0, nullptr);
  if (parser == nullptr) return std::nullopt;
  PrologScan scan;
  parser->_private = &scan;
  xmlCtxtUseOptions(parser, XML_PARSE_NONET);
  char chunk[kChunk];
  while (!scan.doctype && !scan.root && ahead_.size() < kLongestProlog) {
    const int n = read_(chunk, kChunk);
    if (n <= 0) {
      xmlParseChunk(parser, nullptr, 0, 1);
      break;
    }
    ahead_.append(chunk, static_cast<std::size_t>(n));
    if (xmlParseChunk(parser, chunk, n, 0) != 0) break;
  }
  xmlFreeParserCtxt(parser);
  if (scan.doctype) return scan.line;
  return std::nullopt;
}

}  // namespace opcat::schema::detail
