// The consolidation queue: jobs run one after another off the caller's thread, their outcome
// (done with a delivery, or failed with the reason) is kept, and recipients' daily schedules
// queue a job for the NPM year at the set time, on an injected clock.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "gateway/consolidation/consolidation_queue.hpp"
#include "tests/support/eventually.hpp"

namespace opcat::consolidation {
namespace {

using namespace std::chrono_literals;
using opcat::testing::eventually;
using SysClock = std::chrono::system_clock;

SysClock::time_point utc(int y, unsigned m, unsigned d, int hour, int minute, int second = 0) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d} + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

ConsolidationQueue::Work succeed_with(std::string delivery_id) {
  return [delivery_id](const ConsolidationRequest& request) {
    ConsolidationOutcome outcome;
    outcome.summary.period = request.period;
    outcome.summary.bytes = 42;
    outcome.delivery_id = delivery_id;
    return outcome;
  };
}

bool finished(const ConsolidationQueue& queue, const std::string& id) {
  const auto job = queue.get(id);
  return job && (job->state == JobState::done || job->state == JobState::failed);
}

TEST(ConsolidationQueueTest, NextRunIsTheNextOccurrenceStrictlyAfter) {
  const config::DailySchedule at_two{.hour = 2, .minute = 0};
  EXPECT_EQ(ConsolidationQueue::next_run(at_two, utc(2026, 3, 31, 1, 59, 59)),
            utc(2026, 3, 31, 2, 0));
  EXPECT_EQ(ConsolidationQueue::next_run(at_two, utc(2026, 3, 31, 2, 0)), utc(2026, 4, 1, 2, 0));
  EXPECT_EQ(ConsolidationQueue::next_run(at_two, utc(2026, 12, 31, 23, 0)), utc(2027, 1, 1, 2, 0));
}

TEST(ConsolidationQueueTest, AJobRunsAndKeepsItsDelivery) {
  ConsolidationQueue queue(succeed_with("dlv_example"), {});
  queue.start();
  const auto queued = queue.submit({.recipient = "spt",
                                    .period = parse_period("2024-04-01..2025-03-31"),
                                    .requested_by = "operator:alice"});
  EXPECT_TRUE(queued.id.starts_with("con_"));
  EXPECT_EQ(queued.state, JobState::queued);
  ASSERT_TRUE(eventually([&] { return finished(queue, queued.id); }));
  const auto job = queue.get(queued.id).value();
  EXPECT_EQ(job.state, JobState::done);
  EXPECT_EQ(job.delivery_id, "dlv_example");
  ASSERT_TRUE(job.summary.has_value());
  EXPECT_EQ(job.summary->bytes, 42u);
  EXPECT_TRUE(job.finished_at.has_value());
  EXPECT_EQ(job.request.requested_by, "operator:alice");
}

TEST(ConsolidationQueueTest, AFailedJobSaysWhy) {
  ConsolidationQueue queue(
      [](const ConsolidationRequest&) -> ConsolidationOutcome {
        throw std::runtime_error("the disk is full");
      },
      {});
  queue.start();
  const auto queued = queue.submit({.recipient = "npm",
                                    .period = parse_period("2024-04-01..2025-03-31"),
                                    .requested_by = "operator:bob"});
  ASSERT_TRUE(eventually([&] { return finished(queue, queued.id); }));
  const auto job = queue.get(queued.id).value();
  EXPECT_EQ(job.state, JobState::failed);
  EXPECT_EQ(job.error, "the disk is full");
  EXPECT_TRUE(job.delivery_id.empty());
}

TEST(ConsolidationQueueTest, JobsRunOneAtATimeInOrderAndListNewestFirst) {
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::vector<std::string> order;
  std::mutex order_mutex;
  ConsolidationQueue queue(
      [&](const ConsolidationRequest& request) {
        most = std::max(most.load(), ++running);
        {
          std::lock_guard lock(order_mutex);
          order.push_back(request.recipient);
        }
        std::this_thread::sleep_for(2ms);
        --running;
        return ConsolidationOutcome{{}, "dlv_" + request.recipient};
      },
      {});
  std::vector<std::string> ids;
  for (const char* recipient : {"a", "b", "c", "d"}) {
    ids.push_back(queue.submit({.recipient = recipient,
                                .period = parse_period("2024-04-01..2025-03-31"),
                                .requested_by = "test"})
                      .id);
  }
  queue.start();
  ASSERT_TRUE(eventually([&] { return finished(queue, ids.back()); }));
  EXPECT_EQ(most.load(), 1);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "d"}));
  const auto listed = queue.list(3);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].id, ids[3]);
  EXPECT_EQ(listed[2].id, ids[1]);
}

