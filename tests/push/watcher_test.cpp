// Watch mode against the fake gateway. Time is the test's: the watcher's clock is a variable that
// each test moves forward, so settling and backoffs are decided without sleeping.
#include "gateway/push/watcher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "gateway/log/log.hpp"
#include "tests/push/push_fixture.hpp"
#include "tests/support/eventually.hpp"

namespace opcat::push {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using testing::ScriptedReply;
using namespace std::chrono_literals;

class WatcherTest : public PushFixture {
 protected:
  WatcherTest() { fs::create_directories(outbox()); }

  fs::path outbox() const { return dir_.path() / "outbox"; }
  fs::path sent() const { return outbox() / "sent"; }
  fs::path rejected() const { return outbox() / "rejected"; }

  // A watcher on the outbox: settle 5 s, backoff 1 s doubling to 8 s, always the full ceiling.
  Watcher& watcher(const std::string& url = {}) {
    client_ = std::make_unique<HttpsClient>(client_settings(url));
    pusher_ = std::make_unique<FilePusher>(*client_, std::nullopt);
    watcher_ = std::make_unique<Watcher>(WatchSettings{outbox(), 5s, 2s}, *pusher_,
                                         Backoff({.base = 1s, .cap = 8s}, [] { return 1.0; }),
                                         [this] { return now_; });
    watcher_->prepare();
    return *watcher_;
  }

  PollReport poll_after(std::chrono::milliseconds elapsed) {
    now_ += elapsed;
    return watcher_->poll();
  }

