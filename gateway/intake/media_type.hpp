// Which Content-Types a reader can take. A member's mapping names its reader (csv, xml, json);
// a push labelled with a type that reader cannot read is refused with 415 before its body is
// read, rather than failing later with a confusing parse error.
#pragma once

#include <string>
#include <string_view>

namespace opcat::intake {

// "text/csv; charset=utf-8" -> "text/csv": lower case, parameters and spaces removed.
std::string media_type_of(std::string_view content_type);

// True for an absent type, application/octet-stream, or a type of the reader's format.
bool reader_accepts(std::string_view reader, std::string_view content_type);

// The types reader_accepts() takes for the reader, for messages: "text/csv, application/csv...".
std::string accepted_types(std::string_view reader);

}  // namespace opcat::intake
