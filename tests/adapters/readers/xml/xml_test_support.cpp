#include "xml_test_support.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "adapters/readers/xml/xml_reader.hpp"

namespace opcat::adapters::testing {

toml::table reader_table(std::string_view toml_text) {
  return toml::parse(toml_text);
}

std::unique_ptr<Reader> xml_reader(ByteSource& source, std::string_view settings_toml) {
  const toml::table settings = reader_table(settings_toml);
  return configure_xml_reader(&settings)(source);
}

std::size_t TricklingSource::read(char* buffer, std::size_t size) {
  const std::size_t n = std::min({size, chunk_, bytes_.size() - position_});
  std::memcpy(buffer, bytes_.data() + position_, n);
  position_ += n;
  return n;
}

char RepeatingSource::byte_at(std::size_t offset) const {
  if (offset < head_.size()) return head_[offset];
  return body_[(offset - head_.size()) % body_.size()];
}

std::size_t RepeatingSource::read(char* buffer, std::size_t size) {
  std::size_t n = 0;
  const std::size_t body_end = total_ - tail_.size();
  while (n < size && served_ < total_) {
    buffer[n++] = served_ < body_end ? byte_at(served_) : tail_[served_ - body_end];
    ++served_;
  }
  return n;
}

std::size_t FailingSource::read(char* buffer, std::size_t size) {
  if (served_) throw std::runtime_error("cannot read failing: connection reset");
  served_ = true;
  const std::size_t n = std::min(size, prefix_.size());
  std::memcpy(buffer, prefix_.data(), n);
  return n;
}

std::vector<std::string> locators_and_values(Reader& reader, const std::string& field) {
  const Selector selector = reader.bind(FieldPath{field});
  std::vector<std::string> out;
  while (auto node = reader.next()) {
    auto value = node->value(selector);
    out.push_back(node->locator() + "=" + (value ? std::string(*value) : "<absent>"));
  }
  return out;
}

}  // namespace opcat::adapters::testing
