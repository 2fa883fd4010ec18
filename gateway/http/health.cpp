#include "gateway/http/health.hpp"

#include "gateway/http/json_response.hpp"

namespace opcat::http {

Response healthz(const Context& context) {
  return json_response(Status::ok, R"({"status":"ok"})", context.request);
}

}  // namespace opcat::http
