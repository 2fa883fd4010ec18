// The operator console (docs/console.md): its files, and the reads it is built on that the rest
// of the operators' API does not already answer: an overview of members and recipients, records
// per day, any member's submission with its errors, and the transfer log as a live stream.
#pragma once

#include <functional>

#include "gateway/auth/browser_sessions.hpp"
#include "gateway/config/config.hpp"
#include "gateway/http/router.hpp"
#include "gateway/store/outbox.hpp"
#include "gateway/store/store.hpp"

namespace opcat::http {

struct ConsoleView {
  const config::Config& config;  // the members and recipients to show
  store::Store& store;
  store::Outbox& outbox;
  auth::BrowserSessions& sessions;  // a stream ends with the session it was opened in
  std::function<store::Clock::time_point()> now;
};

// Adds to `router` (everything referenced must outlive it):
//   GET /, /console/{file}           the console (no certificate or session needed)
//   GET /v1/overview                 members (last push, records, rejection rate, overdue) and
//                                    recipients (queued, delivered, failed, oldest undelivered)
//   GET /v1/stats/records-per-day?days=30   records accepted per member per UTC day
//   GET /v1/submissions/{id}         any member's submission with its first errors
//   GET /v1/submissions/{id}/errors?after=&limit=   the rest of them
//   GET /v1/transfers/stream?after=SEQ   server-sent events, one "transfer" per new entry
void add_console_routes(Router& router, ConsoleView view);

// The console's security headers (Content-Security-Policy and friends) on `response`.
void set_console_headers(Response& response);

}  // namespace opcat::http
