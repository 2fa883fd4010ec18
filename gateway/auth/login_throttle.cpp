#include "gateway/auth/login_throttle.hpp"

#include <algorithm>

namespace opcat::auth {

std::chrono::seconds LoginThrottle::wait(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = keys_.find(key);
  if (it == keys_.end() || it->second.locked_until <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
}

void LoginThrottle::failed(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    if (keys_.size() >= policy_.max_keys) {
      // Forget what no longer counts; failing that, the stalest key (a flood of new names must
      // not grow the map without bound).
      std::erase_if(keys_, [&](const auto& entry) {
        return entry.second.first + policy_.window <= now && entry.second.locked_until <= now;
      });
      if (keys_.size() >= policy_.max_keys) {
        // The stalest key, but an unlocked one before any locked one: a flood of new names must
        // not be able to lift a lockout.
        keys_.erase(std::min_element(keys_.begin(), keys_.end(), [&](const auto& a, const auto& b) {
          const bool a_locked = a.second.locked_until > now;
          const bool b_locked = b.second.locked_until > now;
          if (a_locked != b_locked) return b_locked;
          return a.second.first < b.second.first;
        }));
      }
    }
    it = keys_.emplace(std::string(key), Failures{0, now, {}}).first;
  }
  Failures& f = it->second;
  if (f.first + policy_.window <= now) f = Failures{0, now, {}};
  if (++f.count >= policy_.max_failures) {
    f.locked_until = now + policy_.lockout;
    f.count = 0;
    f.first = now;
  }
}

void LoginThrottle::succeeded(std::string_view key) {
  std::lock_guard lock(mutex_);
  if (const auto it = keys_.find(key); it != keys_.end()) keys_.erase(it);
}

}  // namespace opcat::auth
