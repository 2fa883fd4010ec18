// Tests of the two PKIs the project uses: the in-memory TestPki of tests/support (every TLS test
// builds on it) and the certs/dev-pki script (what developers and demos run against).
// Certificates are checked the way the gateway will check them: X509_verify_cert against the CA,
// with the CRL and a TLS purpose; the signing certificate also by stock `openssl cms -verify`.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/wait.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/signing/signer.hpp"
#include "tests/support/test_pki.hpp"

namespace {

namespace fs = std::filesystem;
using opcat::testing::IssuedCertificate;
using opcat::testing::TempDir;
using opcat::testing::TestPki;

const fs::path kSourceDir = OPCAT_SOURCE_DIR;
const fs::path kDevPki = kSourceDir / "certs" / "dev-pki";
const fs::path kMembersTsv = kSourceDir / "schemas" / "codelists" / "members.tsv";

// ---- OpenSSL helpers --------------------------------------------------------------------------

template <auto Free>
struct OpensslDeleter {
  template <typename T>
  void operator()(T* object) const noexcept {
    Free(object);
  }
};
using Certificate = std::unique_ptr<X509, OpensslDeleter<&X509_free>>;
using Crl = std::unique_ptr<X509_CRL, OpensslDeleter<&X509_CRL_free>>;
using Key = std::unique_ptr<EVP_PKEY, OpensslDeleter<&EVP_PKEY_free>>;
using Store = std::unique_ptr<X509_STORE, OpensslDeleter<&X509_STORE_free>>;
using StoreContext = std::unique_ptr<X509_STORE_CTX, OpensslDeleter<&X509_STORE_CTX_free>>;
using GeneralNames = std::unique_ptr<GENERAL_NAMES, OpensslDeleter<&GENERAL_NAMES_free>>;

Certificate load_certificate(const fs::path& path) {
  std::unique_ptr<FILE, OpensslDeleter<&fclose>> file{std::fopen(path.c_str(), "r")};
  if (!file) throw std::runtime_error("cannot open " + path.string());
  Certificate certificate{PEM_read_X509(file.get(), nullptr, nullptr, nullptr)};
  if (!certificate) throw std::runtime_error("not a PEM certificate: " + path.string());
  return certificate;
}

Crl load_crl(const fs::path& path) {
  std::unique_ptr<FILE, OpensslDeleter<&fclose>> file{std::fopen(path.c_str(), "r")};
  if (!file) throw std::runtime_error("cannot open " + path.string());
  Crl crl{PEM_read_X509_CRL(file.get(), nullptr, nullptr, nullptr)};
  if (!crl) throw std::runtime_error("not a PEM CRL: " + path.string());
  return crl;
}

Key load_private_key(const fs::path& path) {
  std::unique_ptr<FILE, OpensslDeleter<&fclose>> file{std::fopen(path.c_str(), "r")};
  if (!file) throw std::runtime_error("cannot open " + path.string());
  Key key{PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr)};
  if (!key) throw std::runtime_error("not a PEM private key: " + path.string());
  return key;
}

// Verifies `leaf` for `purpose` against `ca`, and against `crl` with CRL checking when one is
// given. Returns X509_V_OK or the X509_V_ERR_* code that stopped verification.
int verify(const fs::path& leaf, const fs::path& ca, const fs::path& crl = {},
           int purpose = X509_PURPOSE_SSL_CLIENT) {
  Store store{X509_STORE_new()};
  Certificate ca_certificate = load_certificate(ca);
  X509_STORE_add_cert(store.get(), ca_certificate.get());
  if (!crl.empty()) {
    Crl revocations = load_crl(crl);
    X509_STORE_add_crl(store.get(), revocations.get());
    X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
  }
  Certificate certificate = load_certificate(leaf);
  StoreContext context{X509_STORE_CTX_new()};
  X509_STORE_CTX_init(context.get(), store.get(), certificate.get(), nullptr);
  X509_STORE_CTX_set_purpose(context.get(), purpose);
  if (X509_verify_cert(context.get()) == 1) return X509_V_OK;
  const int error = X509_STORE_CTX_get_error(context.get());
  return error == X509_V_OK ? X509_V_ERR_UNSPECIFIED : error;
}

