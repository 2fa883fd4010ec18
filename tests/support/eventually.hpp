// Waiting, in tests, for something another thread or process brings about.
#pragma once

#include <chrono>
#include <thread>

namespace opcat::testing {

// Polls `condition` until it holds. The cap only turns a bug into a failure instead of a hang;
// it is never what a test measures, so it is generous.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds cap = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + cap;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace opcat::testing
