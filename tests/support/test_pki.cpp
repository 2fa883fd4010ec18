#include "tests/support/test_pki.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include "adapters/core/sha256.hpp"

namespace opcat::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// ---- RAII for OpenSSL objects -----------------------------------------------------------------

template <auto Free>
struct OpensslDeleter {
  template <typename T>
  void operator()(T* object) const noexcept {
    Free(object);
  }
};

using Key = std::unique_ptr<EVP_PKEY, OpensslDeleter<&EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, OpensslDeleter<&X509_free>>;
using Crl = std::unique_ptr<X509_CRL, OpensslDeleter<&X509_CRL_free>>;
using RevokedEntry = std::unique_ptr<X509_REVOKED, OpensslDeleter<&X509_REVOKED_free>>;
using Name = std::unique_ptr<X509_NAME, OpensslDeleter<&X509_NAME_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, OpensslDeleter<&X509_EXTENSION_free>>;
using Time = std::unique_ptr<ASN1_TIME, OpensslDeleter<&ASN1_TIME_free>>;
using Integer = std::unique_ptr<ASN1_INTEGER, OpensslDeleter<&ASN1_INTEGER_free>>;
using Bio = std::unique_ptr<BIO, OpensslDeleter<&BIO_free_all>>;

// ---- Errors -----------------------------------------------------------------------------------

// Drains OpenSSL's error queue into the exception, so a failing test says why.
[[noreturn]] void throw_openssl_error(std::string_view what) {
  std::string message = "TestPki: " + std::string(what);
  char buffer[256];
  while (unsigned long code = ERR_get_error()) {
    ERR_error_string_n(code, buffer, sizeof buffer);
    message += "; ";
    message += buffer;
  }
  throw std::runtime_error(message);
}

template <typename T>
T* check(T* result, std::string_view what) {
  if (result == nullptr) throw_openssl_error(what);
  return result;
}

void check(int result, std::string_view what) {
  if (result <= 0) throw_openssl_error(what);
}

// ---- Building blocks --------------------------------------------------------------------------

Key generate_key() {
  return Key{check(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), "generating a P-256 key")};
}

Time time_from_now(seconds offset) {
  return Time{check(X509_gmtime_adj(nullptr, offset.count()), "computing a time")};
}

Integer integer(long value) {
  Integer result{check(ASN1_INTEGER_new(), "ASN1_INTEGER_new")};
  check(ASN1_INTEGER_set(result.get(), value), "ASN1_INTEGER_set");
  return result;
}

void add_name_entry(X509_NAME* name, int nid, const std::string& value) {
  // V_ASN1_UTF8STRING stores the value as given. MBSTRING_UTF8 would apply X.520's upper bounds,
  // and two NPM member names exceed the 64 characters allowed for O (certs/dev-pki lifts it too).
  const auto* bytes = reinterpret_cast<const unsigned char*>(value.data());
  check(X509_NAME_add_entry_by_NID(name, nid, V_ASN1_UTF8STRING, bytes,
                                   static_cast<int>(value.size()), -1, 0),
        "adding a name entry");
}

Name make_name(const std::string& cn, const std::string& organisation,
               const std::string& organisational_unit) {
  Name name{check(X509_NAME_new(), "X509_NAME_new")};
  add_name_entry(name.get(), NID_commonName, cn);
  if (!organisation.empty()) add_name_entry(name.get(), NID_organizationName, organisation);
  if (!organisational_unit.empty()) {
    add_name_entry(name.get(), NID_organizationalUnitName, organisational_unit);
  }
  return name;
}

