// Intake without sockets: real mappings, schema, SQLite store and signer; bodies from files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "adapters/core/sha256.hpp"
#include "adapters/mapping/catalogue.hpp"
#include "adapters/schema/schemas_dir.hpp"
#include "gateway/intake/intake.hpp"
#include "gateway/intake/media_type.hpp"
#include "gateway/signing/verifier.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::intake {
namespace {

using opcat::adapters::sha256_hex;
using opcat::testing::TempDir;
using opcat::testing::TestPki;

const std::filesystem::path kFixtures = std::filesystem::path(OPCAT_SOURCE_DIR) / "tests/fixtures/members";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class IntakeTest : public ::testing::Test {
 protected:
  IntakeTest()
      : pki_(dir_.path() / "pki"),
        signing_(pki_.issue_signing()),
        signer_(signing::Signer::load(signing_.certificate, signing_.private_key)),
        mappings_(adapters::MappingCatalogue::load(adapters::default_mappings_dir())),
        schema_(schema::RecordSchema::load(schema::schemas_dir())),
        store_(dir_.path() / "data"),
        intake_(store_, mappings_, schema_, signer_, Intake::Options{.receipt_errors = 3}) {}

  // Writes `body` where the archive would have put it and describes it as an upload.
  Upload upload(const std::string& member, const std::string& body,
                std::optional<std::string> key = std::nullopt) {
    const auto path = dir_.path() / ("body-" + std::to_string(++bodies_));
    std::ofstream(path, std::ios::binary) << body;
    Upload upload;
    upload.member = member;
    upload.body = path;
    upload.sha256 = sha256_hex(body);
    upload.size = body.size();
    upload.received_at = store::Clock::now();
    upload.idempotency_key = std::move(key);
    return upload;
  }

  TempDir dir_{"opcat-intake"};
  TestPki pki_;
  opcat::testing::IssuedCertificate signing_;
  signing::Signer signer_;
  adapters::MappingCatalogue mappings_;
  schema::RecordSchema schema_;
  store::sqlite::SqliteStore store_;
  Intake intake_;
  int bodies_ = 0;
};

TEST_F(IntakeTest, AnExportBecomesACommittedSubmissionWithASignedReceipt) {
  const std::string body = read_file(kFixtures / "icva/custody-visits-2024-25.csv");
  const IntakeResult result = intake_.receive(upload("icva", body));

  ASSERT_EQ(result.kind, IntakeResult::Kind::received);
  const auto& submission = result.submission;
  EXPECT_EQ(submission.member, "icva");
  EXPECT_EQ(submission.sha256, sha256_hex(body));
  EXPECT_EQ(submission.size, body.size());
  EXPECT_GT(submission.accepted, 1000u);
  const auto stored = store_.get_submission("icva", submission.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->receipt_json, submission.receipt_json);
  EXPECT_EQ(stored->receipt_signature, submission.receipt_signature);
  const auto signer = signing::verify_detached(submission.receipt_signature,
                                               submission.receipt_json, pki_.ca_certificate());
  EXPECT_EQ(signer.sha256, signer_.certificate_sha256());
  EXPECT_NE(submission.receipt_json.find("\"submission_id\":\"" + submission.id + "\""),
            std::string::npos);
  const auto records = store_.list_records("icva", submission.id, 0, 100000);
  ASSERT_TRUE(records);
  EXPECT_EQ(records->size(), submission.accepted);
}

TEST_F(IntakeTest, TheSameBodyAgainIsAReplayOfTheOriginal) {
  const std::string body = read_file(kFixtures / "hmip/inspections-2024-25.xml");
  const auto first = intake_.receive(upload("hmip", body));
  const auto second = intake_.receive(upload("hmip", body, "retry-key"));
  ASSERT_EQ(first.kind, IntakeResult::Kind::received);
  ASSERT_EQ(second.kind, IntakeResult::Kind::replayed);
  EXPECT_EQ(second.submission.id, first.submission.id);
  EXPECT_EQ(second.submission.receipt_json, first.submission.receipt_json);
  EXPECT_EQ(second.submission.receipt_signature, first.submission.receipt_signature);
  EXPECT_EQ(store_.list_submissions("hmip", {}, 10).size(), 1u);
}

TEST_F(IntakeTest, TheSameBodyFromAnotherMemberIsAnotherSubmission) {
  const std::string body = read_file(kFixtures / "icva/custody-visits-2024-25.csv");
  const auto mine = intake_.receive(upload("icva", body));
  // The same bytes pushed as hmip's export: hmip's mapping reads XML, so it is rejected, but it
  // is hmip's own submission, not a replay of icva's.
  const auto theirs = intake_.receive(upload("hmip", body));
  EXPECT_EQ(theirs.kind, IntakeResult::Kind::received);
  EXPECT_NE(theirs.submission.id, mine.submission.id);
  EXPECT_EQ(theirs.submission.status, store::SubmissionStatus::rejected);
}

TEST_F(IntakeTest, AnIdempotencyKeyReusedForAnotherBodyIsAConflict) {
  const auto first = intake_.receive(
      upload("icva", read_file(kFixtures / "icva/custody-visits-2024-25.csv"), "k-1"));
  const auto second = intake_.receive(upload("icva", "Visit date,Station\n", "k-1"));
  ASSERT_EQ(second.kind, IntakeResult::Kind::key_conflict);
  EXPECT_EQ(second.submission.id, first.submission.id);
  EXPECT_EQ(store_.list_submissions("icva", {}, 10).size(), 1u);
}

TEST_F(IntakeTest, AnUnreadableExportIsRejectedWholeWithItsReason) {
  const auto result = intake_.receive(upload("imb", "\x89PNG\r\n\x1a\n not json"));
  ASSERT_EQ(result.kind, IntakeResult::Kind::received);
  EXPECT_EQ(result.submission.status, store::SubmissionStatus::rejected);
  EXPECT_EQ(result.submission.accepted, 0u);
  EXPECT_NE(result.submission.receipt_json.find("\"status\":\"rejected\""), std::string::npos);
  EXPECT_EQ(result.submission.receipt_json.find("\"reason\":null"), std::string::npos);
  const auto records = store_.list_records("imb", result.submission.id, 0, 10);
  ASSERT_TRUE(records);
  EXPECT_TRUE(records->empty());
}

TEST_F(IntakeTest, AReceiptListsTheFirstErrorsAndCountsAll) {
  const auto result =
      intake_.receive(upload("icva", read_file(kFixtures / "icva/custody-visits-2024-25.csv")));
  const auto errors = store_.list_errors("icva", result.submission.id, 0, 100000);
  ASSERT_TRUE(errors);
  ASSERT_GT(errors->size(), 3u) << "the fixture is expected to carry several bad rows";
  EXPECT_NE(result.submission.receipt_json.find("\"total\":" + std::to_string(errors->size())),
            std::string::npos);
  // receipt_errors = 3: exactly three error objects (each has one "locator") in the receipt.
  std::size_t listed = 0;
  for (auto at = result.submission.receipt_json.find("\"locator\""); at != std::string::npos;
       at = result.submission.receipt_json.find("\"locator\"", at + 1)) {
    ++listed;
  }
  EXPECT_EQ(listed, 3u);
}

TEST_F(IntakeTest, ConcurrentPushesOfOneBodyKeepOneCopy) {
  const std::string body = read_file(kFixtures / "imb/annual-reports-2024-25.json");
  std::vector<Upload> uploads;
  for (int i = 0; i < 6; ++i) uploads.push_back(upload("imb", body));
  std::vector<IntakeResult> results(uploads.size());
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < uploads.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = intake_.receive(uploads[i]); });
    }
  }
  int received = 0;
  for (const auto& result : results) {
    if (result.kind == IntakeResult::Kind::received) ++received;
    EXPECT_EQ(result.submission.id, results.front().submission.id);
    EXPECT_EQ(result.submission.receipt_json, results.front().submission.receipt_json);
  }
  EXPECT_EQ(received, 1);
  EXPECT_EQ(store_.list_submissions("imb", {}, 10).size(), 1u);
}

