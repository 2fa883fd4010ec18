#include "gateway/push/backoff.hpp"

#include <gtest/gtest.h>

#include <set>

namespace opcat::push {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

RandomSource always(double value) {
  return [value] { return value; };
}

TEST(Backoff, CeilingDoublesFromTheBaseUpToTheCap) {
  const Backoff backoff({.base = 1s, .cap = 300s}, always(1.0));
  EXPECT_EQ(backoff.ceiling(1), 1s);
  EXPECT_EQ(backoff.ceiling(2), 2s);
  EXPECT_EQ(backoff.ceiling(3), 4s);
  EXPECT_EQ(backoff.ceiling(9), 256s);
  EXPECT_EQ(backoff.ceiling(10), 300s);
  EXPECT_EQ(backoff.ceiling(4'000'000'000u), 300s);  // no overflow, however long the outage
}

TEST(Backoff, TheHighestDrawWaitsTheWholeCeiling) {
  const Backoff backoff({.base = 1s, .cap = 300s}, always(1.0));
  EXPECT_EQ(backoff.delay(1), 1s);
  EXPECT_EQ(backoff.delay(4), 8s);
  EXPECT_EQ(backoff.delay(50), 300s);
}

TEST(Backoff, TheLowestDrawRetriesAtOnce) {
  const Backoff backoff({.base = 1s, .cap = 300s}, always(0.0));
  EXPECT_EQ(backoff.delay(1), 0ms);
  EXPECT_EQ(backoff.delay(50), 0ms);
}

TEST(Backoff, FullJitterPicksProportionallyWithinTheCeiling) {
  const Backoff backoff({.base = 1s, .cap = 300s}, always(0.25));
  EXPECT_EQ(backoff.delay(3), 1s);    // a quarter of 4 s
  EXPECT_EQ(backoff.delay(20), 75s);  // a quarter of the cap
}

TEST(Backoff, ARandomSourceOutOfRangeCannotBreakTheCap) {
  EXPECT_EQ(Backoff({.base = 1s, .cap = 10s}, always(7.0)).delay(30), 10s);
  EXPECT_EQ(Backoff({.base = 1s, .cap = 10s}, always(-1.0)).delay(30), 0ms);
}

TEST(Backoff, ACapBelowTheBaseWins) {
  const Backoff backoff({.base = 10s, .cap = 3s}, always(1.0));
  EXPECT_EQ(backoff.delay(1), 3s);
}

TEST(Backoff, RetryAfterIsFollowedAsGiven) {
  const Backoff backoff({.base = 1s, .cap = 300s}, always(0.0));
  EXPECT_EQ(backoff.delay(1, std::chrono::seconds(42)), 42s);
  EXPECT_EQ(backoff.delay(1, std::nullopt), 0ms);
}

TEST(Backoff, TheSystemSourceStaysWithinBoundsAndVaries) {
  const Backoff backoff({.base = 1s, .cap = 300s});
  std::set<milliseconds::rep> seen;
  for (int i = 0; i < 200; ++i) {
    const milliseconds delay = backoff.delay(6);
    EXPECT_GE(delay, 0ms);
    EXPECT_LE(delay, 32s);
    seen.insert(delay.count());
  }
  EXPECT_GT(seen.size(), 100u);
}

}  // namespace
}  // namespace opcat::push
