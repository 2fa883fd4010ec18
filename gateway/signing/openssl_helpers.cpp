#include "gateway/signing/openssl_helpers.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdio>
#include <stdexcept>
#include <system_error>

#include "adapters/core/sha256.hpp"

namespace opcat::signing::detail {
namespace {

[[noreturn]] void unreadable(const std::filesystem::path& path, std::string_view what,
                             const std::string& reason) {
  throw std::runtime_error(path.string() + ": cannot read the " + std::string(what) + ": " +
                           reason);
}

bool contains_ignoring_case(std::string_view text, std::string_view part) {
  const auto lower = [](unsigned char c) { return std::tolower(c); };
  return !std::ranges::search(text, part, {}, lower, lower).empty();
}

bool last_error_is(int library, int reason) {
  const unsigned long last = ERR_peek_last_error();
  return ERR_GET_LIB(last) == library && ERR_GET_REASON(last) == reason;
}

// PEM reading stops with "no start line" when no further PEM block follows: after the last
// certificate that is the normal end of the file, not an error.
bool only_no_start_line_left() {
  return last_error_is(ERR_LIB_PEM, PEM_R_NO_START_LINE);
}

// Refuses every pass phrase prompt: without this OpenSSL would try to read one from the terminal.
int no_pass_phrase(char* /*buffer*/, int /*size*/, int /*writing*/, void* /*user*/) {
  return -1;
}

}  // namespace

void free_certificates(STACK_OF(X509) * certificates) noexcept {
  sk_X509_pop_free(certificates, X509_free);
}

std::string take_openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    std::string reason;
    if (ERR_SYSTEM_ERROR(code)) {
      // OpenSSL 3.0 has no reason string for these; the reason is the errno value.
      reason = std::system_category().message(ERR_GET_REASON(code));
    } else if (const char* known = ERR_reason_error_string(code)) {
      reason = known;
    } else {
      reason = "OpenSSL error " + std::to_string(code);
    }
    // Callers up the stack often restate the cause ("No such file or directory", then "no such
    // file"): keep the first, most specific, wording.
    if (contains_ignoring_case(text, reason)) continue;
    if (!text.empty()) text += "; ";
    text += reason;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

Bio memory_bio(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::length_error("CMS input of " + std::to_string(bytes.size()) +
                            " bytes is larger than OpenSSL's 2 GiB memory BIO");
  }
  // An empty view may have a null data(); OpenSSL needs a pointer even for zero bytes.
  const char* data = bytes.empty() ? "" : bytes.data();
  Bio bio{BIO_new_mem_buf(data, static_cast<int>(bytes.size()))};
  if (!bio) throw std::runtime_error("BIO_new_mem_buf: " + take_openssl_errors());
  return bio;
}

Bio file_bio(const std::filesystem::path& path, std::string_view what) {
  // "rb": signed content is bytes, and PEM parsing does not mind either.
  Bio bio{BIO_new_file(path.c_str(), "rb")};
  if (!bio) unreadable(path, what, take_openssl_errors());
  return bio;
}

bool read_failed(BIO* bio) {
  if (BIO_method_type(bio) != BIO_TYPE_FILE) return false;
  FILE* file = nullptr;
  return BIO_get_fp(bio, &file) == 1 && file != nullptr && std::ferror(file) != 0;
}

std::string memory_contents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Certificates read_certificates(const std::filesystem::path& path, std::string_view what) {
  Bio bio = file_bio(path, what);
  Certificates certificates{sk_X509_new_null()};
  if (!certificates) unreadable(path, what, take_openssl_errors());
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (sk_X509_push(certificates.get(), certificate) == 0) {
      X509_free(certificate);
      unreadable(path, what, take_openssl_errors());
    }
  }
  if (!only_no_start_line_left()) unreadable(path, what, take_openssl_errors());
  ERR_clear_error();
  if (sk_X509_num(certificates.get()) == 0) unreadable(path, what, "it holds no PEM certificate");
  return certificates;
}

Key read_private_key(const std::filesystem::path& path, std::string_view what) {
  Bio bio = file_bio(path, what);
  Key key{PEM_read_bio_PrivateKey(bio.get(), nullptr, no_pass_phrase, nullptr)};
  if (key) return key;
  // OpenSSL 3's decoders answer "unsupported" when nothing in the file is a key they know.
  if (only_no_start_line_left() || last_error_is(ERR_LIB_OSSL_DECODER, ERR_R_UNSUPPORTED)) {
    ERR_clear_error();
    unreadable(path, what, "it holds no PEM private key that OpenSSL can read");
  }
  if (last_error_is(ERR_LIB_PEM, PEM_R_BAD_PASSWORD_READ)) {
    ERR_clear_error();
    unreadable(path, what, "it is encrypted, and the gateway cannot be given a pass phrase");
  }
  unreadable(path, what, take_openssl_errors());
}

std::string sha256_fingerprint(X509* certificate) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha256(), digest.data(), &length) != 1) {
    throw std::runtime_error("X509_digest: " + take_openssl_errors());
  }
  return adapters::to_hex({digest.data(), length});
}

std::string subject_cn(X509* certificate) {
  const X509_NAME* name = X509_get_subject_name(certificate);
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return {};
  // ASN1_STRING_to_UTF8: a CN may be a BMPString or a T61String, not only UTF8String.
  unsigned char* utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
  if (length < 0) return {};
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return cn;
}

std::string subject_text(X509* certificate) {
  Bio bio{BIO_new(BIO_s_mem())};
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0,
                                 XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    throw std::runtime_error("X509_NAME_print_ex: " + take_openssl_errors());
  }
  return memory_contents(bio.get());
}

}  // namespace opcat::signing::detail
