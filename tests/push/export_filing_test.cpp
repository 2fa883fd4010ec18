// Filing without a network: where things go, byte for byte, and that nothing is overwritten.
#include "gateway/push/export_filing.hpp"

#include <gtest/gtest.h>

#include "gateway/push/durable_files.hpp"
#include "tests/push/push_fixture.hpp"

namespace opcat::push {
namespace {

namespace fs = std::filesystem;

class ExportFilingTest : public PushFixture {
 protected:
  FilePush accepted(std::string receipt, std::string signature) {
    FilePush push;
    push.sha256 = "ab";
    push.outcome.verdict = Verdict::accepted;
    push.outcome.http_status = 202;
    push.outcome.body = std::move(receipt);
    push.outcome.receipt_signature = std::move(signature);
    return push;
  }

  fs::path outbox() const { return dir_.path() / "outbox"; }
  fs::path sent() const { return outbox() / "sent"; }
};

TEST_F(ExportFilingTest, AnAcceptedExportGoesToSentWithItsReceiptByteForByte) {
  const fs::path file = write_file(outbox() / "visits.csv", "a,b\n1,2\n");
  const std::string receipt = "{\"submission_id\":\"s-1\"}\n  ";  // odd bytes stay odd
  const std::string signature("\x30\x80\x00\x01", 4);
  const fs::path moved = file_accepted(file, accepted(receipt, signature));
  EXPECT_EQ(moved, sent() / "visits.csv");
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(read_file(sent() / "visits.csv"), "a,b\n1,2\n");
  EXPECT_EQ(read_file(sent() / "visits.csv.receipt.json"), receipt);
  EXPECT_EQ(read_file(sent() / "visits.csv.receipt.p7s"), signature);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(sent()), fs::directory_iterator()), 3);
}

TEST_F(ExportFilingTest, ANameTakenInSentGetsASuffixAndNothingIsOverwritten) {
  write_file(sent() / "visits.csv", "old export");
  write_file(outbox() / "visits.csv", "new export");
  const fs::path moved = file_accepted(outbox() / "visits.csv", accepted("{\"r\":2}", "sig2"));
  EXPECT_EQ(moved, sent() / "visits-2.csv");
  EXPECT_EQ(read_file(sent() / "visits.csv"), "old export");
  EXPECT_EQ(read_file(sent() / "visits-2.csv"), "new export");
  EXPECT_EQ(read_file(sent() / "visits-2.csv.receipt.json"), "{\"r\":2}");

  // A leftover receipt of another export also takes the name.
  write_file(sent() / "visits-3.csv.receipt.json", "{\"other\":true}");
  write_file(outbox() / "visits.csv", "third export");
  EXPECT_EQ(file_accepted(outbox() / "visits.csv", accepted("{\"r\":3}", "sig3")),
            sent() / "visits-4.csv");
  EXPECT_EQ(read_file(sent() / "visits-3.csv.receipt.json"), "{\"other\":true}");
}

TEST_F(ExportFilingTest, AMoveACrashInterruptedIsCompletedUnderTheSameName) {
  // The receipt files were written, then the agent died before moving the export; pushed again,
  // the gateway answered 200 with the same receipt.
  write_file(sent() / "visits.csv.receipt.json", "{\"r\":1}");
  write_file(sent() / "visits.csv.receipt.p7s", "sig1");
  write_file(outbox() / "visits.csv", "export");
  EXPECT_EQ(file_accepted(outbox() / "visits.csv", accepted("{\"r\":1}", "sig1")),
            sent() / "visits.csv");
  EXPECT_EQ(read_file(sent() / "visits.csv"), "export");
}

TEST_F(ExportFilingTest, AFinalErrorGoesToRejectedWithTheGatewaysAnswer) {
  start_gateway();
  const HttpsClient client(client_settings());
  const fs::path file = write_file(outbox() / "huge.csv", "x");
  FilePush push;
  push.sha256 = "cd";
  push.outcome.verdict = Verdict::rejected;
  push.outcome.http_status = 413;
  push.outcome.body = R"({"error":{"code":"body_too_large","message":"over 256 MiB"}})";
  push.outcome.reason = "413 body_too_large: over 256 MiB";
  const auto moved = file_rejected(file, push, client);
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, outbox() / "rejected" / "huge.csv");
  const std::string report = read_file(outbox() / "rejected" / "huge.csv.error.json");
  EXPECT_NE(report.find(R"("http_status":413)"), std::string::npos) << report;
  EXPECT_NE(report.find(R"("response":{"error":{"code":"body_too_large")"), std::string::npos) << report;
  EXPECT_FALSE(fs::exists(outbox() / "rejected" / "huge.csv.receipt.json"));
  EXPECT_EQ(gateway_->request_count(), 0u);  // no error list to fetch
}

TEST_F(ExportFilingTest, NewFileLeavesNothingWhenNotCommittedAndNeverReplaces) {
  fs::create_directories(sent());
  { NewFile abandoned(sent() / "a.json"); abandoned.write("half"); }
  EXPECT_TRUE(fs::is_empty(sent()));
  EXPECT_TRUE(write_new_file(sent() / "a.json", "one"));
  EXPECT_FALSE(write_new_file(sent() / "a.json", "two"));
  EXPECT_EQ(read_file(sent() / "a.json"), "one");
  EXPECT_EQ(std::distance(fs::directory_iterator(sent()), fs::directory_iterator()), 1);
  write_file(dir_.path() / "b", "b");
  EXPECT_FALSE(move_without_replacing(dir_.path() / "b", sent() / "a.json"));
  EXPECT_TRUE(fs::exists(dir_.path() / "b"));
}

}  // namespace
}  // namespace opcat::push
