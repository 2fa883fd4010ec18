// The console's sign-in (docs/console.md): a password checked against the operator accounts in
// the store, a session held in memory behind an HttpOnly cookie, and the CSRF token the
// console's script sends back on every change.
#pragma once

#include <functional>

#include "gateway/auth/browser_sessions.hpp"
#include "gateway/auth/login_throttle.hpp"
#include "gateway/http/router.hpp"
#include "gateway/store/store.hpp"

namespace opcat::http {

struct ConsoleSignIn {
  store::Store& store;  // the operator accounts
  auth::BrowserSessions& sessions;
  auth::LoginThrottle& throttle;
  std::function<store::Clock::time_point()> now;
};

// Adds to `router` (everything referenced must outlive it):
//   POST   /v1/session  {"name","password"} -> 200 {operator,name,role,csrf,expires_at} and the
//                       cookie; 401 bad_credentials; 429 too_many_attempts (Retry-After)
//   GET    /v1/session  who is signed in: 200, or 401 unauthenticated / session_expired
//   DELETE /v1/session  signs out (needs X-CSRF-Token): 204, the cookie deleted
void add_session_routes(Router& router, ConsoleSignIn sign_in);

// For Router::set_session_resolver: the operator behind a request's session cookie, while the
// account is unchanged (else the session ends there and then).
SessionResolver session_resolver(auth::BrowserSessions& sessions, store::Store& store);

// What a session remembers of its account; a change (a password reset, a new role) ends it.
std::string account_version(const store::OperatorAccount& account);
// True while the session's account is enabled and as it was at sign-in. One primary-key read.
bool account_unchanged(store::Store& store, const auth::BrowserSession& session);

// The account's role as the store keeps it; viewer for anything unknown (the least power).
config::Role account_role(const std::string& text);

}  // namespace opcat::http
