// The transfer log's tamper evidence against a real SQLite database, tampered with through a
// separate raw connection, as someone with the file (but not the signing key) would: each kind of
// tampering is reported at the entry where it shows.
#include <gmock/gmock.h>
#include <sqlite3.h>

#include "gateway/signing/signer.hpp"
#include "gateway/signing/verifier.hpp"
#include "gateway/store/transfer_log_chain.hpp"
#include "tests/store/store_fixture.hpp"

namespace opcat::store::testing {
namespace {

using ::testing::HasSubstr;

class TransferLogChainTest : public StoreTest {
 protected:
  TransferLogChainTest()
      : pki_(dir_.path() / "pki"),
        signing_(pki_.issue_signing("OPCAT Gateway")),
        signer_(signing::Signer::load(signing_.certificate, signing_.private_key)) {}

  // Five entries: two intakes, three delivery attempts.
  void write_entries() {
    submit("hmip", "body one", 2, 0);
    submit("icva", "body two", 1, 1);
    for (int i = 0; i < 3; ++i) {
      TransferLogEntry out;
      out.time = at_second(1'760'000'000 + i);
      out.direction = TransferDirection::out;
      out.recipient = "spt";
      out.delivery_id = "dlv_example";
      out.bytes = 1000;
      out.status = i < 2 ? "retry" : "delivered";
      out.http_status = i < 2 ? 503 : 201;
      out.duration_ms = 40;
      store_->append_transfer(out);
    }
  }

  void checkpoint() {
    const auto head = store_->last_transfer().value();
    TransferLogCheckpoint c;
    c.seq = head.seq;
    c.hash = head.hash;
    c.time = at_second(1'760'000'100);
    c.signature = signer_.sign_detached(checkpoint_text(c));
    store_->append_checkpoint(c);
  }

  ChainReport verify() {
    return verify_transfer_log(*store_, [&](const TransferLogCheckpoint& c) {
      signing::verify_detached(c.signature, checkpoint_text(c), pki_.ca_certificate());
    });
  }

  // SQL run on the database file by a separate connection: the tamperer.
  void tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() / sqlite::SqliteStore::kFileName).c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "") << ": " << sql;
    sqlite3_free(error);
    sqlite3_close(db);
  }

  static std::string problems(const ChainReport& report) {
    std::string all;
    for (const auto& p : report.problems) all += std::to_string(p.seq) + ": " + p.what + "\n";
    return all;
  }

  opcat::testing::TestPki pki_;
  opcat::testing::IssuedCertificate signing_;
  signing::Signer signer_;
};

TEST_F(TransferLogChainTest, AnUntouchedLogIsIntactAndEachEntryChainsToTheOneBefore) {
  write_entries();
  checkpoint();
  const auto entries = store_->list_transfers({.after_seq = 0, .member = {}, .status = {}, .limit = 100});
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].prev_hash, kGenesisHash);
  for (std::size_t i = 1; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].prev_hash, entries[i - 1].hash);
    EXPECT_EQ(entries[i].hash, transfer_entry_hash(entries[i]));
  }
  const ChainReport report = verify();
  EXPECT_TRUE(report.intact()) << problems(report);
  EXPECT_EQ(report.entries, 5u);
  EXPECT_EQ(report.checkpoints, 1u);
  EXPECT_EQ(report.last_checkpoint_seq, 5);
}

TEST_F(TransferLogChainTest, AnEditedEntryIsFoundWhereItWasEdited) {
  write_entries();
  checkpoint();
  tamper("UPDATE transfer_log SET status = 'delivered' WHERE seq = 3");
  const ChainReport report = verify();
  ASSERT_FALSE(report.intact());
  ASSERT_EQ(report.problems.size(), 1u) << problems(report);
  EXPECT_EQ(report.problems[0].seq, 3);
  EXPECT_THAT(report.problems[0].what, HasSubstr("edited"));
}

