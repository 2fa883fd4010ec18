#include "gateway/http/admin_api.hpp"

#include "gateway/http/health.hpp"

namespace opcat::http {

Router admin_api() {
  Router router;
  router.add(Verb::get, "/healthz", Access::any_certificate, healthz);
  return router;
}

}  // namespace opcat::http
