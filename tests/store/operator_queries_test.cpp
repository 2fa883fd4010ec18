// The store's queries for operators that are not scoped to one member: records per member and
// day, and a submission looked up by its id alone.
#include "gateway/store/sqlite/rows.hpp"
#include "tests/store/store_fixture.hpp"

namespace opcat::store::testing {
namespace {

using Verdict = adapters::Outcome::Verdict;

constexpr long long kApril24 = 1'713'916'800;  // 2024-04-24T00:00:00Z
constexpr long long kDay = 86'400;

class OperatorQueriesTest : public StoreTest {
 protected:
  SubmissionSummary receive(const std::string& member, Clock::time_point received_at,
                            Verdict verdict, std::size_t accepted, std::size_t rejected) {
    auto submission = new_submission(member, "body " + std::to_string(++bodies_));
    submission.received_at = received_at;
    return store_->begin_submission(submission)->commit(completion(verdict, accepted, rejected));
  }

 private:
  int bodies_ = 0;
};

TEST_F(OperatorQueriesTest, SumsRecordsPerMemberAndUtcDaySince) {
  const auto since = at_second(kApril24);
  receive("hmip", since - std::chrono::milliseconds(1), Verdict::complete, 7, 0);  // before since
  receive("hmip", since, Verdict::complete, 3, 0);
  receive("hmip", at_second(kApril24 + kDay - 1), Verdict::partial, 2, 1);
  // Rejected: none of its records was kept, so all of them count as rejected.
  receive("npm", at_second(kApril24 + 3600), Verdict::rejected, 2, 3);
  receive("hmip", at_second(kApril24 + kDay), Verdict::complete, 1, 0);

  const auto days = store_->records_per_day(since);
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0].day, "2024-04-24");
  EXPECT_EQ(days[0].member, "hmip");
  EXPECT_EQ(days[0].records_accepted, 5u);
  EXPECT_EQ(days[0].records_rejected, 1u);
  EXPECT_EQ(days[0].submissions, 2u);
  EXPECT_EQ(days[1].day, "2024-04-24");
  EXPECT_EQ(days[1].member, "npm");
  EXPECT_EQ(days[1].records_accepted, 0u);
  EXPECT_EQ(days[1].records_rejected, 5u);
  EXPECT_EQ(days[1].submissions, 1u);
  EXPECT_EQ(days[2].day, "2024-04-25");
  EXPECT_EQ(days[2].member, "hmip");
  EXPECT_EQ(days[2].records_accepted, 1u);
  EXPECT_EQ(days[2].records_rejected, 0u);
  EXPECT_EQ(days[2].submissions, 1u);

  EXPECT_TRUE(store_->records_per_day(at_second(kApril24 + 2 * kDay)).empty());
}

TEST_F(OperatorQueriesTest, RecordsPerDaySearchesReceivedAtByIndex) {
  const auto plan = query_plan(dir_.path(), sqlite::kSelectRecordsPerDay);
  EXPECT_NE(plan.find("USING INDEX submissions_received"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN submissions"), std::string::npos) << plan;
}

TEST_F(OperatorQueriesTest, FindsAnyMembersSubmissionById) {
  const auto hmip = receive("hmip", at_second(kApril24), Verdict::complete, 1, 0);
  const auto npm = receive("npm", at_second(kApril24), Verdict::rejected, 0, 1);

  const auto found_hmip = store_->find_submission(hmip.id);
  ASSERT_TRUE(found_hmip.has_value());
  EXPECT_EQ(found_hmip->member, "hmip");
  EXPECT_EQ(found_hmip->received_at, at_second(kApril24));
  const auto found_npm = store_->find_submission(npm.id);
  ASSERT_TRUE(found_npm.has_value());
  EXPECT_EQ(found_npm->member, "npm");
  EXPECT_EQ(found_npm->status, SubmissionStatus::rejected);
  EXPECT_FALSE(store_->find_submission("sub_unknown").has_value());
}

}  // namespace
}  // namespace opcat::store::testing