  std::vector<std::string> names_in(const fs::path& dir) const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
  std::unique_ptr<HttpsClient> client_;
  std::unique_ptr<FilePusher> pusher_;
  std::unique_ptr<Watcher> watcher_;
};

TEST_F(WatcherTest, AnAcceptedExportGoesToSentWithItsReceiptByteForByte) {
  start_gateway();
  watcher();
  const std::string receipt =
      "{\"submission_id\":\"s-1\", \"status\":\"complete\",\n \"records\":{\"accepted\":2}}";
  const std::string signature("\x30\x82\x02\x10\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", 15);
  gateway_->script(ScriptedReply::receipt(202, receipt, signature));
  write_file(outbox() / "visits.csv", "a,b\n1,2\n3,4\n");

  EXPECT_TRUE(poll_after(0s).accepted.empty());
  const PollReport report = poll_after(5s);
  EXPECT_THAT(report.accepted, ElementsAre(outbox() / "visits.csv"));
  EXPECT_THAT(names_in(outbox()), ElementsAre());
  EXPECT_THAT(names_in(sent()),
              ElementsAre("visits.csv", "visits.csv.receipt.json", "visits.csv.receipt.p7s"));
  EXPECT_EQ(read_file(sent() / "visits.csv"), "a,b\n1,2\n3,4\n");
  EXPECT_EQ(read_file(sent() / "visits.csv.receipt.json"), receipt);
  EXPECT_EQ(read_file(sent() / "visits.csv.receipt.p7s"), signature);
}

TEST_F(WatcherTest, AFileBeingWrittenAsPartIsNotPickedBeforeTheRename) {
  start_gateway();
  watcher();
  write_file(outbox() / "visits.csv.part", "a,b\n");
  EXPECT_TRUE(poll_after(0s).accepted.empty());
  EXPECT_TRUE(poll_after(60s).accepted.empty());
  EXPECT_EQ(gateway_->request_count(), 0u);

  fs::rename(outbox() / "visits.csv.part", outbox() / "visits.csv");
  EXPECT_TRUE(poll_after(1s).accepted.empty());  // newly seen: settling starts now
  EXPECT_THAT(poll_after(5s).accepted, ElementsAre(outbox() / "visits.csv"));
  EXPECT_EQ(gateway_->request_count(), 1u);
}

TEST_F(WatcherTest, AFileWhoseSizeKeepsChangingIsPushedOnlyOnceSettledAndWhole) {
  start_gateway();
  watcher();
  std::string content = "a,b\n";
  write_file(outbox() / "visits.csv", content);
  EXPECT_TRUE(poll_after(0s).accepted.empty());
  for (int i = 0; i < 10; ++i) {
    content += std::to_string(i) + ",x\n";
    write_file(outbox() / "visits.csv", content);
    EXPECT_TRUE(poll_after(4s).accepted.empty()) << i;
  }
  EXPECT_EQ(gateway_->request_count(), 0u);
  EXPECT_TRUE(poll_after(4s).accepted.empty());
  EXPECT_THAT(poll_after(1s).accepted, ElementsAre(outbox() / "visits.csv"));
  ASSERT_EQ(gateway_->request_count(), 1u);
  EXPECT_EQ(gateway_->requests()[0].body_sha256, testing::sha256_hex(content));
}

TEST_F(WatcherTest, ARejectedExportGoesToRejectedWithTheFullErrorList) {
  start_gateway();
  watcher();
  const std::string receipt =
      R"({"submission_id":"s-7","status":"rejected","records":{"accepted":0,"rejected":3},)"
      R"("errors":{"total":3,"first":[{"seq":1,"message":"bad date"}],)"
      R"("href":"/v1/submissions/s-7/errors?after=0&limit=2"}})";
  gateway_->script(ScriptedReply::receipt(422, receipt, "signed rejection"));
  gateway_->serve_get("/v1/submissions/s-7/errors?after=0&limit=2",
                      R"({"errors":[{"seq":1,"locator":"row 2","field":"visit_date","code":"date","message":"bad date"},)"
                      R"({"seq":2,"locator":"row 3","field":"visit_date","code":"date","message":"bad date"}],)"
                      R"("next":"/v1/submissions/s-7/errors?after=2&limit=2"})");
  gateway_->serve_get("/v1/submissions/s-7/errors?after=2&limit=2",
                      R"({"errors":[{"seq":3,"locator":"row 4","field":"place_id","code":"required","message":"missing"}],"next":null})");
  write_file(outbox() / "visits.csv", "bad export");

  poll_after(0s);
  const PollReport report = poll_after(5s);
  EXPECT_THAT(report.rejected, ElementsAre(outbox() / "visits.csv"));
  EXPECT_THAT(names_in(rejected()), ElementsAre("visits.csv", "visits.csv.error.json",
                                                "visits.csv.receipt.json", "visits.csv.receipt.p7s"));
  EXPECT_EQ(read_file(rejected() / "visits.csv.receipt.json"), receipt);
  EXPECT_EQ(read_file(rejected() / "visits.csv.receipt.p7s"), "signed rejection");

  const std::string report_text = read_file(rejected() / "visits.csv.error.json");
  EXPECT_THAT(report_text, HasSubstr(R"("file":"visits.csv")"));
  EXPECT_THAT(report_text, HasSubstr(R"("http_status":422)"));
  EXPECT_THAT(report_text, HasSubstr(R"("response":{"submission_id":"s-7")"));
  EXPECT_THAT(report_text, HasSubstr(R"("errors":[{"seq":1,)"));
  EXPECT_THAT(report_text, HasSubstr(R"({"seq":3,"locator":"row 4")"));
  EXPECT_THAT(report_text, HasSubstr(R"("errors_complete":true)"));
  EXPECT_EQ(gateway_->request_count(), 3u);  // the POST and two pages
}

TEST_F(WatcherTest, A413GoesToRejectedWithTheGatewaysAnswer) {
  start_gateway();
  watcher();
  gateway_->script(ScriptedReply::error(413, "body_too_large", "over the limit"));
  write_file(outbox() / "huge.xml", "<x/>");
  poll_after(0s);
  EXPECT_THAT(poll_after(5s).rejected, ElementsAre(outbox() / "huge.xml"));
  EXPECT_THAT(names_in(rejected()), ElementsAre("huge.xml", "huge.xml.error.json"));
  EXPECT_THAT(read_file(rejected() / "huge.xml.error.json"),
              HasSubstr(R"("response":{"error":{"code":"body_too_large")"));
}

TEST_F(WatcherTest, TwoServiceUnavailablesThenAcceptedMakeExactlyOneSentFile) {
  start_gateway();
  watcher();
  gateway_->script(ScriptedReply::error(503, "draining", "restarting"));
  gateway_->script(ScriptedReply::error(503, "draining", "restarting"));
  write_file(outbox() / "visits.csv", "a,b\n");

  poll_after(0s);
  EXPECT_THAT(poll_after(5s).retrying, ElementsAre(outbox() / "visits.csv"));  // wait 1 s
  poll_after(500ms);
  EXPECT_EQ(gateway_->request_count(), 1u);  // still backing off
  EXPECT_THAT(poll_after(500ms).retrying, ElementsAre(outbox() / "visits.csv"));  // wait 2 s
  poll_after(1900ms);
  EXPECT_EQ(gateway_->request_count(), 2u);
  EXPECT_THAT(poll_after(100ms).accepted, ElementsAre(outbox() / "visits.csv"));
  EXPECT_TRUE(poll_after(60s).accepted.empty());

  EXPECT_EQ(gateway_->request_count(), 3u);
  EXPECT_THAT(names_in(sent()),
              ElementsAre("visits.csv", "visits.csv.receipt.json", "visits.csv.receipt.p7s"));
  EXPECT_THAT(names_in(outbox()), ElementsAre());
  // Every attempt carried the same key: the gateway could never count it twice.
  for (const auto& request : gateway_->requests()) {
    EXPECT_EQ(request.header("idempotency-key"), "sha256:" + testing::sha256_hex("a,b\n"));
  }
}

TEST_F(WatcherTest, RetryAfterIsHonoured) {
  start_gateway();
  watcher();
  gateway_->script(ScriptedReply::respond(503, "", {{"Retry-After", "30"}}));
  write_file(outbox() / "visits.csv", "a");
  poll_after(0s);
  EXPECT_THAT(poll_after(5s).retrying, ElementsAre(outbox() / "visits.csv"));
  poll_after(29s);
  EXPECT_EQ(gateway_->request_count(), 1u);
  EXPECT_THAT(poll_after(1s).accepted, ElementsAre(outbox() / "visits.csv"));
}

TEST_F(WatcherTest, AFileBackingOffDoesNotHoldUpTheOthers) {
  start_gateway();
  watcher();
  write_file(outbox() / "first.csv", "1");
  fs::last_write_time(outbox() / "first.csv", fs::file_time_type::clock::now() - 1h);
  write_file(outbox() / "second.csv", "2");
  gateway_->script(ScriptedReply::error(500, "internal", "boom"));  // for first.csv, the oldest

  poll_after(0s);
  const PollReport report = poll_after(5s);
  EXPECT_THAT(report.retrying, ElementsAre(outbox() / "first.csv"));
  EXPECT_THAT(report.accepted, ElementsAre(outbox() / "second.csv"));
  EXPECT_THAT(poll_after(1s).accepted, ElementsAre(outbox() / "first.csv"));
  EXPECT_THAT(names_in(sent()),
              UnorderedElementsAre("first.csv", "first.csv.receipt.json", "first.csv.receipt.p7s",
                                   "second.csv", "second.csv.receipt.json", "second.csv.receipt.p7s"));
}

TEST_F(WatcherTest, ExportsGoOldestFirst) {
  start_gateway();
  watcher();
  const auto now = fs::file_time_type::clock::now();
  for (const auto& [name, age] : {std::pair{"b.csv", 1h}, {"c.csv", 3h}, {"a.csv", 2h}}) {
    write_file(outbox() / name, name);
    fs::last_write_time(outbox() / name, now - age);
  }
  poll_after(0s);
  EXPECT_THAT(poll_after(5s).accepted,
              ElementsAre(outbox() / "c.csv", outbox() / "a.csv", outbox() / "b.csv"));
}

TEST_F(WatcherTest, TheGatewayDownAtFirstThenStartedGetsTheExport) {
  start_gateway();
  const unsigned short port = gateway_->port();
  const std::string url = gateway_->url();
  stop_gateway();  // nothing listens on the port any more
  watcher(url);
  write_file(outbox() / "visits.csv", "a");

  poll_after(0s);
  PollReport report = poll_after(5s);
  EXPECT_THAT(report.retrying, ElementsAre(outbox() / "visits.csv"));
  for (int i = 0; i < 5; ++i) {  // an outage of any length: the file just keeps waiting
    EXPECT_THAT(poll_after(8s).retrying, ElementsAre(outbox() / "visits.csv"));
  }
  EXPECT_THAT(names_in(outbox()), ElementsAre("visits.csv"));

  start_gateway(port);
  EXPECT_THAT(poll_after(8s).accepted, ElementsAre(outbox() / "visits.csv"));
  EXPECT_THAT(names_in(sent()),
              ElementsAre("visits.csv", "visits.csv.receipt.json", "visits.csv.receipt.p7s"));
}

TEST_F(WatcherTest, AGatewayCertificateFromAnotherCaGetsNothingAndTheFileStays) {
  testing::TestPki other(dir_.path() / "other", "Other CA");
  testing::FakeGateway impostor(other.issue_server(), pki_.ca_certificate());
  std::vector<std::string> lines;
  log::set_sink([&lines](std::string_view line) { lines.emplace_back(line); });
  watcher(impostor.url());
  write_file(outbox() / "visits.csv", "personal data");
  poll_after(0s);
  const PollReport report = poll_after(5s);
  log::set_sink(nullptr);

  EXPECT_THAT(report.retrying, ElementsAre(outbox() / "visits.csv"));
  EXPECT_EQ(impostor.request_count(), 0u);
  EXPECT_THAT(names_in(outbox()), ElementsAre("visits.csv"));
  EXPECT_THAT(names_in(sent()), ElementsAre());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(R"("event":"push_retry")"));
  EXPECT_THAT(lines[0], HasSubstr("certificate verify failed: unable to get local issuer certificate"));
}

