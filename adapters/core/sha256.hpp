// SHA-256 (OpenSSL EVP) and lower-case hex: the one place the gateway, the adapters and the tests
// compute a digest or write bytes as hex (archive names, receipts, Idempotency-Keys, certificate
// pins, hashed record ids).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

// OpenSSL's own name for EVP_MD_CTX, declared here so that this header does not pull in OpenSSL's.
struct evp_md_ctx_st;

namespace opcat::adapters {

// Lower-case hex, two digits a byte, no separators: how config pins, receipts and archive names
// write digests.
std::string to_hex(std::span<const unsigned char> bytes);

// SHA-256 of `data`, in lower-case hex (64 characters). Throws std::runtime_error if OpenSSL fails.
std::string sha256_hex(std::string_view data);

// SHA-256 of bytes that arrive in pieces (a file read in chunks, a body as it streams in).
class Sha256 {
 public:
  Sha256();  // throws std::runtime_error if OpenSSL cannot start the digest
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Throws std::runtime_error if OpenSSL fails; std::logic_error after finish_hex() or a move.
  void update(std::string_view data);
  // The digest of everything given to update(), in lower-case hex. Once only: the object is spent
  // afterwards. Throws std::runtime_error if OpenSSL fails; std::logic_error when already spent.
  std::string finish_hex();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* context) const noexcept;
  };
  std::unique_ptr<evp_md_ctx_st, Free> context_;
};

}  // namespace opcat::adapters
