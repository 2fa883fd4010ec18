// Validating one <records> document against the compiled record.xsd: a streaming reader, one
// small document per record, and libxml2's errors turned into violations that name the field.
#pragma once

#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include <string>
#include <vector>

#include "adapters/schema/violation.hpp"

namespace opcat::schema::detail {

// libxml2's message without the records namespace in element names, nor the trailing newline.
std::string readable(const char* message);

// Reads the document to its end (or to its first DOCTYPE or fatal error) and appends to `out`
// what is wrong with it. Errors are collected through structured handlers, never printed.
void validate_records(xmlSchemaPtr schema, xmlTextReaderPtr reader, std::vector<Violation>& out);

}  // namespace opcat::schema::detail
