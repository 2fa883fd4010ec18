// GET /healthz, served on every listener.
#pragma once

#include "gateway/http/message.hpp"

namespace opcat::http {

// Liveness for probes: answers any verified certificate and says nothing about any party.
Response healthz(const Context& context);

}  // namespace opcat::http
