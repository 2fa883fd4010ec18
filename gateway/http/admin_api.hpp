// The admin listener's routes: the operator API and, in later issues, the console.
#pragma once

#include "gateway/http/router.hpp"

namespace opcat::http {

// GET /healthz for now.
Router admin_api();

}  // namespace opcat::http
