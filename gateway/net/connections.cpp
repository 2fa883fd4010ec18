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

}  // namespace opcat::net