TEST_F(WatcherTest, AnExportRewrittenWhileBackingOffGoesOnceSettled) {
  start_gateway();
  watcher();
  gateway_->script(ScriptedReply::respond(503, "", {{"Retry-After", "3600"}}));
  write_file(outbox() / "visits.csv", "first version");
  poll_after(0s);
  EXPECT_THAT(poll_after(5s).retrying, ElementsAre(outbox() / "visits.csv"));
  // The member's job writes a corrected export under the same name: new content, no hour's wait.
  write_file(outbox() / "visits.csv", "second version");
  EXPECT_TRUE(poll_after(1s).accepted.empty());
  EXPECT_THAT(poll_after(5s).accepted, ElementsAre(outbox() / "visits.csv"));
  EXPECT_EQ(gateway_->requests().back().body_sha256, testing::sha256_hex("second version"));
}

TEST_F(WatcherTest, RunStopsPromptlyWhenAskedEvenMidRequest) {
  start_gateway();
  gateway_->script(ScriptedReply::hang());
  client_ = std::make_unique<HttpsClient>(client_settings());
  pusher_ = std::make_unique<FilePusher>(*client_, std::nullopt);
  Watcher watcher(WatchSettings{outbox(), 0s, 10ms}, *pusher_, Backoff({.base = 1s, .cap = 8s}));
  watcher.prepare();
  write_file(outbox() / "visits.csv", "a");

  std::stop_source stop;
  std::thread running([&] { watcher.run(stop.get_token()); });
  ASSERT_TRUE(gateway_->wait_for_requests(1));  // the request hangs: the gateway never answers
  const auto asked = std::chrono::steady_clock::now();
  stop.request_stop();
  running.join();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 2s);
  EXPECT_THAT(names_in(outbox()), ElementsAre("visits.csv"));  // pushed again next time
}

}  // namespace
}  // namespace opcat::push
