#include "gateway/push/delivery.hpp"

#include "gateway/push/push_log.hpp"
#include "gateway/push/stoppable_wait.hpp"

namespace opcat::push {

Delivery deliver(const FilePusher& pusher, const std::filesystem::path& file, unsigned retries,
                 const Backoff& backoff, std::stop_token stop) {
  Delivery delivery;
  for (;;) {
    delivery.push = pusher.push(file, stop);
    ++delivery.attempts;
    const PushOutcome& outcome = delivery.push.outcome;
    if (outcome.verdict != Verdict::retry_later || stop.stop_requested()) return delivery;
    const unsigned retry = delivery.attempts;  // the retry about to be made: 1, 2, ...
    if (retry > retries) return delivery;
    const auto delay = backoff.delay(retry, outcome.retry_after);
    log_retry(file, outcome, retry, delay);
    if (!wait_unless_stopped(delay, stop)) return delivery;
  }
}

}  // namespace opcat::push