// A certificate with everything but extensions and signature.
Certificate new_certificate(long serial, const X509_NAME* subject, const X509_NAME* issuer,
                            EVP_PKEY* key, seconds not_before_offset, seconds not_after_offset) {
  if (not_after_offset <= not_before_offset) {
    throw std::invalid_argument("TestPki: not_after_offset must be later than not_before_offset");
  }
  Certificate certificate{check(X509_new(), "X509_new")};
  X509* x = certificate.get();
  check(X509_set_version(x, X509_VERSION_3), "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), "setting the serial");
  check(X509_set_subject_name(x, subject), "setting the subject");
  check(X509_set_issuer_name(x, issuer), "setting the issuer");
  check(X509_gmtime_adj(X509_getm_notBefore(x), not_before_offset.count()), "setting notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(x), not_after_offset.count()), "setting notAfter");
  check(X509_set_pubkey(x, key), "setting the public key");
  return certificate;
}

// Adds an extension written in openssl.cnf syntax ("critical,CA:TRUE", "keyid:always"...).
void add_extension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context{};
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  Extension extension{check(X509V3_EXT_conf_nid(nullptr, &context, nid, value), value)};
  check(X509_add_ext(certificate, extension.get(), -1), value);
}

// Serialises through a memory BIO with one of OpenSSL's PEM_write_bio_* functions.
template <typename Write>
std::string to_pem(Write write) {
  Bio bio{check(BIO_new(BIO_s_mem()), "BIO_new")};
  check(write(bio.get()), "writing PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

void write_file(const fs::path& path, const std::string& contents, bool secret) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("TestPki: cannot write " + path.string());
  // Restrict a key file before anything secret is in it.
  if (secret) fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  out << contents;
  out.close();
  if (!out) throw std::runtime_error("TestPki: cannot write " + path.string());
}

std::string sha256_hex(X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  check(X509_digest(certificate, EVP_sha256(), digest, &length), "X509_digest");
  return adapters::to_hex({digest, length});
}

// File names come from CNs chosen by tests: keep them to a portable alphabet so that a CN such
// as "../x" or "a b" can neither leave dir() nor need quoting.
std::string file_stem(const std::string& cn) {
  std::string stem;
  for (const char c : cn) {
    const bool portable = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    stem += portable ? c : '_';
  }
  if (stem.empty() || stem.front() == '.') stem.insert(0, "_");
  return stem;
}

Certificate read_certificate(const fs::path& path) {
  Bio bio{check(BIO_new_file(path.c_str(), "r"), "opening " + path.string())};
  return Certificate{
      check(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), "reading " + path.string())};
}

// What distinguishes a server, a client and a signing certificate.
struct LeafProfile {
  std::string cn;
  std::string organisation;
  std::string organisational_unit;
  const char* key_usage;
  const char* extended_key_usage;
  const char* subject_alt_name;  // nullptr: no SAN
  seconds not_before_offset;
  seconds not_after_offset;
};

struct Revocation {
  long serial;
  std::time_t revoked_at;
};

}  // namespace

// ---- TestPki ----------------------------------------------------------------------------------

struct TestPki::State {
  fs::path dir;
  Key ca_key;
  Certificate ca_certificate;
  long next_serial = 1;
  long crl_number = 1;
  std::vector<Revocation> revocations;

  void create_ca(const std::string& ca_name);
  IssuedCertificate issue(const LeafProfile& profile);
  fs::path unused_base_name(const std::string& cn, long serial) const;
  void write_crl();
};

