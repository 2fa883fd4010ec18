// Consolidations asked for while the gateway runs: by an operator (POST /v1/consolidations) or by
// a recipient's schedule ("daily 02:00"). One thread runs them one after another, off the I/O
// threads: a consolidation of a million records takes tens of seconds, and two at once would
// only compete for the same disk and the same store.
//
// A consolidation's result is a delivery in the durable outbox; the queue itself keeps the recent
// jobs in memory only. A job cut off by a crash never reached the outbox, and is simply asked for
// again (by the operator, or by the next scheduled run).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gateway/config/config.hpp"
#include "gateway/consolidation/consolidator.hpp"

namespace opcat::consolidation {

struct ConsolidationRequest {
  std::string recipient;     // a [recipients.<name>]
  Period period;
  std::string requested_by;  // "operator:<name>", "schedule"
};

enum class JobState { queued, running, done, failed };
const char* to_string(JobState state);

struct ConsolidationJob {
  std::string id;  // "con_" + 26 base32 characters
  ConsolidationRequest request;
  JobState state = JobState::queued;
  std::chrono::system_clock::time_point requested_at;
  std::optional<std::chrono::system_clock::time_point> finished_at;
  std::optional<ConsolidationSummary> summary;  // done
  std::string delivery_id;                       // done: what the outbox now holds
  std::string error;                             // failed
};

// What running a request produces: the payload's summary and the delivery it was queued as.
struct ConsolidationOutcome {
  ConsolidationSummary summary;
  std::string delivery_id;
};

class QueueFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConsolidationQueue {
 public:
  // Consolidates and enqueues one request; throws with a readable reason when it cannot.
  using Work = std::function<ConsolidationOutcome(const ConsolidationRequest&)>;

  struct Options {
    // Recipients with a schedule: at each scheduled time (UTC) a job is queued for the NPM year
    // holding the day before, so that the run of 1 April delivers the year just ended, complete
    // (later corrections to a past year are an operator's call, with its period). A time missed
    // while the gateway was down is not made up: the next run consolidates the same period from
    // the same, or newer, data.
    std::map<std::string, config::DailySchedule> schedules;
    std::function<std::chrono::system_clock::time_point()> now = [] {
      return std::chrono::system_clock::now();
    };
    std::size_t kept = 1000;        // finished jobs remembered for GET /v1/consolidations
    std::size_t max_queued = 100;   // jobs waiting: beyond it submit() refuses (QueueFull)
    // The longest sleep before the clock is read again: the wait runs on the steady clock, so a
    // wall-clock change (or a test's clock) is noticed within this.
    std::chrono::milliseconds max_sleep{std::chrono::minutes(1)};
  };

  ConsolidationQueue(Work work, Options options);
  ~ConsolidationQueue();  // stops
  ConsolidationQueue(const ConsolidationQueue&) = delete;
  ConsolidationQueue& operator=(const ConsolidationQueue&) = delete;

  void start();
  // Waits for the job in progress (a consolidation is not interruptible), then joins the thread;
  // jobs still queued are dropped (they never reached the outbox).
  void stop();

  // Queues a job and returns it (state queued). A job for the same recipient and period that is
  // still waiting is returned instead of a second one (a retried request, a double click, a
  // schedule meeting an operator's call): one payload, one delivery. Throws QueueFull when
  // max_queued jobs are waiting.
  ConsolidationJob submit(ConsolidationRequest request);
  std::optional<ConsolidationJob> get(const std::string& id) const;
  // Newest first, at most `limit`.
  std::vector<ConsolidationJob> list(std::size_t limit) const;

  // The next scheduled run of `schedule` strictly after `after` (UTC).
  static std::chrono::system_clock::time_point next_run(const config::DailySchedule& schedule,
                                                        std::chrono::system_clock::time_point after);

 private:
  void run(std::stop_token stop);
  void queue_scheduled(std::chrono::system_clock::time_point now);  // with mutex_ held
  // A waiting job for the same recipient and period, if any.               with mutex_ held
  const ConsolidationJob* waiting_like(const ConsolidationRequest& request) const;
  ConsolidationJob& job(const std::string& id);                     // with mutex_ held
  void forget_old();                                                // with mutex_ held

  Work work_;
  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<std::string> pending_;                // ids, oldest first
  std::map<std::string, ConsolidationJob> jobs_;  // by id
  std::deque<std::string> order_;                  // ids, oldest first (for list and forgetting)
  std::map<std::string, std::chrono::system_clock::time_point> next_runs_;  // by recipient
  std::jthread thread_;
};

// "con_" + 26 lowercase base32 characters (130 random bits).
std::string new_consolidation_id();

}  // namespace opcat::consolidation
