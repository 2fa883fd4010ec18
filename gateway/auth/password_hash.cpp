#include "gateway/auth/password_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <optional>
#include <stdexcept>

#include "gateway/signing/base64.hpp"

namespace opcat::auth {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::string_view kPrefix = "$scrypt$";
constexpr unsigned kMaxLog2N = 20;
constexpr unsigned kMaxR = 32;
constexpr unsigned kMaxP = 4;
// scrypt's memory is 128·N·r bytes whatever p is (p only multiplies the time): at most 256 MiB.
constexpr std::uint64_t kMaxMemory = std::uint64_t{256} << 20;

std::optional<std::string> derive(std::string_view password, std::string_view salt,
                                  const ScryptCost& cost) {
  const std::uint64_t n = std::uint64_t{1} << cost.log2_n;
  // OpenSSL refuses (by default) anything over 32 MiB; allow what the cost needs, with room.
  const std::uint64_t max_memory = 128 * n * cost.r + 128 * cost.r * cost.p + (std::uint64_t{1} << 20);
  std::string out(kHashBytes, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, cost.r,
                     cost.p, max_memory, reinterpret_cast<unsigned char*>(out.data()),
                     out.size()) != 1) {
    return std::nullopt;
  }
  return out;
}

// "ln=16,r=8,p=1" -> the cost; nothing for anything else.
std::optional<ScryptCost> parse_cost(std::string_view text) {
  ScryptCost cost;
  std::array<std::pair<std::string_view, unsigned*>, 3> fields = {
      {{"ln=", &cost.log2_n}, {"r=", &cost.r}, {"p=", &cost.p}}};
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& [name, value] = fields[i];
    if (!text.starts_with(name)) return std::nullopt;
    text.remove_prefix(name.size());
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
    if (ec != std::errc()) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    if (i + 1 < fields.size()) {
      if (!text.starts_with(',')) return std::nullopt;
      text.remove_prefix(1);
    }
  }
  if (!text.empty()) return std::nullopt;
  if (cost.log2_n < 1 || cost.log2_n > kMaxLog2N || cost.r < 1 || cost.r > kMaxR ||
      cost.p < 1 || cost.p > kMaxP ||
      128 * (std::uint64_t{1} << cost.log2_n) * cost.r > kMaxMemory) {
    return std::nullopt;
  }
  return cost;
}

}  // namespace

std::string hash_password(std::string_view password, ScryptCost cost) {
  if (!parse_cost("ln=" + std::to_string(cost.log2_n) + ",r=" + std::to_string(cost.r) +
                  ",p=" + std::to_string(cost.p))) {
    throw std::invalid_argument("scrypt cost out of range");
  }
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1) {
    throw std::runtime_error("no randomness for a password salt (RAND_bytes failed)");
  }
  const auto hash = derive(password, salt, cost);
  if (!hash) throw std::runtime_error("scrypt failed (EVP_PBE_scrypt)");
  return std::string(kPrefix) + "ln=" + std::to_string(cost.log2_n) + ",r=" +
         std::to_string(cost.r) + ",p=" + std::to_string(cost.p) + "$" +
         signing::base64_encode(salt) + "$" + signing::base64_encode(*hash);
}

bool verify_password(std::string_view password, std::string_view encoded) {
  if (!encoded.starts_with(kPrefix)) return false;
  encoded.remove_prefix(kPrefix.size());
  const std::size_t first = encoded.find('$');
  if (first == std::string_view::npos) return false;
  const std::size_t second = encoded.find('$', first + 1);
  if (second == std::string_view::npos) return false;
  const auto cost = parse_cost(encoded.substr(0, first));
  const auto salt = signing::base64_decode(encoded.substr(first + 1, second - first - 1));
  const auto expected = signing::base64_decode(encoded.substr(second + 1));
  if (!cost || !salt || !expected || salt->empty() || expected->size() != kHashBytes) return false;
  const auto actual = derive(password, *salt, *cost);
  return actual && CRYPTO_memcmp(actual->data(), expected->data(), kHashBytes) == 0;
}

std::string password_problem(std::string_view password) {
  if (password.size() < 12) return "a password needs at least 12 characters";
  if (password.size() > 1024) return "a password may have at most 1024 bytes";
  return {};
}

}  // namespace opcat::auth