void TestPki::State::create_ca(const std::string& ca_name) {
  ca_key = generate_key();
  Name name = make_name(ca_name, "OPCAT Gateway tests", "");
  ca_certificate = new_certificate(next_serial++, name.get(), name.get(), ca_key.get(),
                                   seconds{-3600}, seconds{3600 * 24 * 30});
  X509* ca = ca_certificate.get();
  add_extension(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
  // The key identifier lets a verifier tell two test CAs with the same name apart.
  add_extension(ca, ca, NID_subject_key_identifier, "hash");
  check(X509_sign(ca, ca_key.get(), EVP_sha256()), "signing the CA certificate");
  write_file(dir / "ca.crt", to_pem([ca](BIO* bio) { return PEM_write_bio_X509(bio, ca); }), false);
}

IssuedCertificate TestPki::State::issue(const LeafProfile& profile) {
  const long serial = next_serial++;
  Key key = generate_key();
  Name subject = make_name(profile.cn, profile.organisation, profile.organisational_unit);
  Certificate certificate =
      new_certificate(serial, subject.get(), X509_get_subject_name(ca_certificate.get()), key.get(),
                      profile.not_before_offset, profile.not_after_offset);
  X509* x = certificate.get();
  X509* ca = ca_certificate.get();
  add_extension(x, ca, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(x, ca, NID_key_usage, profile.key_usage);
  add_extension(x, ca, NID_ext_key_usage, profile.extended_key_usage);
  if (profile.subject_alt_name != nullptr) {
    add_extension(x, ca, NID_subject_alt_name, profile.subject_alt_name);
  }
  add_extension(x, ca, NID_subject_key_identifier, "hash");
  add_extension(x, ca, NID_authority_key_identifier, "keyid:always");
  check(X509_sign(x, ca_key.get(), EVP_sha256()), "signing a certificate");

  const fs::path base = unused_base_name(profile.cn, serial);
  IssuedCertificate issued{fs::path(base).concat(".crt"), fs::path(base).concat(".key"),
                           sha256_hex(x), serial};
  EVP_PKEY* k = key.get();
  write_file(issued.private_key, to_pem([k](BIO* bio) {
               return PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
             }),
             true);
  write_file(issued.certificate, to_pem([x](BIO* bio) { return PEM_write_bio_X509(bio, x); }),
             false);
  return issued;
}

// dir/<cn>, or dir/<cn>-<serial> when that name is taken (a second certificate for the same CN,
// as in a rotation test, or a CN such as "ca"), so no earlier file is ever overwritten.
fs::path TestPki::State::unused_base_name(const std::string& cn, long serial) const {
  const std::string stem = file_stem(cn);
  const auto taken = [this](const std::string& candidate) {
    return fs::exists(dir / (candidate + ".crt")) || fs::exists(dir / (candidate + ".key"));
  };
  if (!taken(stem)) return dir / stem;
  return dir / (stem + "-" + std::to_string(serial));
}

void TestPki::State::write_crl() {
  Crl crl{check(X509_CRL_new(), "X509_CRL_new")};
  X509_CRL* c = crl.get();
  check(X509_CRL_set_version(c, X509_CRL_VERSION_2), "X509_CRL_set_version");
  check(X509_CRL_set_issuer_name(c, X509_get_subject_name(ca_certificate.get())),
        "setting the CRL issuer");
  // lastUpdate an hour back, like the certificates, so clock granularity never makes it "future".
  check(X509_CRL_set1_lastUpdate(c, time_from_now(seconds{-3600}).get()), "setting lastUpdate");
  check(X509_CRL_set1_nextUpdate(c, time_from_now(seconds{3600 * 24 * 30}).get()),
        "setting nextUpdate");

  for (const Revocation& revocation : revocations) {
    RevokedEntry entry{check(X509_REVOKED_new(), "X509_REVOKED_new")};
    check(X509_REVOKED_set_serialNumber(entry.get(), integer(revocation.serial).get()),
          "setting a revoked serial");
    Time revoked_at{check(ASN1_TIME_set(nullptr, revocation.revoked_at), "ASN1_TIME_set")};
    check(X509_REVOKED_set_revocationDate(entry.get(), revoked_at.get()),
          "setting a revocation date");
    check(X509_CRL_add0_revoked(c, entry.get()), "adding a revoked entry");
    entry.release();  // owned by the CRL now
  }
  check(X509_CRL_sort(c), "X509_CRL_sort");
  check(X509_CRL_add1_ext_i2d(c, NID_crl_number, integer(crl_number++).get(), 0, 0),
        "adding the CRL number");
  check(X509_CRL_sign(c, ca_key.get(), EVP_sha256()), "signing the CRL");
  write_file(dir / "ca.crl", to_pem([c](BIO* bio) { return PEM_write_bio_X509_CRL(bio, c); }),
             false);
}

TestPki::TestPki(std::filesystem::path dir, std::string ca_name)
    : state_(std::make_unique<State>()) {
  state_->dir = std::move(dir);
  fs::create_directories(state_->dir);
  state_->create_ca(ca_name);
  state_->write_crl();
}

TestPki::~TestPki() = default;
TestPki::TestPki(TestPki&&) noexcept = default;
TestPki& TestPki::operator=(TestPki&&) noexcept = default;

const std::filesystem::path& TestPki::dir() const {
  return state_->dir;
}
std::filesystem::path TestPki::ca_certificate() const {
  return state_->dir / "ca.crt";
}
std::filesystem::path TestPki::crl() const {
  return state_->dir / "ca.crl";
}

IssuedCertificate TestPki::issue_server(const std::string& cn) {
  return state_->issue({.cn = cn,
                        .organisation = "Test",
                        .organisational_unit = "",
                        .key_usage = "critical,digitalSignature",
                        .extended_key_usage = "serverAuth",
                        .subject_alt_name = "DNS:localhost,IP:127.0.0.1,IP:::1",
                        .not_before_offset = seconds{-3600},
                        .not_after_offset = seconds{3600 * 24}});
}

IssuedCertificate TestPki::issue_client(const std::string& cn) {
  return issue_client(cn, ClientOptions{});
}

IssuedCertificate TestPki::issue_client(const std::string& cn, const ClientOptions& options) {
  return state_->issue({.cn = cn,
                        .organisation = options.organisation,
                        .organisational_unit = options.organisational_unit,
                        .key_usage = "critical,digitalSignature",
                        .extended_key_usage = "clientAuth",
                        .subject_alt_name = nullptr,
                        .not_before_offset = options.not_before_offset,
                        .not_after_offset = options.not_after_offset});
}

IssuedCertificate TestPki::issue_signing(const std::string& cn) {
  return state_->issue({.cn = cn,
                        .organisation = "Test",
                        .organisational_unit = "",
                        .key_usage = "critical,digitalSignature,nonRepudiation",
                        .extended_key_usage = "emailProtection",
                        .subject_alt_name = nullptr,
                        .not_before_offset = seconds{-3600},
                        .not_after_offset = seconds{3600 * 24}});
}

void TestPki::revoke(const IssuedCertificate& issued) {
  // Check the file, not just the serial: a serial from another TestPki would silently revoke
  // an unrelated certificate of ours.
  Certificate certificate = read_certificate(issued.certificate);
  if (X509_verify(certificate.get(), X509_get0_pubkey(state_->ca_certificate.get())) != 1) {
    ERR_clear_error();
    throw std::runtime_error("TestPki: " + issued.certificate.string() +
                             " was not issued by this CA");
  }
  const long serial = ASN1_INTEGER_get(X509_get0_serialNumber(certificate.get()));
  const bool already_revoked =
      std::any_of(state_->revocations.begin(), state_->revocations.end(),
                  [serial](const Revocation& revocation) { return revocation.serial == serial; });
  if (!already_revoked) state_->revocations.push_back({serial, std::time(nullptr)});
  state_->write_crl();
}

// ---- TempDir ----------------------------------------------------------------------------------

TempDir::TempDir(std::string_view prefix) {
  // mkdtemp picks the unique name and creates the directory in one step: no race with a
  // parallel test run choosing the same name.
  std::string pattern = (fs::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;  // a destructor must not throw; a leftover temp dir is harmless
  fs::remove_all(path_, ignored);
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

// Swapping hands our old directory to `other`, whose destructor removes it.
TempDir& TempDir::operator=(TempDir&& other) noexcept {
  std::swap(path_, other.path_);
  return *this;
}

}  // namespace opcat::testing
