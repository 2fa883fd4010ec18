// Certificate -> party: what is read from a certificate made by the test PKI, and how the
// directories of members and operators match it against a configuration built by hand.
#include "gateway/identity/directory.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "gateway/identity/peer_certificate.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::identity {
namespace {

using opcat::testing::IssuedCertificate;
using opcat::testing::TempDir;
using opcat::testing::TestPki;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

X509Ptr load_certificate(const std::filesystem::path& file) {
  std::unique_ptr<FILE, decltype(&std::fclose)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) throw std::runtime_error("cannot open " + file.string());
  X509Ptr certificate(PEM_read_X509(in.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!certificate) throw std::runtime_error("no PEM certificate in " + file.string());
  return certificate;
}

PeerCertificate read(const IssuedCertificate& issued) {
  return read_peer_certificate(load_certificate(issued.certificate).get());
}

class PeerCertificateTest : public ::testing::Test {
 protected:
  PeerCertificateTest() : pki_(dir_.path() / "pki") {}

  IssuedCertificate client(const std::string& cn, const std::string& organisation,
                           const std::string& organisational_unit = "") {
    TestPki::ClientOptions options;
    options.organisation = organisation;
    options.organisational_unit = organisational_unit;
    return pki_.issue_client(cn, options);
  }

  TempDir dir_;
  TestPki pki_;
};

TEST_F(PeerCertificateTest, ReadsCnOrganisationSubjectAndFingerprint) {
  const IssuedCertificate issued = client("hmip", "HM Inspectorate of Prisons");
  const PeerCertificate peer = read(issued);
  EXPECT_EQ(peer.subject_cn, "hmip");
  EXPECT_EQ(peer.organisation, "HM Inspectorate of Prisons");
  EXPECT_EQ(peer.subject, "O=HM Inspectorate of Prisons,CN=hmip");  // RFC 2253: last RDN first
  EXPECT_THAT(peer.sha256, MatchesRegex("[0-9a-f]{64}"));
  EXPECT_EQ(peer.sha256, issued.sha256);
}

TEST_F(PeerCertificateTest, SubjectListsEveryEntryAndEscapesSpecials) {
  const PeerCertificate peer =
      read(client("ofsted", "Office for Standards in Education, Children's Services and Skills",
                  "Inspections"));
  EXPECT_EQ(peer.organisation, "Office for Standards in Education, Children's Services and Skills");
  EXPECT_EQ(peer.subject,
            "OU=Inspections,O=Office for Standards in Education\\, Children's Services and "
            "Skills,CN=ofsted");
}

TEST_F(PeerCertificateTest, NonAsciiNamesStayUtf8) {
  // "Arolygiaeth Gofal Iechyd Cymru" with a circumflexed w (U+0175), as Welsh bodies may write.
  const std::string organisation = "Arolygiaeth Gofal Iechyd Cymru \xc5\xb5";
  const PeerCertificate peer = read(client("hiw", organisation));
  EXPECT_EQ(peer.organisation, organisation);
  EXPECT_THAT(peer.subject, HasSubstr(organisation));  // not \C5\B5 escapes
}

TEST_F(PeerCertificateTest, MissingOrganisationIsEmpty) {
  const PeerCertificate peer = read(client("cqc", ""));
  EXPECT_EQ(peer.subject_cn, "cqc");
  EXPECT_EQ(peer.organisation, "");
  EXPECT_EQ(peer.subject, "CN=cqc");
}

TEST_F(PeerCertificateTest, TwoCertificatesWithOneNameHaveTwoFingerprints) {
  const IssuedCertificate first = client("hmip", "HM Inspectorate of Prisons");
  const IssuedCertificate second = client("hmip", "HM Inspectorate of Prisons");
  const PeerCertificate a = read(first);
  const PeerCertificate b = read(second);
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_NE(a.sha256, b.sha256);
  EXPECT_EQ(a.sha256, first.sha256);
  EXPECT_EQ(b.sha256, second.sha256);
}

// Directories over a configuration written by hand (no TOML), matched against the fields
// read from real certificates.
class DirectoryTest : public PeerCertificateTest {
 protected:
  static config::CertificateMatch by_cn(std::string cn) {
    config::CertificateMatch match;
    match.cn = std::move(cn);
    return match;
  }

