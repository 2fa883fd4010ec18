#include "gateway/consolidation/pseudonymiser.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <fstream>
#include <iterator>
#include <span>
#include <stdexcept>

#include "adapters/core/sha256.hpp"

namespace opcat::consolidation {
namespace {

std::string hmac_sha256_hex(const std::string& key, std::string_view value) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(value.data()), value.size(), digest.data(),
           &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
  }
  return adapters::to_hex(std::span<const unsigned char>(digest.data(), length));
}

}  // namespace

Pseudonymiser Pseudonymiser::from_key_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot read the pseudonym key");
  std::string key{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (key.size() < kMinKeyBytes) {
    throw std::runtime_error(file.string() + ": a pseudonym key needs at least " +
                             std::to_string(kMinKeyBytes) + " bytes, the file has " +
                             std::to_string(key.size()));
  }
  return Pseudonymiser(std::move(key));
}

Pseudonymiser::Pseudonymiser(std::string key) : key_(std::move(key)) {
  if (key_.size() < kMinKeyBytes) {
    throw std::invalid_argument("a pseudonym key needs at least " + std::to_string(kMinKeyBytes) +
                                " bytes");
  }
}

std::string Pseudonymiser::pseudonym(std::string_view value) const {
  return "p:" + hmac_sha256_hex(key_, value).substr(0, 32);
}

std::string Pseudonymiser::key_id() const {
  return hmac_sha256_hex(key_, "opcat-gateway pseudonym key id").substr(0, 16);
}

}  // namespace opcat::consolidation