// The value of the first subject entry with `nid`, as UTF-8; "" if there is none.
std::string subject_entry(X509* certificate, int nid) {
  const X509_NAME* name = X509_get_subject_name(certificate);
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  unsigned char* utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
  if (length < 0) return {};
  std::string value(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return value;
}

int subject_entry_count(X509* certificate) {
  return X509_NAME_entry_count(X509_get_subject_name(certificate));
}

// SANs as "DNS:name" / "IP:address" (IPv6 in its compressed form, e.g. "IP:::1").
std::set<std::string> subject_alt_names(X509* certificate) {
  GeneralNames names{static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr))};
  std::set<std::string> result;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* dns = name->d.dNSName;
      result.insert("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                         static_cast<std::size_t>(ASN1_STRING_length(dns))));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      const int family = ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6;
      inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof text);
      result.insert("IP:" + std::string(text));
    }
  }
  return result;
}

int revoked_count(const fs::path& crl_path) {
  Crl crl = load_crl(crl_path);
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  return revoked == nullptr ? 0 : sk_X509_REVOKED_num(revoked);
}

// Whole days from `from` to `to` (nullptr: now).
int days_between(const ASN1_TIME* from, const ASN1_TIME* to) {
  int days = 0;
  int seconds = 0;
  ASN1_TIME_diff(&days, &seconds, from, to);
  return days;
}

bool key_matches(const fs::path& certificate, const fs::path& key) {
  Certificate x = load_certificate(certificate);
  Key k = load_private_key(key);
  return X509_check_private_key(x.get(), k.get()) == 1;
}

bool owner_only(const fs::path& path) {
  const fs::perms mode = fs::status(path).permissions() & fs::perms::mask;
  return mode == (fs::perms::owner_read | fs::perms::owner_write);
}

// ---- Files and processes ----------------------------------------------------------------------

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Every regular file under `dir` (relative path → contents), to compare a PKI before and after.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), dir).string()] = read_file(entry.path());
    }
  }
  return files;
}

std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr, for failure messages
};

CommandResult run(const std::string& command) {
  std::unique_ptr<FILE, OpensslDeleter<&pclose>> pipe{popen((command + " 2>&1").c_str(), "r")};
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string output;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) {
    output.append(buffer, n);
  }
  const int status = pclose(pipe.release());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// certs/dev-pki with the given (already quoted) arguments.
CommandResult run_dev_pki(const std::string& arguments) {
  return run(shell_quote(kDevPki.string()) + " " + arguments);
}

struct Member {
  std::string code;
  std::string name;
};

// schemas/codelists/members.tsv: a "code<TAB>name" header, then one member per line.
std::vector<Member> read_members() {
  std::ifstream in(kMembersTsv);
  std::string line;
  std::getline(in, line);  // header
  std::vector<Member> members;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    members.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return members;
}

// ==== TestPki ==================================================================================

class TestPkiTest : public ::testing::Test {
 protected:
  TempDir temp_;
  TestPki pki_{temp_.path() / "pki"};
};

TEST_F(TestPkiTest, WritesCaCertificateAndEmptyCrl) {
  EXPECT_TRUE(fs::exists(pki_.ca_certificate()));
  EXPECT_EQ(pki_.ca_certificate(), pki_.dir() / "ca.crt");
  EXPECT_EQ(pki_.crl(), pki_.dir() / "ca.crl");
  EXPECT_EQ(revoked_count(pki_.crl()), 0);
  Certificate ca = load_certificate(pki_.ca_certificate());
  EXPECT_EQ(subject_entry(ca.get(), NID_commonName), "Test CA");
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
}

TEST_F(TestPkiTest, ClientCertificateVerifiesAgainstCa) {
  const IssuedCertificate client = pki_.issue_client("hmip");
  EXPECT_EQ(client.certificate, pki_.dir() / "hmip.crt");
  EXPECT_EQ(client.private_key, pki_.dir() / "hmip.key");
  EXPECT_EQ(verify(client.certificate, pki_.ca_certificate()), X509_V_OK);
  EXPECT_EQ(verify(client.certificate, pki_.ca_certificate(), pki_.crl()), X509_V_OK);
  // clientAuth only: it must not pass as a server.
  EXPECT_EQ(verify(client.certificate, pki_.ca_certificate(), {}, X509_PURPOSE_SSL_SERVER),
            X509_V_ERR_INVALID_PURPOSE);
}

