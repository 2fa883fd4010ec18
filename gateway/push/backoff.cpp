#include "gateway/push/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace opcat::push {

RandomSource system_random() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

Backoff::Backoff(BackoffPolicy policy, RandomSource random)
    : policy_(policy), random_(std::move(random)) {
  policy_.base = std::max(policy_.base, std::chrono::milliseconds::zero());
  policy_.cap = std::max(policy_.cap, std::chrono::milliseconds::zero());
}

std::chrono::milliseconds Backoff::ceiling(unsigned attempt) const {
  // Doubling step by step stops at the cap, so a large attempt number cannot overflow.
  std::chrono::milliseconds ceiling = std::min(policy_.base, policy_.cap);
  for (unsigned i = 1; i < attempt && ceiling < policy_.cap && ceiling.count() > 0; ++i) {
    ceiling = std::min(ceiling * 2, policy_.cap);
  }
  return ceiling;
}

std::chrono::milliseconds Backoff::delay(unsigned attempt) const {
  const double fraction = std::clamp(random_(), 0.0, 1.0);
  const auto ceiling_ms = static_cast<double>(ceiling(attempt).count());
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(fraction * ceiling_ms)));
}

std::chrono::milliseconds Backoff::delay(unsigned attempt,
                                         std::optional<std::chrono::seconds> retry_after) const {
  if (retry_after) return *retry_after;
  return delay(attempt);
}

}  // namespace opcat::push
