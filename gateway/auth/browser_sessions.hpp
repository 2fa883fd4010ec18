// The console's login sessions: who is signed in, behind which cookie, until when. Held in
// memory only, on purpose: a restart signs everyone out, and nothing that would let someone act
// as an operator is ever written to disk. The map is keyed by the SHA-256 of the cookie's token,
// so even a memory dump does not hold a usable cookie.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/config/config.hpp"

namespace opcat::auth {

using Clock = std::chrono::system_clock;

struct SessionPolicy {
  std::chrono::seconds idle{30 * 60};          // signed out after this long without a request
  std::chrono::seconds absolute{12 * 60 * 60};  // and after this long in any case
  std::size_t max_sessions = 10000;            // beyond it, the oldest session ends
};

struct BrowserSession {
  std::string operator_name;  // the account ("alice")
  std::string display_name;
  config::Role role = config::Role::viewer;
  std::string csrf;  // sent back by the console in X-CSRF-Token on every change
  // The account as it was at sign-in (its password hash and role): a session whose account has
  // changed since is over (http::account_unchanged).
  std::string account_version;
  Clock::time_point started_at;
  Clock::time_point expires_at;  // the sooner of the idle and the absolute limit
};

// The cookie: __Host- binds it to this origin (Secure, Path=/, no Domain), HttpOnly keeps it
// from scripts, SameSite=Strict from every other site's requests.
inline constexpr std::string_view kSessionCookie = "__Host-opcat_session";

class BrowserSessions {
 public:
  using Now = std::function<Clock::time_point()>;
  explicit BrowserSessions(SessionPolicy policy = {}, Now now = [] { return Clock::now(); });

  struct Started {
    std::string token;  // the cookie's value: 32 random bytes, base64url
    BrowserSession session;
  };
  Started start(std::string operator_name, std::string display_name, config::Role role,
                std::string account_version = {});

  enum class State { found, unknown, expired };
  struct Lookup {
    State state = State::unknown;
    std::optional<BrowserSession> session;  // when found
  };
  // Finds the session and, when found, extends its idle limit (never past the absolute one).
  Lookup find(std::string_view token);

  // The session if it is live, without extending it (a live stream is not activity).
  std::optional<BrowserSession> peek(std::string_view token) const;

  void end(std::string_view token);
  // Every session of this account (its password changed, or it was disabled).
  void end_all(std::string_view operator_name);
  std::size_t size() const;

  // Set-Cookie values: one that holds `token`, one that deletes the cookie.
  std::string cookie(std::string_view token) const;
  static std::string expired_cookie();

 private:
  const SessionPolicy policy_;
  const Now now_;
  mutable std::mutex mutex_;
  std::map<std::string, BrowserSession, std::less<>> sessions_;  // by SHA-256 of the token
};

// The session token in a request's Cookie header, if any.
std::optional<std::string> session_token(std::string_view cookie_header);

}  // namespace opcat::auth
