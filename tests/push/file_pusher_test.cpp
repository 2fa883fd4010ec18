// One file pushed, and file mode's retries, against the fake gateway.
#include "gateway/push/file_pusher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "gateway/log/log.hpp"
#include "gateway/push/delivery.hpp"
#include "tests/push/push_fixture.hpp"

namespace opcat::push {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ScriptedReply;
using namespace std::chrono_literals;

// Log lines captured for the life of the object.
class CapturedLog {
 public:
  CapturedLog() {
    log::set_sink([this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    });
  }
  ~CapturedLog() { log::set_sink(nullptr); }
  std::vector<std::string> with_event(std::string_view event) const {
    const std::string needle = R"("event":")" + std::string(event) + '"';
    std::lock_guard lock(mutex_);
    std::vector<std::string> found;
    for (const auto& line : lines_) {
      if (line.find(needle) != std::string::npos) found.push_back(line);
    }
    return found;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

class FilePusherTest : public PushFixture {
 protected:
  FilePusherTest() {
    start_gateway();
    client_ = std::make_unique<HttpsClient>(client_settings());
    pusher_ = std::make_unique<FilePusher>(*client_, "inspections");
  }

  // Made once the gateway runs: the client needs its URL.
  std::unique_ptr<HttpsClient> client_;
  std::unique_ptr<FilePusher> pusher_;
  // Tiny waits: these tests are about the sequence, not the timing.
  const Backoff backoff_{{.base = 1ms, .cap = 5ms}};
};

TEST_F(FilePusherTest, ContentTypeFollowsTheExtension) {
  EXPECT_EQ(content_type_for("a.csv"), "text/csv");
  EXPECT_EQ(content_type_for("a.CSV"), "text/csv");
  EXPECT_EQ(content_type_for("a.xml"), "application/xml");
  EXPECT_EQ(content_type_for("a.json"), "application/json");
  EXPECT_EQ(content_type_for("a.jsonl"), "application/x-ndjson");
  EXPECT_EQ(content_type_for("a.ndjson"), "application/x-ndjson");
  EXPECT_EQ(content_type_for("a.xlsx"), "application/octet-stream");
  EXPECT_EQ(content_type_for("export"), "application/octet-stream");
}

TEST_F(FilePusherTest, TheIdempotencyKeyIsTheFilesSha256) {
  const std::string bytes = "place_id,name\nP1,HMP Example\n";
  const FilePush push = pusher_->push(write_file(dir_.path() / "places.csv", bytes));
  EXPECT_EQ(push.sha256, testing::sha256_hex(bytes));
  EXPECT_EQ(push.size, bytes.size());
  EXPECT_EQ(push.outcome.verdict, Verdict::accepted);

  const auto seen = gateway_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("idempotency-key"), "sha256:" + testing::sha256_hex(bytes));
  EXPECT_EQ(seen[0].body_sha256, testing::sha256_hex(bytes));
  EXPECT_EQ(seen[0].header("content-type"), "text/csv");
  EXPECT_EQ(seen[0].header("x-adapter"), "inspections");
  EXPECT_EQ(seen[0].header("content-length"), std::to_string(bytes.size()));
}

TEST_F(FilePusherTest, NoAdapterNoHeader) {
  const FilePusher plain(*client_, std::nullopt);
  plain.push(write_file(dir_.path() / "v.json", "[]"));
  EXPECT_EQ(gateway_->requests().at(0).header("x-adapter"), "");
  EXPECT_EQ(gateway_->requests().at(0).header("content-type"), "application/json");
}

TEST_F(FilePusherTest, TheReceiptComesBackAsItCame) {
  const std::string receipt = R"({"submission_id":"s-9","status":"partial"})";
  gateway_->script(ScriptedReply::receipt(202, receipt, "DER bytes"));
  const FilePush push = pusher_->push(write_file(dir_.path() / "v.csv", "x"));
  EXPECT_EQ(push.outcome.body, receipt);
  EXPECT_EQ(push.outcome.receipt_signature, "DER bytes");
}

TEST_F(FilePusherTest, AMissingFileIsALocalError) {
  EXPECT_THROW(pusher_->push(dir_.path() / "missing.csv"), LocalFileError);
}

TEST_F(FilePusherTest, TemporaryFailuresAreRetriedAndLogged) {
  CapturedLog log;
  gateway_->script(ScriptedReply::error(503, "draining", "the gateway is draining"));
  gateway_->script(ScriptedReply::drop());
  const Delivery delivery =
      deliver(*pusher_, write_file(dir_.path() / "v.csv", "x"), /*retries=*/5, backoff_);
  EXPECT_EQ(delivery.push.outcome.verdict, Verdict::accepted);
  EXPECT_EQ(delivery.attempts, 3u);
  EXPECT_EQ(gateway_->request_count(), 3u);

  const auto retries = log.with_event("push_retry");
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_THAT(retries[0], HasSubstr(R"("attempt":1)"));
  EXPECT_THAT(retries[0], HasSubstr(R"("delay_ms":)"));
  EXPECT_THAT(retries[0], HasSubstr("503 draining: the gateway is draining"));
  EXPECT_THAT(retries[1], HasSubstr(R"("attempt":2)"));
}

TEST_F(FilePusherTest, RetriesRunOut) {
  for (int i = 0; i < 3; ++i) gateway_->script(ScriptedReply::error(503, "draining", "later"));
  const Delivery delivery = deliver(*pusher_, write_file(dir_.path() / "v.csv", "x"), 2, backoff_);
  EXPECT_EQ(delivery.push.outcome.verdict, Verdict::retry_later);
  EXPECT_EQ(delivery.attempts, 3u);
}

TEST_F(FilePusherTest, RetryAfterIsHonoured) {
  gateway_->script(ScriptedReply::respond(429, "", {{"Retry-After", "1"}}));
  const auto started = std::chrono::steady_clock::now();
  const Delivery delivery = deliver(*pusher_, write_file(dir_.path() / "v.csv", "x"), 1, backoff_);
  EXPECT_EQ(delivery.push.outcome.verdict, Verdict::accepted);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1s);
}

TEST_F(FilePusherTest, AFinalAnswerIsNotRetried) {
  gateway_->script(ScriptedReply::error(413, "body_too_large", "over the limit"));
  const Delivery delivery = deliver(*pusher_, write_file(dir_.path() / "v.csv", "x"), 5, backoff_);
  EXPECT_EQ(delivery.push.outcome.verdict, Verdict::rejected);
  EXPECT_EQ(delivery.attempts, 1u);
  EXPECT_EQ(delivery.push.outcome.reason, "413 body_too_large: over the limit");
}

}  // namespace
}  // namespace opcat::push
