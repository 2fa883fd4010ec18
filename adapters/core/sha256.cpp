#include "adapters/core/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace opcat::adapters {
namespace {

// Fetched once: OpenSSL 3 looks the algorithm up again on every EVP_sha256() use, which was a
// measurable share of each hashed id (docs/PERFORMANCE.md). An EVP_MD may be shared by threads;
// it is kept for the life of the process.
const EVP_MD* sha256_algorithm() {
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (algorithm == nullptr) throw std::runtime_error("SHA-256 is not available (OpenSSL EVP)");
  return algorithm;
}

}  // namespace

std::string to_hex(std::span<const unsigned char> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * bytes.size());
  for (const unsigned char byte : bytes) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, sha256_algorithm(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed (OpenSSL EVP)");
  }
  return to_hex({digest, length});
}

void Sha256::Free::operator()(evp_md_ctx_st* context) const noexcept {
  EVP_MD_CTX_free(context);
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (!context_ || EVP_DigestInit_ex(context_.get(), sha256_algorithm(), nullptr) != 1) {
    throw std::runtime_error("cannot start SHA-256 (OpenSSL EVP)");
  }
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view data) {
  if (!context_) throw std::logic_error("Sha256::update after finish_hex or a move");
  if (EVP_DigestUpdate(context_.get(), data.data(), data.size()) != 1) {
    throw std::runtime_error("SHA-256 update failed (OpenSSL EVP)");
  }
}

std::string Sha256::finish_hex() {
  if (!context_) throw std::logic_error("Sha256::finish_hex twice or after a move");
  // Spent whatever happens: a context OpenSSL failed to finalise is no use either.
  const std::unique_ptr<evp_md_ctx_st, Free> context = std::move(context_);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), digest, &length) != 1) {
    throw std::runtime_error("SHA-256 final failed (OpenSSL EVP)");
  }
  return to_hex({digest, length});
}

}  // namespace opcat::adapters
