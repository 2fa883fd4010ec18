// Pull mode (docs/protocol.md, "Pull mode"): a recipient that cannot receive pushes fetches its
// deliveries from the gateway's member listener with its own client certificate, and
// acknowledges each with its signed receipt.
//
// Why the member listener: it already does mutual TLS against tls.client_ca with the CRL, the
// deadlines and the limits; the recipient's certificate is issued by the same CA. The routes
// accept any verified certificate and authorise by the CN configured as the recipient's
// client_cn (config validation keeps it distinct from every member and operator CN), so a member
// can never read a recipient's outbox, nor one recipient another's.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "gateway/config/config.hpp"
#include "gateway/http/router.hpp"
#include "gateway/store/outbox.hpp"

namespace opcat::delivery {

// Adds to `router`:
//   GET  /v1/outbox?recipient=<name>      the recipient's pending deliveries, oldest first
//   GET  /v1/outbox/{id}                  the payload, byte for byte, with Payload-SHA256,
//                                         Payload-Signature and Delivery-Id headers
//   POST /v1/outbox/{id}/receipt          the recipient's receipt (body) and its signature
//                                         (Receipt-Signature): 200 and delivered when valid
// `outbox` and `recipients` must outlive the router.
void add_pull_routes(http::Router& router, store::Outbox& outbox,
                     const std::map<std::string, config::Recipient>& recipients,
                     std::function<store::Clock::time_point()> now = [] {
                       return store::Clock::now();
                     });

}  // namespace opcat::delivery
