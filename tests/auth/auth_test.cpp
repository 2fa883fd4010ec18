// The console's sign-in pieces on their own: hashes, sessions against an injected clock, and the
// throttle that slows password guessing.
#include <gtest/gtest.h>

#include <string>

#include "gateway/auth/browser_sessions.hpp"
#include "gateway/auth/login_throttle.hpp"
#include "gateway/auth/password_hash.hpp"

namespace opcat::auth {
namespace {

using namespace std::chrono_literals;

// Cheap enough for a unit test; the encoding and the checks are the same as at full cost.
constexpr ScryptCost kTestCost{.log2_n = 10, .r = 8, .p = 1};

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
  const std::string hash = hash_password("correct horse battery", kTestCost);
  EXPECT_TRUE(hash.starts_with("$scrypt$ln=10,r=8,p=1$")) << hash;
  EXPECT_TRUE(verify_password("correct horse battery", hash));
  EXPECT_FALSE(verify_password("correct horse batterY", hash));
  EXPECT_FALSE(verify_password("", hash));
}

TEST(PasswordHash, TheSamePasswordHashesDifferentlyEachTime) {
  EXPECT_NE(hash_password("the same password", kTestCost),
            hash_password("the same password", kTestCost));
}

TEST(PasswordHash, TheDefaultCostIsTheSlowOne) {
  const std::string hash = hash_password("correct horse battery");
  EXPECT_TRUE(hash.starts_with("$scrypt$ln=16,r=8,p=1$")) << hash;
  EXPECT_TRUE(verify_password("correct horse battery", hash));
}

TEST(PasswordHash, RefusesWhatItDidNotWriteAndCostsBeyondTheCaps) {
  const std::string hash = hash_password("correct horse battery", kTestCost);
  EXPECT_FALSE(verify_password("correct horse battery", ""));
  EXPECT_FALSE(verify_password("correct horse battery", "plain text"));
  EXPECT_FALSE(verify_password("correct horse battery", hash.substr(0, hash.size() - 4)));
  std::string altered = hash;
  altered.replace(altered.find("ln=10"), 5, "ln=11");
  EXPECT_FALSE(verify_password("correct horse battery", altered));
  // A row that asks for minutes of work or gigabytes is refused without trying.
  for (const char* cost : {"ln=21,r=8,p=1", "ln=10,r=33,p=1", "ln=10,r=8,p=5", "ln=0,r=8,p=1",
                           "ln=20,r=32,p=1" /* 4 GiB */}) {
    std::string expensive = hash;
    expensive.replace(expensive.find("ln=10,r=8,p=1"), 13, cost);
    EXPECT_FALSE(verify_password("correct horse battery", expensive)) << cost;
  }
}

TEST(PasswordHash, AcceptablePasswordsHaveTwelveToTenTwentyFourBytes) {
  EXPECT_FALSE(password_problem("elevenchars").empty());
  EXPECT_TRUE(password_problem("twelve chars").empty());
  EXPECT_TRUE(password_problem(std::string(1024, 'x')).empty());
  EXPECT_FALSE(password_problem(std::string(1025, 'x')).empty());
}

class BrowserSessionsTest : public ::testing::Test {
 protected:
  Clock::time_point now_ = Clock::time_point{} + 1000h;
  BrowserSessions sessions_{SessionPolicy{.idle = 30min, .absolute = 12h, .max_sessions = 3},
                            [this] { return now_; }};
};

TEST_F(BrowserSessionsTest, ASessionIsFoundByItsTokenWithItsRoleAndCsrfToken) {
  const auto started = sessions_.start("olive", "Olive Operator", config::Role::operator_);
  EXPECT_GE(started.token.size(), 43u);
  EXPECT_GE(started.session.csrf.size(), 43u);
  EXPECT_NE(started.token, started.session.csrf);
  const auto found = sessions_.find(started.token);
  ASSERT_EQ(found.state, BrowserSessions::State::found);
  EXPECT_EQ(found.session->operator_name, "olive");
  EXPECT_EQ(found.session->role, config::Role::operator_);
  EXPECT_EQ(found.session->csrf, started.session.csrf);
  EXPECT_EQ(sessions_.find("not-a-token").state, BrowserSessions::State::unknown);
}

TEST_F(BrowserSessionsTest, UseExtendsTheIdleLimitUpToTheAbsoluteOne) {
  const auto started = sessions_.start("olive", "Olive", config::Role::viewer);
  for (int i = 0; i < 23; ++i) {  // 23 × 29 min = 11 h 7 min: used all along
    now_ += 29min;
    ASSERT_EQ(sessions_.find(started.token).state, BrowserSessions::State::found) << i;
  }
  now_ += 29min;  // 11 h 36 min
  ASSERT_EQ(sessions_.find(started.token).state, BrowserSessions::State::found);
  now_ += 25min;  // past 12 h however busy
  EXPECT_EQ(sessions_.find(started.token).state, BrowserSessions::State::expired);
  EXPECT_EQ(sessions_.find(started.token).state, BrowserSessions::State::unknown) << "forgotten";
}

TEST_F(BrowserSessionsTest, ASessionUnusedForTheIdleLimitExpires) {
  const auto started = sessions_.start("olive", "Olive", config::Role::viewer);
  now_ += 29min;
  EXPECT_TRUE(sessions_.peek(started.token));
  now_ += 2min;  // peek() did not extend it: 31 minutes since the last use
  EXPECT_FALSE(sessions_.peek(started.token));
  EXPECT_EQ(sessions_.find(started.token).state, BrowserSessions::State::expired);
}

TEST_F(BrowserSessionsTest, EndingOneOrAllOfAnAccountsSessions) {
  const auto a = sessions_.start("olive", "Olive", config::Role::viewer);
  const auto b = sessions_.start("olive", "Olive", config::Role::viewer);
  const auto c = sessions_.start("vera", "Vera", config::Role::viewer);
  sessions_.end(a.token);
  EXPECT_EQ(sessions_.find(a.token).state, BrowserSessions::State::unknown);
  EXPECT_EQ(sessions_.find(b.token).state, BrowserSessions::State::found);
  sessions_.end_all("olive");
  EXPECT_EQ(sessions_.find(b.token).state, BrowserSessions::State::unknown);
  EXPECT_EQ(sessions_.find(c.token).state, BrowserSessions::State::found);
}

TEST_F(BrowserSessionsTest, BeyondTheCapTheOldestSessionEnds) {
  const auto first = sessions_.start("a", "A", config::Role::viewer);
  now_ += 1s;
  sessions_.start("b", "B", config::Role::viewer);
  now_ += 1s;
  sessions_.start("c", "C", config::Role::viewer);
  now_ += 1s;
  const auto fourth = sessions_.start("d", "D", config::Role::viewer);
  EXPECT_EQ(sessions_.size(), 3u);
  EXPECT_EQ(sessions_.find(first.token).state, BrowserSessions::State::unknown);
  EXPECT_EQ(sessions_.find(fourth.token).state, BrowserSessions::State::found);
}

TEST_F(BrowserSessionsTest, TheCookieIsHostOnlySecureHttpOnlyAndStrict) {
  const std::string cookie = sessions_.cookie("TOKEN");
  EXPECT_EQ(cookie, "__Host-opcat_session=TOKEN; Path=/; Secure; HttpOnly; SameSite=Strict");
  EXPECT_NE(BrowserSessions::expired_cookie().find("Max-Age=0"), std::string::npos);
}

TEST(SessionToken, IsFoundAmongOtherCookies) {
  EXPECT_EQ(session_token("__Host-opcat_session=abc"), "abc");
  EXPECT_EQ(session_token("theme=dark; __Host-opcat_session=abc; lang=en"), "abc");
  EXPECT_EQ(session_token("opcat_session=abc"), std::nullopt);
  EXPECT_EQ(session_token("__Host-opcat_session="), std::nullopt);
  EXPECT_EQ(session_token(""), std::nullopt);
  EXPECT_EQ(session_token("garbage;;;="), std::nullopt);
}

TEST(LoginThrottle, FiveFailuresLockTheKeyOutForTheLockout) {
  LoginThrottle throttle(ThrottlePolicy{.max_failures = 5, .window = 15min, .lockout = 15min});
  auto now = LoginThrottle::Clock::time_point{} + 1000h;
  for (int i = 0; i < 4; ++i) {
    throttle.failed("name:olive", now);
    EXPECT_EQ(throttle.wait("name:olive", now), 0s) << i;
  }
  throttle.failed("name:olive", now);
  EXPECT_EQ(throttle.wait("name:olive", now), 900s);
  EXPECT_EQ(throttle.wait("name:vera", now), 0s) << "other keys are not affected";
  now += 15min;
  EXPECT_EQ(throttle.wait("name:olive", now), 0s);
}

TEST(LoginThrottle, FailuresOutsideTheWindowDoNotAddUpAndSuccessForgets) {
  LoginThrottle throttle(ThrottlePolicy{.max_failures = 3, .window = 10min, .lockout = 5min});
  auto now = LoginThrottle::Clock::time_point{} + 1000h;
  throttle.failed("k", now);
  throttle.failed("k", now);
  now += 11min;
  throttle.failed("k", now);  // a new window: one failure
  EXPECT_EQ(throttle.wait("k", now), 0s);
  throttle.failed("k", now);
  throttle.succeeded("k");
  throttle.failed("k", now);
  EXPECT_EQ(throttle.wait("k", now), 0s);
}

TEST(LoginThrottle, AFloodOfNewKeysCannotLiftALockout) {
  LoginThrottle throttle(ThrottlePolicy{.max_failures = 2, .window = 10min, .lockout = 5min,
                                        .max_keys = 2});
  auto now = LoginThrottle::Clock::time_point{} + 1000h;
  throttle.failed("victim", now);
  throttle.failed("victim", now);  // locked
  for (int i = 0; i < 10; ++i) throttle.failed("flood" + std::to_string(i), now + 1s);
  EXPECT_GT(throttle.wait("victim", now + 2s), 0s);
}

TEST(LoginThrottle, KeepsAtMostMaxKeys) {
  LoginThrottle throttle(ThrottlePolicy{.max_failures = 1, .window = 10min, .lockout = 5min,
                                        .max_keys = 2});
  auto now = LoginThrottle::Clock::time_point{} + 1000h;
  throttle.failed("a", now);
  throttle.failed("b", now + 1s);
  throttle.failed("c", now + 2s);  // "a", the stalest, goes
  EXPECT_EQ(throttle.wait("a", now + 3s), 0s);
  EXPECT_GT(throttle.wait("c", now + 3s), 0s);
}

}  // namespace
}  // namespace opcat::auth
