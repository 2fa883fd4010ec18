#include "adapters/readers/xml/xml_reader.hpp"

#include <memory>

#include "adapters/readers/xml/xml_settings.hpp"
#include "adapters/readers/xml/xml_stream_reader.hpp"

namespace opcat::adapters {

ReaderFactory configure_xml_reader(const toml::table* settings) {
  auto validated = std::make_shared<const XmlSettings>(parse_xml_settings(settings));
  return [validated](ByteSource& source) -> std::unique_ptr<Reader> {
    return std::make_unique<XmlStreamReader>(source, validated);
  };
}

}  // namespace opcat::adapters
