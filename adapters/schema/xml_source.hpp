// The bytes of an XML document being validated, read once, through our own callback (never a
// libxml2 loader), with a look at the prolog before the real parse begins.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace opcat::schema::detail {

class XmlSource {
 public:
  // `read` fills up to `length` bytes and returns how many (0 at the end, -1 on error).
  explicit XmlSource(std::function<int(char*, int)> read) : read_(std::move(read)) {}

  // For xmlReaderForIO: what doctype_line() read ahead comes first, then the rest.
  int read(char* buffer, int length);

  // The line of a DOCTYPE declaration, found by a SAX parser that stops at the DOCTYPE or at the
  // root element's start, whichever comes first: a DOCTYPE is refused before its internal subset
  // or any entity in it is parsed. Nothing when there is none (or the prolog does not parse,
  // which the real parse then reports).
  std::optional<int> doctype_line();

 private:
  std::function<int(char*, int)> read_;
  std::string ahead_;  // bytes read by doctype_line(), replayed by read()
  std::size_t replayed_ = 0;
};

}  // namespace opcat::schema::detail
