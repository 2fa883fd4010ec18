// The XML form of records (schemas/record.xsd), written one record at a time so that any number
// of records streams through bounded memory.
//
// The mapping is generic: each JSON field becomes a child element of the same name, in the same
// order; an array becomes the field's element holding one <item> per element; an object becomes
// nested elements; true/false stay true/false; numbers keep their JSON text (so 5.0 stays 5.0 and
// is no xs:integer); a null or absent field is left out. Because null and absent look alike, and
// "12" and 12 both become <capacity>12</capacity>, write only records RecordSchema accepted.
#pragma once

#include <libxml/xmlwriter.h>
#include <rapidjson/document.h>

namespace opcat::schema {

// The XML declaration and <records xmlns="urn:opcat-gateway:record:1" schema_version="1">.
// Indentation is the writer's own setting (xmlTextWriterSetIndent).
void begin_xml_document(xmlTextWriterPtr writer);

// One record element, named by its record_type. Checks the whole record before writing any of
// it, so a refused record leaves the document well-formed: throws std::invalid_argument for a
// record the XML form cannot carry (not an object, no record_type, a field name that is no XML
// name, text XML 1.0 cannot hold). Throws std::runtime_error when the writer fails.
void write_xml_record(xmlTextWriterPtr writer, const rapidjson::Value& record);

// Closes <records> and the document, and flushes the writer.
void end_xml_document(xmlTextWriterPtr writer);

// The namespace of the records document (record.xsd's targetNamespace).
inline constexpr const char* kRecordNamespace = "urn:opcat-gateway:record:1";

}  // namespace opcat::schema
