// Slows password guessing at the console's login: after `max_failures` failed logins within
// `window` for one key (an account name, or a peer address), that key is refused for `lockout`
// without even checking the password. Keys are kept in memory, at most `max_keys` of them.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace opcat::auth {

struct ThrottlePolicy {
  unsigned max_failures = 5;
  std::chrono::seconds window{15 * 60};
  std::chrono::seconds lockout{15 * 60};
  std::size_t max_keys = 10000;
};

class LoginThrottle {
 public:
  using Clock = std::chrono::system_clock;
  explicit LoginThrottle(ThrottlePolicy policy = {}) : policy_(policy) {}

  // Zero when `key` may try now, else how long until it may.
  std::chrono::seconds wait(std::string_view key, Clock::time_point now);
  void failed(std::string_view key, Clock::time_point now);
  void succeeded(std::string_view key);

 private:
  struct Failures {
    unsigned count = 0;
    Clock::time_point first;         // of the current window
    Clock::time_point locked_until;  // epoch when not locked
  };
  const ThrottlePolicy policy_;
  std::mutex mutex_;
  std::map<std::string, Failures, std::less<>> keys_;
};

}  // namespace opcat::auth
