#include "gateway/auth/browser_sessions.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "gateway/signing/base64.hpp"

namespace opcat::auth {
namespace {

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("no randomness for a session token (RAND_bytes failed)");
  }
  // base64url without padding (RFC 4648 section 5): cookie-safe and header-safe.
  std::string token = signing::base64_encode(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  std::erase(token, '=');
  std::replace(token.begin(), token.end(), '+', '-');
  std::replace(token.begin(), token.end(), '/', '_');
  return token;
}

std::string key_of(std::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(token.data(), token.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), size);
}

}  // namespace

BrowserSessions::BrowserSessions(SessionPolicy policy, Now now)
    : policy_(policy), now_(std::move(now)) {}

BrowserSessions::Started BrowserSessions::start(std::string operator_name,
                                                std::string display_name, config::Role role,
                                                std::string account_version) {
  const auto now = now_();
  Started started{random_token(),
                  {.operator_name = std::move(operator_name),
                   .display_name = std::move(display_name),
                   .role = role,
                   .csrf = random_token(),
                   .account_version = std::move(account_version),
                   .started_at = now,
                   .expires_at = now + std::min(policy_.idle, policy_.absolute)}};
  std::lock_guard lock(mutex_);
  // Expired sessions go first; if that is not enough, the oldest.
  if (sessions_.size() >= policy_.max_sessions) {
    std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expires_at <= now; });
  }
  while (!sessions_.empty() && sessions_.size() >= policy_.max_sessions) {
    sessions_.erase(std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
      return a.second.started_at < b.second.started_at;
    }));
  }
  sessions_.emplace(key_of(started.token), started.session);
  return started;
}

BrowserSessions::Lookup BrowserSessions::find(std::string_view token) {
  const auto now = now_();
  const std::string key = key_of(token);
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(key);
  if (it == sessions_.end()) return {};
  if (it->second.expires_at <= now) {
    sessions_.erase(it);
    return {State::expired, std::nullopt};
  }
  it->second.expires_at = std::min(now + policy_.idle, it->second.started_at + policy_.absolute);
  return {State::found, it->second};
}

std::optional<BrowserSession> BrowserSessions::peek(std::string_view token) const {
  const auto now = now_();
  const std::string key = key_of(token);
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(key);
  if (it == sessions_.end() || it->second.expires_at <= now) return std::nullopt;
  return it->second;
}

void BrowserSessions::end(std::string_view token) {
  const std::string key = key_of(token);
  std::lock_guard lock(mutex_);
  sessions_.erase(key);
}

void BrowserSessions::end_all(std::string_view operator_name) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_,
                [&](const auto& entry) { return entry.second.operator_name == operator_name; });
}

std::size_t BrowserSessions::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::string BrowserSessions::cookie(std::string_view token) const {
  // No Max-Age: a session cookie, gone with the browser; the server's limits apply anyway.
  return std::string(kSessionCookie) + "=" + std::string(token) +
         "; Path=/; Secure; HttpOnly; SameSite=Strict";
}

std::string BrowserSessions::expired_cookie() {
  return std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

std::optional<std::string> session_token(std::string_view header) {
  // "a=1; __Host-opcat_session=TOKEN; b=2"
  while (!header.empty()) {
    const std::size_t end = std::min(header.find(';'), header.size());
    std::string_view pair = header.substr(0, end);
    header.remove_prefix(std::min(end + 1, header.size()));
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    if (pair.substr(0, equals) != kSessionCookie) continue;
    std::string_view value = pair.substr(equals + 1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    return std::string(value);
  }
  return std::nullopt;
}

}  // namespace opcat::auth