  void add_member(const std::string& code, const std::string& name,
                  config::CertificateMatch match) {
    config::Member member;
    member.code = code;
    member.name = name;
    member.certificate = std::move(match);
    config_.members[code] = member;
  }

  void add_operator(const std::string& name, const std::string& display_name, config::Role role,
                    config::CertificateMatch match) {
    config::Operator op;
    op.name = name;
    op.display_name = display_name;
    op.role = role;
    op.certificate = std::move(match);
    config_.operators[name] = op;
  }

  config::Config config_;
};

TEST_F(DirectoryTest, MembersMatchByCn) {
  add_member("hmip", "HM Inspectorate of Prisons", by_cn("hmip"));
  add_member("cqc", "Care Quality Commission", by_cn("cqc-gateway"));
  const Directory members = Directory::of_members(config_);
  EXPECT_EQ(members.kind(), Identity::Kind::member);
  EXPECT_EQ(members.size(), 2u);

  const auto hmip = members.find(read(client("hmip", "HM Inspectorate of Prisons")));
  ASSERT_TRUE(hmip.has_value());
  EXPECT_EQ(hmip->kind, Identity::Kind::member);
  EXPECT_EQ(hmip->code, "hmip");
  EXPECT_EQ(hmip->name, "HM Inspectorate of Prisons");
  EXPECT_FALSE(hmip->role.has_value());

  // The configured CN, not the member code, is what the certificate must carry.
  const auto cqc = members.find(read(client("cqc-gateway", "Care Quality Commission")));
  ASSERT_TRUE(cqc.has_value());
  EXPECT_EQ(cqc->code, "cqc");
  EXPECT_FALSE(members.find(read(client("cqc", "Care Quality Commission"))).has_value());
}

TEST_F(DirectoryTest, CnMustBeExactlyEqual) {
  add_member("hmip", "HM Inspectorate of Prisons", by_cn("hmip"));
  const Directory members = Directory::of_members(config_);
  for (const char* cn : {"HMIP", "hmip ", " hmip", "hmi", "hmips", "hmip\\"}) {
    SCOPED_TRACE(cn);
    EXPECT_FALSE(members.find(read(client(cn, "HM Inspectorate of Prisons"))).has_value());
  }
  // The organisation plays no part in the match.
  EXPECT_TRUE(members.find(read(client("hmip", "Someone Else"))).has_value());
}

TEST_F(DirectoryTest, CnWithPinNeedsBoth) {
  const IssuedCertificate pinned = client("hmip", "HM Inspectorate of Prisons");
  const IssuedCertificate sibling = client("hmip", "HM Inspectorate of Prisons");  // same CN
  config::CertificateMatch match = by_cn("hmip");
  match.sha256 = {pinned.sha256};
  add_member("hmip", "HM Inspectorate of Prisons", match);
  const Directory members = Directory::of_members(config_);

  const auto found = members.find(read(pinned));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->code, "hmip");
  EXPECT_FALSE(members.find(read(sibling)).has_value()) << "right CN, wrong fingerprint";

  // The right fingerprint under another CN does not pass either.
  PeerCertificate renamed = read(pinned);
  renamed.subject_cn = "imb";
  EXPECT_FALSE(members.find(renamed).has_value());
}

TEST_F(DirectoryTest, AnyOfSeveralPinsMatches) {
  // Certificate rotation: the old and the new certificate are pinned side by side.
  const IssuedCertificate old_one = client("hmip", "HM Inspectorate of Prisons");
  const IssuedCertificate new_one = client("hmip", "HM Inspectorate of Prisons");
  const IssuedCertificate unpinned = client("hmip", "HM Inspectorate of Prisons");
  config::CertificateMatch match = by_cn("hmip");
  match.sha256 = {old_one.sha256, new_one.sha256};
  add_member("hmip", "HM Inspectorate of Prisons", match);
  const Directory members = Directory::of_members(config_);

  EXPECT_TRUE(members.find(read(old_one)).has_value());
  EXPECT_TRUE(members.find(read(new_one)).has_value());
  EXPECT_FALSE(members.find(read(unpinned)).has_value());
}

