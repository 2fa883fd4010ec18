#include "gateway/signing/base64.hpp"

#include <openssl/evp.h>

#include <climits>
#include <stdexcept>

namespace opcat::signing {
namespace {

bool in_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// EVP_DecodeBlock skips leading and trailing whitespace and does not check padding, so the
// strictness promised in the header is checked here first. Returns the number of '='.
std::optional<std::size_t> padding_of_strict_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    if (!in_alphabet(text[i])) return std::nullopt;
  }
  return padding;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  // EVP_EncodeBlock takes an int length; 1.5 GiB of input already makes 2 GiB of output.
  if (bytes.size() > static_cast<std::size_t>(INT_MAX) / 4 * 3) {
    throw std::length_error("base64_encode: input too large");
  }
  std::string text(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(written));
  return text;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return std::nullopt;
  const std::optional<std::size_t> padding = padding_of_strict_base64(text);
  if (!padding) return std::nullopt;
  if (text.empty()) return std::string();
  std::string bytes(text.size() / 4 * 3, '\0');
  // Decodes whole blocks: the count includes one zero byte for each '='.
  const int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  if (decoded < 0) return std::nullopt;
  bytes.resize(static_cast<std::size_t>(decoded) - *padding);
  return bytes;
}

}  // namespace opcat::signing