TEST_F(IntakeTest, MappingChoiceRefusesWhatCannotBeRead) {
  using Reason = Refusal::Reason;
  const auto reason = [&](std::string_view member, std::string_view adapter,
                          std::string_view type) -> std::optional<Reason> {
    const auto choice = intake_.choose_mapping(member, adapter, type);
    if (const auto* refusal = std::get_if<Refusal>(&choice)) return refusal->reason;
    return std::nullopt;
  };
  EXPECT_EQ(reason("icva", "", "text/csv; charset=utf-8"), std::nullopt);
  EXPECT_EQ(reason("icva", "", ""), std::nullopt);
  EXPECT_EQ(reason("icva", "default", "application/octet-stream"), std::nullopt);
  EXPECT_EQ(reason("hmip", "", "application/atom+xml"), std::nullopt);
  EXPECT_EQ(reason("icva", "", "application/json"), Reason::unsupported_type);
  EXPECT_EQ(reason("icva", "", "image/png"), Reason::unsupported_type);
  EXPECT_EQ(reason("hmip", "", "text/csv"), Reason::unsupported_type);
  EXPECT_EQ(reason("icva", "v9", "text/csv"), Reason::unknown_adapter);
  EXPECT_EQ(reason("lo", "", "text/csv"), Reason::no_adapter);
}

TEST(MediaType, ParametersCaseAndSpacesDoNotMatter) {
  EXPECT_EQ(media_type_of(" Text/CSV ; charset=UTF-8"), "text/csv");
  EXPECT_TRUE(reader_accepts("json", "application/JSON"));
  EXPECT_TRUE(reader_accepts("json", "application/vnd.api+json"));
  EXPECT_FALSE(reader_accepts("xml", "application/json"));
  EXPECT_FALSE(reader_accepts("csv",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
  EXPECT_NE(accepted_types("xml").find("application/xml"), std::string::npos);
}

}  // namespace
}  // namespace opcat::intake