TEST_F(DirectoryTest, PinOnlyRuleMatchesByFingerprintWhateverTheCn) {
  const IssuedCertificate pinned = client("legacy-box-17", "Independent Monitoring Boards");
  const IssuedCertificate named = client("imb", "Independent Monitoring Boards");
  config::CertificateMatch match;  // no cn
  match.sha256 = {pinned.sha256};
  add_member("imb", "Independent Monitoring Boards", match);
  const Directory members = Directory::of_members(config_);

  const auto found = members.find(read(pinned));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->code, "imb");
  EXPECT_FALSE(members.find(read(named)).has_value())
      << "a CN equal to the member code is no substitute for the pin";
}

TEST_F(DirectoryTest, RuleThatNamesNothingMatchesNothing) {
  add_member("hmip", "HM Inspectorate of Prisons", config::CertificateMatch{});
  const Directory members = Directory::of_members(config_);
  EXPECT_EQ(members.size(), 1u);
  EXPECT_FALSE(members.find(read(client("hmip", "HM Inspectorate of Prisons"))).has_value());
  EXPECT_FALSE(members.find(read(client("anyone", "Test"))).has_value());
  EXPECT_FALSE(members.find(PeerCertificate{}).has_value());  // no CN, no fingerprint
}

TEST_F(DirectoryTest, EmptyDirectoryMatchesNothing) {
  const Directory members = Directory::of_members(config_);
  const Directory operators = Directory::of_operators(config_);
  EXPECT_EQ(members.size(), 0u);
  EXPECT_EQ(operators.size(), 0u);
  const PeerCertificate peer = read(client("hmip", "HM Inspectorate of Prisons"));
  EXPECT_FALSE(members.find(peer).has_value());
  EXPECT_FALSE(operators.find(peer).has_value());
}

TEST_F(DirectoryTest, OperatorsAndMembersNeverStandInForEachOther) {
  add_member("hmip", "HM Inspectorate of Prisons", by_cn("hmip"));
  add_operator("admin", "Secretariat administrator", config::Role::admin, by_cn("admin"));
  add_operator("ann", "Ann (viewer)", config::Role::viewer, by_cn("ann"));
  const Directory members = Directory::of_members(config_);
  const Directory operators = Directory::of_operators(config_);
  EXPECT_EQ(members.kind(), Identity::Kind::member);
  EXPECT_EQ(operators.kind(), Identity::Kind::operator_);
  EXPECT_EQ(members.size(), 1u);
  EXPECT_EQ(operators.size(), 2u);

  const PeerCertificate member = read(client("hmip", "HM Inspectorate of Prisons"));
  const PeerCertificate admin = read(client("admin", "NPM Secretariat"));
  const PeerCertificate viewer = read(client("ann", "NPM Secretariat"));

  EXPECT_FALSE(operators.find(member).has_value())
      << "a member's certificate passed as an operator";
  EXPECT_FALSE(members.find(admin).has_value()) << "an operator's certificate passed as a member";
  EXPECT_FALSE(members.find(viewer).has_value());

  const auto as_admin = operators.find(admin);
  ASSERT_TRUE(as_admin.has_value());
  EXPECT_EQ(as_admin->kind, Identity::Kind::operator_);
  EXPECT_EQ(as_admin->code, "admin");
  EXPECT_EQ(as_admin->name, "Secretariat administrator");
  EXPECT_EQ(as_admin->role, config::Role::admin);

  const auto as_viewer = operators.find(viewer);
  ASSERT_TRUE(as_viewer.has_value());
  EXPECT_EQ(as_viewer->code, "ann");
  EXPECT_EQ(as_viewer->role, config::Role::viewer);

  const auto as_member = members.find(member);
  ASSERT_TRUE(as_member.has_value());
  EXPECT_EQ(as_member->kind, Identity::Kind::member);
}

TEST_F(DirectoryTest, OperatorPinsWorkAsMembersDo) {
  const IssuedCertificate pinned = client("admin", "NPM Secretariat");
  const IssuedCertificate sibling = client("admin", "NPM Secretariat");
  config::CertificateMatch match = by_cn("admin");
  match.sha256 = {pinned.sha256};
  add_operator("admin", "Secretariat administrator", config::Role::admin, match);
  const Directory operators = Directory::of_operators(config_);
  EXPECT_TRUE(operators.find(read(pinned)).has_value());
  EXPECT_FALSE(operators.find(read(sibling)).has_value());
}

}  // namespace
}  // namespace opcat::identity
