// Waiting that a stop request (SIGTERM) cuts short: the agent may sit in a five-minute backoff
// and must still exit at once when asked.
#pragma once

#include <chrono>
#include <stop_token>

namespace opcat::push {

// Waits `duration` or until a stop is requested; true if the whole duration passed.
bool wait_unless_stopped(std::chrono::milliseconds duration, std::stop_token stop);

}  // namespace opcat::push
