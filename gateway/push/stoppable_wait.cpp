#include "gateway/push/stoppable_wait.hpp"

#include <condition_variable>
#include <mutex>

namespace opcat::push {

bool wait_unless_stopped(std::chrono::milliseconds duration, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any woken;
  std::unique_lock lock(mutex);
  // Nothing but the stop request (or the time) ends the wait: nobody else notifies.
  woken.wait_for(lock, stop, duration, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace opcat::push
