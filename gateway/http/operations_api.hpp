// The operators' API on the admin listener (docs/admin-api.md): consolidations and deliveries.
// Reads are open to every operator role; changes (asking for a consolidation, re-queueing a
// failed delivery) need the operator or admin role, and each is logged with who asked.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "gateway/config/config.hpp"
#include "gateway/consolidation/consolidation_queue.hpp"
#include "gateway/http/router.hpp"
#include "gateway/store/outbox.hpp"
#include "gateway/store/store.hpp"

namespace opcat::http {

struct Operations {
  store::Store& store;  // the transfer log
  consolidation::ConsolidationQueue& consolidations;
  store::Outbox& outbox;
  const std::map<std::string, config::Recipient>& recipients;
  // An operator's second chance for a failed delivery (wakes the deliverer); false unless failed.
  std::function<bool(const std::string& delivery_id)> requeue;
  // "today", for the default period (the NPM year holding it); injected by tests.
  std::function<std::string()> today;
};

// Adds to `router` (everything referenced by `operations` must outlive it):
//   POST /v1/consolidations           {"recipients": [...], "period": "FIRST..LAST"} -> 202, jobs
//   GET  /v1/consolidations?limit=    recent jobs, newest first
//   GET  /v1/consolidations/{id}      one job: queued, running, done (its delivery) or failed (why)
//   GET  /v1/deliveries?recipient=&state=&limit=   newest first
//   GET  /v1/deliveries/{id}          one delivery with its attempts and the recipient's receipt
//   POST /v1/deliveries/{id}/requeue  a failed delivery due again: 200, 404, or 409 unless failed
//   GET  /v1/transfers?after=&member=&status=&limit=   the transfer log, oldest first, by cursor
//   GET  /v1/alerts?active=true|false&limit=          active alerts (or all), newest first
void add_operations_routes(Router& router, Operations operations);

}  // namespace opcat::http
