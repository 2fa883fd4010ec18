// How long to wait before trying an export again: exponential backoff with "full jitter" (a
// uniform pick between zero and the exponential ceiling), so that 21 members' agents coming back
// after a gateway outage do not all knock at the same second.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

namespace opcat::push {

struct BackoffPolicy {
  std::chrono::milliseconds base{1'000};  // the ceiling of the first retry
  std::chrono::milliseconds cap{300'000};  // no wait is ever longer
};

// A number in [0, 1]: where between zero and the ceiling the wait falls. Injected so that tests
// are deterministic; system_random() in production.
using RandomSource = std::function<double()>;
RandomSource system_random();

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy, RandomSource random = system_random());

  // min(cap, base * 2^(attempt-1)): attempt 1 is the first retry.
  std::chrono::milliseconds ceiling(unsigned attempt) const;
  // The wait before retry `attempt`, in [0, ceiling(attempt)].
  std::chrono::milliseconds delay(unsigned attempt) const;
  // The gateway's Retry-After, when it gave one, is followed as it is; else delay(attempt).
  std::chrono::milliseconds delay(unsigned attempt,
                                  std::optional<std::chrono::seconds> retry_after) const;

  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  RandomSource random_;
};

}  // namespace opcat::push