TEST_F(TestPkiTest, ServerCertificateNamesLocalhostAndServesOnly) {
  const IssuedCertificate server = pki_.issue_server();
  EXPECT_EQ(verify(server.certificate, pki_.ca_certificate(), pki_.crl(), X509_PURPOSE_SSL_SERVER),
            X509_V_OK);
  EXPECT_EQ(verify(server.certificate, pki_.ca_certificate(), {}, X509_PURPOSE_SSL_CLIENT),
            X509_V_ERR_INVALID_PURPOSE);
  Certificate x = load_certificate(server.certificate);
  EXPECT_EQ(subject_entry(x.get(), NID_commonName), "localhost");
  EXPECT_EQ(subject_alt_names(x.get()),
            (std::set<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
}

TEST_F(TestPkiTest, SigningCertificateSignsCmsAndDoesNoTls) {
  const IssuedCertificate signing = pki_.issue_signing();
  EXPECT_EQ(verify(signing.certificate, pki_.ca_certificate(), pki_.crl(), X509_PURPOSE_SMIME_SIGN),
            X509_V_OK);
  for (const int purpose : {X509_PURPOSE_SSL_SERVER, X509_PURPOSE_SSL_CLIENT}) {
    EXPECT_EQ(verify(signing.certificate, pki_.ca_certificate(), {}, purpose),
              X509_V_ERR_INVALID_PURPOSE);
  }
  Certificate x = load_certificate(signing.certificate);
  EXPECT_EQ(subject_entry(x.get(), NID_commonName), "Test signing");
  EXPECT_EQ(X509_get_key_usage(x.get()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
  EXPECT_EQ(X509_get_extended_key_usage(x.get()), static_cast<uint32_t>(XKU_SMIME));
  EXPECT_TRUE(key_matches(signing.certificate, signing.private_key));
}

TEST_F(TestPkiTest, ExpiredCertificateFails) {
  TestPki::ClientOptions expired;
  expired.not_before_offset = std::chrono::hours(-48);
  expired.not_after_offset = std::chrono::hours(-24);
  const IssuedCertificate client = pki_.issue_client("expired", expired);
  EXPECT_EQ(verify(client.certificate, pki_.ca_certificate()), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST_F(TestPkiTest, RevokedCertificateFailsWithCrlCheck) {
  const IssuedCertificate revoked = pki_.issue_client("revoked");
  const IssuedCertificate kept = pki_.issue_client("kept");
  pki_.revoke(revoked);
  pki_.revoke(revoked);  // idempotent: one entry, not two

  EXPECT_EQ(revoked_count(pki_.crl()), 1);
  EXPECT_EQ(verify(revoked.certificate, pki_.ca_certificate(), pki_.crl()),
            X509_V_ERR_CERT_REVOKED);
  EXPECT_EQ(verify(kept.certificate, pki_.ca_certificate(), pki_.crl()), X509_V_OK);
  // Without CRL checking the revocation is invisible: the gateway must turn the check on.
  EXPECT_EQ(verify(revoked.certificate, pki_.ca_certificate()), X509_V_OK);
}

TEST_F(TestPkiTest, CertificateFromAnotherCaFails) {
  TestPki other(temp_.path() / "other", "Other CA");
  TestPki same_name(temp_.path() / "same-name");  // also "Test CA", but another key
  const IssuedCertificate foreign = other.issue_client("hmip");
  const IssuedCertificate impostor = same_name.issue_client("hmip");

  EXPECT_EQ(verify(foreign.certificate, pki_.ca_certificate()),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_NE(verify(impostor.certificate, pki_.ca_certificate()), X509_V_OK);
  EXPECT_THROW(pki_.revoke(foreign), std::runtime_error);
}

TEST_F(TestPkiTest, FingerprintMatchesOpensslCli) {
  const IssuedCertificate client = pki_.issue_client("hmip");
  const CommandResult cli = run("openssl x509 -noout -fingerprint -sha256 -in " +
                                shell_quote(client.certificate.string()));
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  // "sha256 Fingerprint=AB:CD:..." → "abcd..."
  std::string expected;
  for (const char c : cli.output.substr(cli.output.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      expected += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  EXPECT_EQ(expected.size(), 64u);
  EXPECT_EQ(client.sha256, expected);
}

TEST_F(TestPkiTest, SubjectRoundTripsAndKeyIsPrivate) {
  TestPki::ClientOptions options;
  options.organisation = "Office for Standards in Education, Children's Services and Skills";
  options.organisational_unit = "members";
  const IssuedCertificate client = pki_.issue_client("ofsted", options);

  Certificate x = load_certificate(client.certificate);
  EXPECT_EQ(subject_entry(x.get(), NID_commonName), "ofsted");
  EXPECT_EQ(subject_entry(x.get(), NID_organizationName), options.organisation);
  EXPECT_EQ(subject_entry(x.get(), NID_organizationalUnitName), "members");
  EXPECT_EQ(subject_entry_count(x.get()), 3);
  EXPECT_TRUE(key_matches(client.certificate, client.private_key));
  EXPECT_TRUE(owner_only(client.private_key));
  EXPECT_GT(client.serial, 0);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(x.get())), client.serial);
}

TEST_F(TestPkiTest, FileNamesStayInsideDirAndNeverOverwrite) {
  const IssuedCertificate odd = pki_.issue_client("../a b/c");
  EXPECT_EQ(odd.certificate.parent_path(), pki_.dir());
  EXPECT_EQ(odd.certificate.filename(), "_.._a_b_c.crt");

  // A second certificate for the same CN (a rotation test) and a CN that collides with the CA.
  const IssuedCertificate first = pki_.issue_client("hmip");
  const IssuedCertificate second = pki_.issue_client("hmip");
  const IssuedCertificate ca_named = pki_.issue_client("ca");
  EXPECT_NE(first.certificate, second.certificate);
  EXPECT_NE(first.sha256, second.sha256);
  EXPECT_TRUE(key_matches(first.certificate, first.private_key));
  EXPECT_TRUE(key_matches(second.certificate, second.private_key));
  EXPECT_NE(ca_named.certificate, pki_.ca_certificate());
  EXPECT_EQ(X509_check_ca(load_certificate(pki_.ca_certificate()).get()), 1);
}

TEST(TempDirTest, IsUniqueAndRemovedOnDestruction) {
  fs::path kept_path;
  {
    TempDir first;
    TempDir second;
    EXPECT_NE(first.path(), second.path());
    EXPECT_TRUE(fs::is_directory(first.path()));
    std::ofstream(first.path() / "file") << "x";

    TempDir moved(std::move(first));
    kept_path = moved.path();
    EXPECT_TRUE(first.path().empty());
    EXPECT_TRUE(fs::exists(kept_path / "file"));
  }
  EXPECT_FALSE(fs::exists(kept_path));
}

// ==== certs/dev-pki ============================================================================

TEST(DevPkiCommandLineTest, HelpAndUsageErrors) {
  const CommandResult help = run_dev_pki("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("Usage: certs/dev-pki"), std::string::npos) << help.output;
  EXPECT_EQ(run_dev_pki("").exit_code, 2);
  EXPECT_EQ(run_dev_pki("--no-such-option x").exit_code, 2);
  EXPECT_EQ(run_dev_pki("--force x revoke y.crt").exit_code, 2);
}

// Runs dev-pki once for the suite; tests that change the PKI work on a private copy.
class DevPkiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    temp_ = std::make_unique<TempDir>("opcat-dev-pki");
    generated_ = run_dev_pki(shell_quote(pki().string()));
  }
  static void TearDownTestSuite() { temp_.reset(); }

  void SetUp() override { ASSERT_EQ(generated_.exit_code, 0) << generated_.output; }

  static fs::path pki() { return temp_->path() / "dev"; }

  static fs::path copy_of_pki(const TempDir& into) {
    const fs::path copy = into.path() / "dev";
    fs::copy(pki(), copy, fs::copy_options::recursive);
    return copy;
  }

  static fs::path member_certificate(const fs::path& dir, const std::string& code) {
    return dir / "members" / (code + ".crt");
  }

  static inline std::unique_ptr<TempDir> temp_;
  static inline CommandResult generated_;
  const std::vector<Member> members_ = read_members();
};

TEST_F(DevPkiTest, CaIsTheDevelopmentCaWithAnEmptyCrl) {
  Certificate ca = load_certificate(pki() / "ca.crt");
  EXPECT_EQ(subject_entry(ca.get(), NID_commonName), "OPCAT Gateway Development CA");
  EXPECT_EQ(subject_entry(ca.get(), NID_organizationName), "UK NPM (development only)");
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_get_key_usage(ca.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_GE(days_between(X509_get0_notBefore(ca.get()), X509_get0_notAfter(ca.get())), 3650);
  EXPECT_TRUE(owner_only(pki() / "ca" / "ca.key"));

  EXPECT_EQ(revoked_count(pki() / "ca.crl"), 0);
  Crl crl = load_crl(pki() / "ca.crl");
  EXPECT_GE(days_between(nullptr, X509_CRL_get0_nextUpdate(crl.get())), 300);
}

TEST_F(DevPkiTest, EveryMemberHasACertificateNamedAfterIt) {
  ASSERT_EQ(members_.size(), 21u);
  for (const Member& member : members_) {
    SCOPED_TRACE(member.code);
    const fs::path certificate = member_certificate(pki(), member.code);
    const fs::path key = pki() / "members" / (member.code + ".key");
    ASSERT_TRUE(fs::exists(certificate));
    EXPECT_EQ(verify(certificate, pki() / "ca.crt", pki() / "ca.crl"), X509_V_OK);
    Certificate x = load_certificate(certificate);
    EXPECT_EQ(subject_entry(x.get(), NID_commonName), member.code);
    EXPECT_EQ(subject_entry(x.get(), NID_organizationName), member.name);
    EXPECT_EQ(subject_entry(x.get(), NID_organizationalUnitName), "members");
    EXPECT_EQ(subject_entry_count(x.get()), 3);  // commas and '+' did not split the subject
    EXPECT_EQ(X509_get_extended_key_usage(x.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
    EXPECT_GE(days_between(X509_get0_notBefore(x.get()), X509_get0_notAfter(x.get())), 825);
    EXPECT_TRUE(key_matches(certificate, key));
  }
}

TEST_F(DevPkiTest, GatewayCertificateNamesLocalhost) {
  const fs::path certificate = pki() / "gateway.crt";
  EXPECT_EQ(verify(certificate, pki() / "ca.crt", pki() / "ca.crl", X509_PURPOSE_SSL_SERVER),
            X509_V_OK);
  Certificate x = load_certificate(certificate);
  EXPECT_EQ(subject_entry(x.get(), NID_commonName), "localhost");
  EXPECT_EQ(subject_alt_names(x.get()),
            (std::set<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
  EXPECT_EQ(X509_get_extended_key_usage(x.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_TRUE(key_matches(certificate, pki() / "gateway.key"));
}

TEST_F(DevPkiTest, GatewaySigningCertificateSignsAndDoesNoTls) {
  const fs::path certificate = pki() / "gateway-signing.crt";
  EXPECT_EQ(verify(certificate, pki() / "ca.crt", pki() / "ca.crl", X509_PURPOSE_SMIME_SIGN),
            X509_V_OK);
  for (const int purpose : {X509_PURPOSE_SSL_SERVER, X509_PURPOSE_SSL_CLIENT}) {
    EXPECT_EQ(verify(certificate, pki() / "ca.crt", {}, purpose), X509_V_ERR_INVALID_PURPOSE);
  }
  Certificate x = load_certificate(certificate);
  EXPECT_EQ(subject_entry(x.get(), NID_commonName), "OPCAT Gateway receipts");
  EXPECT_EQ(subject_entry(x.get(), NID_organizationName), "UK NPM (development only)");
  EXPECT_EQ(subject_entry(x.get(), NID_organizationalUnitName), "gateway");
  EXPECT_EQ(X509_get_key_usage(x.get()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
  EXPECT_EQ(X509_get_extended_key_usage(x.get()), static_cast<uint32_t>(XKU_SMIME));
  EXPECT_TRUE(key_matches(certificate, pki() / "gateway-signing.key"));
}

// What a member does with a receipt: stock OpenSSL, the dev CA, nothing of ours.
TEST_F(DevPkiTest, ReceiptSignedWithItVerifiesWithTheOpensslCommandLine) {
  TempDir temp;
  const fs::path receipt = temp.path() / "receipt.json";
  const fs::path signature = temp.path() / "receipt.json.p7s";
  const std::string content = "{\"submission\":\"s-1\",\"status\":\"accepted\"}\n";
  const auto signer =
      opcat::signing::Signer::load(pki() / "gateway-signing.crt", pki() / "gateway-signing.key");
  std::ofstream(receipt, std::ios::binary) << content;
  std::ofstream(signature, std::ios::binary) << signer.sign_detached(content);

  const std::string verify_command = "openssl cms -verify -binary -inform DER -in " +
                                     shell_quote(signature.string()) + " -content " +
                                     shell_quote(receipt.string()) + " -CAfile " +
                                     shell_quote((pki() / "ca.crt").string()) + " -out /dev/null";
  const CommandResult verified = run(verify_command);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;

  std::ofstream(receipt, std::ios::binary) << "{\"submission\":\"s-1\",\"status\":\"rejected\"}\n";
  const CommandResult tampered = run(verify_command);
  EXPECT_NE(tampered.exit_code, 0) << tampered.output;
}

TEST_F(DevPkiTest, OperatorsAreClientsOfTheSecretariat) {
  for (const std::string name : {"admin", "operator", "viewer"}) {
    SCOPED_TRACE(name);
    const fs::path certificate = pki() / "operators" / (name + ".crt");
    EXPECT_EQ(verify(certificate, pki() / "ca.crt", pki() / "ca.crl"), X509_V_OK);
    Certificate x = load_certificate(certificate);
    EXPECT_EQ(subject_entry(x.get(), NID_commonName), name);
    EXPECT_EQ(subject_entry(x.get(), NID_organizationName), "UK NPM Secretariat (development)");
    EXPECT_EQ(subject_entry(x.get(), NID_organizationalUnitName), "operators");
    EXPECT_TRUE(key_matches(certificate, pki() / "operators" / (name + ".key")));
  }
}

TEST_F(DevPkiTest, InboxesServeAndConnect) {
  for (const std::string name : {"npm-inbox", "spt-inbox"}) {
    SCOPED_TRACE(name);
    const fs::path certificate = pki() / (name + ".crt");
    for (const int purpose : {X509_PURPOSE_SSL_SERVER, X509_PURPOSE_SSL_CLIENT}) {
      EXPECT_EQ(verify(certificate, pki() / "ca.crt", pki() / "ca.crl", purpose), X509_V_OK);
    }
    Certificate x = load_certificate(certificate);
    EXPECT_EQ(subject_entry(x.get(), NID_commonName), name);
    EXPECT_EQ(subject_alt_names(x.get()),
              (std::set<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
    EXPECT_TRUE(key_matches(certificate, pki() / (name + ".key")));
  }
}

TEST_F(DevPkiTest, PrivateKeysAreOwnerOnly) {
  int keys = 0;
  for (const auto& entry : fs::recursive_directory_iterator(pki())) {
    if (entry.path().extension() != ".key") continue;
    ++keys;
    EXPECT_TRUE(owner_only(entry.path())) << entry.path();
  }
  // CA, gateway (TLS server, TLS client to recipients, signing), members, operators, inboxes
  // (TLS and receipt signing), the SPT's pseudonym key.
  EXPECT_EQ(keys, 1 + 3 + 21 + 3 + 4 + 1);
}

TEST_F(DevPkiTest, RerunChangesNothing) {
  TempDir temp;
  const fs::path copy = copy_of_pki(temp);
  const auto before = snapshot(copy);

  const CommandResult rerun = run_dev_pki(shell_quote(copy.string()));
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_EQ(snapshot(copy), before);
}

TEST_F(DevPkiTest, RerunFillsInWhatIsMissing) {
  TempDir temp;
  const fs::path copy = copy_of_pki(temp);
  const std::string ca_before = read_file(copy / "ca.crt");
  const std::string cqc_before = read_file(member_certificate(copy, "cqc"));
  const std::string hmip_before = read_file(member_certificate(copy, "hmip"));
  fs::remove(member_certificate(copy, "hmip"));
  fs::remove(copy / "members" / "hmip.key");

  const CommandResult rerun = run_dev_pki(shell_quote(copy.string()));
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_EQ(read_file(copy / "ca.crt"), ca_before);
  EXPECT_EQ(read_file(member_certificate(copy, "cqc")), cqc_before);
  EXPECT_NE(read_file(member_certificate(copy, "hmip")), hmip_before);
  EXPECT_EQ(verify(member_certificate(copy, "hmip"), copy / "ca.crt", copy / "ca.crl"), X509_V_OK);
  EXPECT_TRUE(owner_only(copy / "members" / "hmip.key"));
}

// A PKI from before the signing certificate existed: a re-run adds it, from the same CA, and
// leaves every certificate and key already there as it was.
TEST_F(DevPkiTest, RerunAddsACertificateThatAnOlderPkiLacks) {
  TempDir temp;
  const fs::path copy = copy_of_pki(temp);
  fs::remove(copy / "gateway-signing.crt");
  fs::remove(copy / "gateway-signing.key");
  const auto is_issued_file = [](const std::string& name) {
    return !name.starts_with("ca/") && !name.starts_with(".dev-pki");  // not the CA's database
  };
  std::map<std::string, std::string> before = snapshot(copy);
  std::erase_if(before, [&](const auto& file) { return !is_issued_file(file.first); });

  const CommandResult rerun = run_dev_pki(shell_quote(copy.string()));
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_NE(rerun.output.find("gateway-signing.crt    1 new"), std::string::npos) << rerun.output;
  EXPECT_EQ(verify(copy / "gateway-signing.crt", copy / "ca.crt", copy / "ca.crl",
                   X509_PURPOSE_SMIME_SIGN),
            X509_V_OK);
  EXPECT_TRUE(key_matches(copy / "gateway-signing.crt", copy / "gateway-signing.key"));
  EXPECT_TRUE(owner_only(copy / "gateway-signing.key"));

  std::map<std::string, std::string> after = snapshot(copy);
  std::erase_if(after, [&](const auto& file) {
    return !is_issued_file(file.first) || file.first.starts_with("gateway-signing.");
  });
  EXPECT_EQ(after, before);
}

TEST_F(DevPkiTest, RevokedMemberFailsAndOthersStillPass) {
  TempDir temp;
  const fs::path copy = copy_of_pki(temp);
  const CommandResult revoke = run_dev_pki(shell_quote(copy.string()) + " revoke " +
                                           shell_quote(member_certificate(copy, "cqc").string()));
  ASSERT_EQ(revoke.exit_code, 0) << revoke.output;

  EXPECT_EQ(revoked_count(copy / "ca.crl"), 1);
  for (const Member& member : members_) {
    SCOPED_TRACE(member.code);
    const int expected = member.code == "cqc" ? X509_V_ERR_CERT_REVOKED : X509_V_OK;
    EXPECT_EQ(verify(member_certificate(copy, member.code), copy / "ca.crt", copy / "ca.crl"),
              expected);
  }
}

TEST_F(DevPkiTest, RevokeRefusesAForeignCertificate) {
  TempDir temp;
  const fs::path copy = copy_of_pki(temp);
  TestPki other(temp.path() / "other");
  const IssuedCertificate foreign = other.issue_client("hmip");
  const std::string crl_before = read_file(copy / "ca.crl");

  const CommandResult revoke = run_dev_pki(shell_quote(copy.string()) + " revoke " +
                                           shell_quote(foreign.certificate.string()));
  EXPECT_NE(revoke.exit_code, 0) << revoke.output;
  EXPECT_EQ(read_file(copy / "ca.crl"), crl_before);
}

TEST_F(DevPkiTest, ForceRegeneratesEverything) {
  TempDir temp;
  const fs::path copy = copy_of_pki(temp);
  const fs::path old_hmip = temp.path() / "old-hmip.crt";
  fs::copy_file(member_certificate(copy, "hmip"), old_hmip);
  const std::string ca_before = read_file(copy / "ca.crt");

  const CommandResult force = run_dev_pki("--force " + shell_quote(copy.string()));
  ASSERT_EQ(force.exit_code, 0) << force.output;
  EXPECT_NE(read_file(copy / "ca.crt"), ca_before);
  EXPECT_EQ(verify(member_certificate(copy, "hmip"), copy / "ca.crt", copy / "ca.crl"), X509_V_OK);
  EXPECT_EQ(verify(old_hmip, copy / "ca.crt"), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

}  // namespace