TEST_F(TransferLogChainTest, ADeletedEntryIsFoundAtTheEntryAfterIt) {
  write_entries();
  checkpoint();
  tamper("DELETE FROM transfer_log WHERE seq = 2");
  const ChainReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.problems[0].seq, 3) << problems(report);
  EXPECT_THAT(problems(report), HasSubstr("entries 2 to 2 are missing"));
}

TEST_F(TransferLogChainTest, AnInsertedEntryIsFound) {
  write_entries();
  checkpoint();
  // Whoever adds a row without the gateway cannot give it a hash that chains.
  tamper("INSERT INTO transfer_log (seq, time, direction, member, bytes, records, status, "
         "prev_hash, hash) SELECT 6, '2026-01-01T00:00:00.000Z', 'in', 'hmip', 1, 1, 'complete', "
         "hash, hash FROM transfer_log WHERE seq = 5");
  const ChainReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.problems[0].seq, 6) << problems(report);
  EXPECT_THAT(report.problems[0].what, HasSubstr("edited"));
}

TEST_F(TransferLogChainTest, RewritingTheChainAfterAnEditIsCaughtByTheSignedCheckpoint) {
  write_entries();
  checkpoint();
  tamper("UPDATE transfer_log SET bytes = 1 WHERE seq = 2");
  // The tamperer recomputes every hash from the edit on, so that the chain itself holds again.
  std::string prev;
  for (auto e : store_->list_transfers({.after_seq = 0, .member = {}, .status = {}, .limit = 100})) {
    if (!prev.empty()) e.prev_hash = prev;
    e.hash = transfer_entry_hash(e);
    tamper("UPDATE transfer_log SET prev_hash = '" + e.prev_hash + "', hash = '" + e.hash +
           "' WHERE seq = " + std::to_string(e.seq));
    prev = e.hash;
  }
  const ChainReport report = verify();
  ASSERT_FALSE(report.intact());
  ASSERT_EQ(report.problems.size(), 1u) << problems(report);
  EXPECT_EQ(report.problems[0].seq, 5);
  EXPECT_THAT(report.problems[0].what, HasSubstr("rewritten"));
}

TEST_F(TransferLogChainTest, EntriesCutFromTheEndAreFoundByTheCheckpoint) {
  write_entries();
  checkpoint();
  tamper("DELETE FROM transfer_log WHERE seq >= 4");
  const ChainReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_THAT(problems(report), HasSubstr("log ends at 3"));
}

TEST_F(TransferLogChainTest, ACheckpointSignedByAnotherKeyIsRefused) {
  write_entries();
  checkpoint();
  opcat::testing::TestPki other(dir_.path() / "other", "Another CA");
  const auto impostor_certificate = other.issue_signing("Impostor");
  const auto impostor = signing::Signer::load(impostor_certificate.certificate,
                                              impostor_certificate.private_key);
  auto forged = store_->list_checkpoints().at(0);
  forged.signature = impostor.sign_detached(checkpoint_text(forged));
  tamper("DELETE FROM transfer_log_checkpoints");
  store_->append_checkpoint(forged);
  const ChainReport report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_THAT(problems(report), HasSubstr("signature does not hold"));
}

TEST_F(TransferLogChainTest, EntriesFromBeforeTheChainGetTheirHashesWhenTheStoreOpens) {
  write_entries();
  tamper("UPDATE transfer_log SET prev_hash = NULL, hash = NULL");
  store_.reset();
  store_ = std::make_unique<sqlite::SqliteStore>(dir_.path());
  const ChainReport report = verify_transfer_log(*store_);
  EXPECT_TRUE(report.intact()) << problems(report);
  EXPECT_EQ(report.entries, 5u);
  // And new entries chain on.
  submit("cqc", "body three", 1, 0);
  EXPECT_TRUE(verify_transfer_log(*store_).intact());
}

}  // namespace
}  // namespace opcat::store::testing
