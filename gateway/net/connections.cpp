#include "gateway/net/listener_state.hpp"
#include "gateway/net/session.hpp"

#include <vector>

namespace opcat::net {

std::size_t Connections::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

bool Connections::add(std::uint64_t id, std::weak_ptr<Session> session) {
  std::lock_guard lock(mutex_);
  if (draining_) return false;
  sessions_.emplace(id, std::move(session));
  return true;
}

void Connections::remove(std::uint64_t id) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
    if (sessions_.empty() && on_empty_) notify = std::exchange(on_empty_, nullptr);
  }
  if (notify) notify();
}

void Connections::drain(std::function<void()> on_empty) {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
    if (sessions_.empty()) {
      on_empty_ = nullptr;
    } else {
      on_empty_ = std::move(on_empty);
      on_empty = nullptr;
    }
    for (auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  if (on_empty) on_empty();
  // Outside the lock: a session that closes at once calls remove().
  for (auto& session : open) session->drain();
}

void Connections::abandon_drain() {
  std::lock_guard lock(mutex_);
  on_empty_ = nullptr;
}

void LatencyHistogram::record(double seconds) {
  std::size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_microseconds_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::array<std::uint64_t, LatencyHistogram::kBounds.size() + 1> LatencyHistogram::cumulative()
    const {
  std::array<std::uint64_t, kBounds.size() + 1> out{};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double LatencyHistogram::sum_seconds() const {
  return static_cast<double>(sum_microseconds_.load(std::memory_order_relaxed)) / 1e6;
}

void ListenerStats::count_tls_failure(const std::string& reason) {
  ++tls_failures;
  std::lock_guard lock(reasons_mutex_);
  ++reasons_[reason];
}

std::map<std::string, std::uint64_t> ListenerStats::tls_failures_by_reason() const {
  std::lock_guard lock(reasons_mutex_);
  return reasons_;
}

}  // namespace opcat::net
