#include "adapters/schema/xml_record_writer.hpp"

#include <libxml/tree.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>
#include <string>

#include "adapters/schema/xml_text.hpp"

namespace opcat::schema {
namespace {

const xmlChar* x(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

void check(int result, const char* what) {
  if (result < 0) throw std::runtime_error(std::string("writing XML: ") + what + " failed");
}

std::string name_of(const rapidjson::Value& name) {
  return {name.GetString(), name.GetStringLength()};
}

// An NCName (no prefix), so that every element stays in the records' default namespace.
void check_element_name(const std::string& name, const std::string& where) {
  if (xml_text_problem(name) || xmlValidateNCName(x(name.c_str()), 0) != 0) {
    throw std::invalid_argument(where + ": \"" + name + "\" cannot be an XML element name");
  }
}

// Everything that would make the record unwritable, found before a byte is written.
void check_writable(const rapidjson::Value& value, const std::string& where) {
  if (value.IsString()) {
    if (auto problem = xml_text_problem({value.GetString(), value.GetStringLength()})) {
      throw std::invalid_argument(where + ": the text " + *problem);
    }
  } else if (value.IsDouble()) {
    // RapidJSON cannot parse NaN or infinity by default, but a DOM built in code can hold them.
    rapidjson::StringBuffer text;
    rapidjson::Writer<rapidjson::StringBuffer> writer(text);
    if (!writer.Double(value.GetDouble())) {
      throw std::invalid_argument(where + ": not a finite number");
    }
  } else if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      const std::string name = name_of(member.name);
      check_element_name(name, where);
      check_writable(member.value, where + "." + name);
    }
  } else if (value.IsArray()) {
    for (const auto& item : value.GetArray()) check_writable(item, where + "[]");
  }
}

void write_content(xmlTextWriterPtr writer, const rapidjson::Value& value);

void write_element(xmlTextWriterPtr writer, const std::string& name,
                   const rapidjson::Value& value) {
  if (value.IsNull()) return;  // null is unknown, as absent is: no element
  check(xmlTextWriterStartElement(writer, x(name.c_str())), "an element");
  write_content(writer, value);
  check(xmlTextWriterEndElement(writer), "an element's end");
}

void write_content(xmlTextWriterPtr writer, const rapidjson::Value& value) {
  if (value.IsObject()) {
    for (const auto& member : value.GetObject())
      write_element(writer, name_of(member.name), member.value);
  } else if (value.IsArray()) {
    for (const auto& item : value.GetArray()) write_element(writer, "item", item);
  } else if (value.IsString()) {
    const std::string text(value.GetString(), value.GetStringLength());
    check(xmlTextWriterWriteString(writer, x(text.c_str())), "text");
  } else if (value.IsBool()) {
    check(xmlTextWriterWriteString(writer, x(value.GetBool() ? "true" : "false")), "a boolean");
  } else if (value.IsNumber()) {
    // RapidJSON's own number text: integers stay integers, 5.0 stays 5.0, 1e30 stays 1e30.
    rapidjson::StringBuffer text;
    rapidjson::Writer<rapidjson::StringBuffer> number(text);
    value.Accept(number);
    check(xmlTextWriterWriteString(writer, x(text.GetString())), "a number");
  }
}

}  // namespace

void begin_xml_document(xmlTextWriterPtr writer) {
  check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nullptr), "the XML declaration");
  check(xmlTextWriterStartElementNS(writer, nullptr, x("records"), x(kRecordNamespace)),
        "<records>");
  check(xmlTextWriterWriteAttribute(writer, x("schema_version"), x("1")), "schema_version");
}

void write_xml_record(xmlTextWriterPtr writer, const rapidjson::Value& record) {
  if (!record.IsObject()) throw std::invalid_argument("a record must be a JSON object");
  const auto type = record.FindMember("record_type");
  if (type == record.MemberEnd() || !type->value.IsString() || type->value.GetStringLength() == 0) {
    throw std::invalid_argument("a record needs a record_type to name its element");
  }
  check_element_name(name_of(type->value), "record_type");
  check_writable(record, name_of(type->value));
  write_element(writer, name_of(type->value), record);
}

void end_xml_document(xmlTextWriterPtr writer) {
  check(xmlTextWriterEndElement(writer), "</records>");
  check(xmlTextWriterEndDocument(writer), "the document's end");
  check(xmlTextWriterFlush(writer), "flushing");
}

}  // namespace opcat::schema