TEST(ConsolidationQueueTest, OnlyFinishedJobsAreForgotten) {
  ConsolidationQueue::Options options;
  options.kept = 2;
  ConsolidationQueue queue(succeed_with("dlv_x"), options);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(queue.submit({.recipient = "r" + std::to_string(i),
                                .period = parse_period("2024-04-01..2025-03-31"),
                                .requested_by = "test"})
                      .id);
  }
  // Nothing has run: every job is still queued, so none may be forgotten.
  EXPECT_EQ(queue.list(10).size(), 4u);
  queue.start();
  ASSERT_TRUE(eventually([&] { return finished(queue, ids.back()); }));
  EXPECT_FALSE(queue.get(ids.front()).has_value());
  EXPECT_TRUE(queue.get(ids.back()).has_value());
}

TEST(ConsolidationQueueTest, AScheduleQueuesTheYearOfTheDayBeforeAtItsTime) {
  // The clock stands just before 02:00 on 31 March 2026 (the last day of the 2025-26 year), then
  // moves past it: the job must be for 2025-04-01..2026-03-31, asked for by the schedule, once.
  std::atomic<SysClock::time_point> clock{utc(2026, 3, 31, 1, 59, 59)};
  std::atomic<int> runs{0};
  ConsolidationQueue::Options options;
  options.schedules["spt"] = config::DailySchedule{.hour = 2, .minute = 0};
  options.now = [&] { return clock.load(); };
  options.max_sleep = 5ms;
  std::string period;
  std::mutex period_mutex;
  ConsolidationQueue queue(
      [&](const ConsolidationRequest& request) {
        {
          std::lock_guard lock(period_mutex);
          period = request.period.to_string() + " " + request.recipient + " " + request.requested_by;
        }
        ++runs;
        return ConsolidationOutcome{{}, "dlv_scheduled"};
      },
      options);
  queue.start();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(runs.load(), 0) << "not yet 02:00";
  clock = utc(2026, 3, 31, 2, 0, 1);
  ASSERT_TRUE(eventually([&] { return runs.load() == 1; }));
  {
    std::lock_guard lock(period_mutex);
    EXPECT_EQ(period, "2025-04-01..2026-03-31 spt schedule");
  }
  // The run of 1 April delivers the year that ended the day before, complete.
  clock = utc(2026, 4, 1, 2, 0, 1);
  ASSERT_TRUE(eventually([&] { return runs.load() == 2; }));
  {
    std::lock_guard lock(period_mutex);
    EXPECT_EQ(period, "2025-04-01..2026-03-31 spt schedule");
  }
  // From 2 April, the new year.
  clock = utc(2026, 4, 2, 2, 0, 1);
  ASSERT_TRUE(eventually([&] { return runs.load() == 3; }));
  std::lock_guard lock(period_mutex);
  EXPECT_EQ(period, "2026-04-01..2027-03-31 spt schedule");
}

TEST(ConsolidationQueueTest, AWaitingJobIsNotQueuedTwiceAndTheQueueIsBounded) {
  ConsolidationQueue::Options options;
  options.max_queued = 2;
  ConsolidationQueue queue(succeed_with("dlv_x"), options);  // never started: jobs stay waiting
  const auto year = parse_period("2024-04-01..2025-03-31");
  const auto first = queue.submit({.recipient = "spt", .period = year, .requested_by = "a"});
  const auto again = queue.submit({.recipient = "spt", .period = year, .requested_by = "b"});
  EXPECT_EQ(again.id, first.id) << "the same recipient and period, still waiting";
  const auto npm = queue.submit({.recipient = "npm", .period = year, .requested_by = "a"});
  EXPECT_NE(npm.id, first.id);
  EXPECT_THROW(queue.submit({.recipient = "npm",
                             .period = parse_period("2023-04-01..2024-03-31"),
                             .requested_by = "a"}),
               QueueFull);
  EXPECT_EQ(queue.list(10).size(), 2u);
}

}  // namespace
}  // namespace opcat::consolidation
