// Every answer of the push API's contract, and every kind of failure, mapped to what the agent
// does next.
#include "gateway/push/push_outcome.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/push/fake_gateway.hpp"

namespace opcat::push {
namespace {

using ::testing::HasSubstr;
namespace http = boost::beast::http;

HttpResponse answer(unsigned status, std::string body = {},
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse response;
  response.result(status);
  response.body() = std::move(body);
  for (const auto& [name, value] : headers) response.set(name, value);
  return response;
}

const std::string kReceipt =
    R"({"submission_id":"s-1","status":"complete","records":{"accepted":3,"rejected":0},)"
    R"("errors":{"total":0,"first":[]}})";

TEST(PushOutcome, A202IsAcceptedWithItsReceiptAndDecodedSignature) {
  const std::string signature("\x30\x82\x01\x00\xff", 5);
  const auto outcome = classify(answer(202, kReceipt,
                                       {{"Receipt-Signature", testing::base64(signature)},
                                        {"Location", "/v1/submissions/s-1"}}));
  EXPECT_EQ(outcome.verdict, Verdict::accepted);
  EXPECT_FALSE(outcome.already_accepted);
  EXPECT_EQ(outcome.body, kReceipt);
  EXPECT_EQ(outcome.receipt_signature, signature);
  EXPECT_EQ(outcome.location, "/v1/submissions/s-1");
  EXPECT_TRUE(outcome.has_receipt());
}

TEST(PushOutcome, A200IsAcceptedAlready) {
  const auto outcome = classify(answer(200, kReceipt, {{"Receipt-Signature", "AAEC"}}));
  EXPECT_EQ(outcome.verdict, Verdict::accepted);
  EXPECT_TRUE(outcome.already_accepted);
  EXPECT_EQ(outcome.receipt_signature, std::string("\x00\x01\x02", 3));
}

TEST(PushOutcome, A422IsRejectedWithItsSignedReceiptAndTheFirstError) {
  const std::string receipt =
      R"({"submission_id":"s-2","status":"rejected","errors":{"total":7,)"
      R"("first":[{"message":"visit_date: not a date"}],"href":"/v1/submissions/s-2/errors"}})";
  const auto outcome = classify(answer(422, receipt, {{"Receipt-Signature", "AAEC"}}));
  EXPECT_EQ(outcome.verdict, Verdict::rejected);
  EXPECT_TRUE(outcome.has_receipt());
  EXPECT_EQ(outcome.receipt_signature.size(), 3u);
  EXPECT_THAT(outcome.reason, HasSubstr("422 rejected as a whole (7 errors"));
  EXPECT_THAT(outcome.reason, HasSubstr("visit_date: not a date"));
}

TEST(PushOutcome, A422RefusingTheExportUnreadIsRejectedWithoutAReceipt) {
  const auto outcome = classify(answer(
      422, R"({"error":{"code":"no_adapter","message":"no mapping reads text/csv"}})"));
  EXPECT_EQ(outcome.verdict, Verdict::rejected);
  EXPECT_FALSE(outcome.has_receipt());
  EXPECT_EQ(outcome.reason, "422 no_adapter: no mapping reads text/csv");
}

TEST(PushOutcome, AWholeRejectionSaysWhy) {
  const auto outcome = classify(answer(
      422, R"json({"submission_id":"s-3","status":"rejected","reason":"not UTF-8 (at byte 17)",)json"
           R"json("errors":{"total":0,"first":[]}})json"));
  EXPECT_EQ(outcome.reason, "422 rejected as a whole: not UTF-8 (at byte 17)");
}

TEST(PushOutcome, AnAcceptanceWhoseReceiptSaysRejectedIsARejection) {
  const auto outcome =
      classify(answer(200, R"({"submission_id":"s-4","status":"rejected","errors":{"total":2}})"));
  EXPECT_EQ(outcome.verdict, Verdict::rejected);
  EXPECT_TRUE(outcome.has_receipt());
}

TEST(PushOutcome, FinalErrorsAreRejectedWithTheGatewaysWords) {
  for (unsigned status : {400u, 401u, 403u, 404u, 409u, 413u, 415u}) {
    const auto outcome = classify(answer(
        status, R"({"error":{"code":"some_code","message":"what went wrong"}})"));
    EXPECT_EQ(outcome.verdict, Verdict::rejected) << status;
    EXPECT_FALSE(outcome.has_receipt()) << status;
    EXPECT_EQ(outcome.reason, std::to_string(status) + " some_code: what went wrong");
  }
}

TEST(PushOutcome, AnswersOutsideTheContractAreFinalToo) {
  // A redirect (a proxy in the way) or an unexpected 2xx would come back the same every time.
  for (unsigned status : {201u, 204u, 301u, 302u}) {
    EXPECT_EQ(classify(answer(status)).verdict, Verdict::rejected) << status;
  }
}

TEST(PushOutcome, TemporaryAnswersAreRetried) {
  for (unsigned status : {408u, 429u, 500u, 502u, 503u, 504u}) {
    const auto outcome = classify(answer(status));
    EXPECT_EQ(outcome.verdict, Verdict::retry_later) << status;
    EXPECT_FALSE(outcome.retry_after) << status;
  }
}

TEST(PushOutcome, RetryAfterSecondsAreKeptAndCapped) {
  EXPECT_EQ(classify(answer(503, "", {{"Retry-After", "30"}})).retry_after, std::chrono::seconds(30));
  EXPECT_EQ(classify(answer(429, "", {{"Retry-After", "0"}})).retry_after, std::chrono::seconds(0));
  EXPECT_EQ(classify(answer(503, "", {{"Retry-After", "99999999999"}})).retry_after,
            kLongestRetryAfter);
  // The HTTP-date form and nonsense leave the wait to our own backoff.
  EXPECT_FALSE(classify(answer(503, "", {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}})).retry_after);
  EXPECT_FALSE(classify(answer(503, "", {{"Retry-After", "-5"}})).retry_after);
}

TEST(PushOutcome, EveryTransportFailureIsRetried) {
  for (FailureStage stage : {FailureStage::resolve, FailureStage::connect, FailureStage::tls_handshake,
                             FailureStage::send, FailureStage::receive, FailureStage::local_file,
                             FailureStage::stopped}) {
    const auto outcome = classify(TransportFailure{stage, "Connection refused"});
    EXPECT_EQ(outcome.verdict, Verdict::retry_later);
    EXPECT_EQ(outcome.http_status, 0u);
    EXPECT_THAT(outcome.reason, HasSubstr("Connection refused"));
    EXPECT_THAT(outcome.reason, HasSubstr(to_string(stage)));
  }
}

TEST(PushOutcome, AMissingOrBrokenSignatureLeavesItEmpty) {
  EXPECT_TRUE(classify(answer(202, kReceipt)).receipt_signature.empty());
  EXPECT_TRUE(classify(answer(202, kReceipt, {{"Receipt-Signature", "not base64!"}}))
                  .receipt_signature.empty());
}

TEST(PushOutcome, Base64RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(decode_base64(testing::base64(bytes)), bytes) << i;
    bytes.push_back(static_cast<char>(i * 37));
  }
  EXPECT_FALSE(decode_base64("abc"));
  EXPECT_FALSE(decode_base64("ab$="));
}

}  // namespace
}  // namespace opcat::push
