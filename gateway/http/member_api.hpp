// The member listener's routes: what a member inspectorate's systems call.
#pragma once

#include "gateway/http/router.hpp"

namespace opcat::http {

// GET /healthz (any verified certificate), GET /v1/whoami (members only).
Router member_api();

// GET /v1/whoami: the member that the caller's certificate maps to, so a member's IT staff can
// check their certificate set-up before pushing anything.
Response whoami(const Context& context);

}  // namespace opcat::http
