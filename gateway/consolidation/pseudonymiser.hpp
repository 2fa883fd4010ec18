// Keyed pseudonyms: HMAC-SHA256 of a value under a recipient's secret key. The same value gives
// the same pseudonym for as long as the recipient's key stays the same, so the recipient can
// still join records on it; without the key nobody can go back, nor test a guess.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace opcat::consolidation {

class Pseudonymiser {
 public:
  // Fewer bytes would make the key guessable; a random 32-byte file is the intended key
  // (`openssl rand -out spt.key 32`).
  static constexpr std::size_t kMinKeyBytes = 32;

  // Reads the key: the file's bytes, all of them. Throws std::runtime_error naming the file when
  // it cannot be read or holds fewer than kMinKeyBytes bytes.
  static Pseudonymiser from_key_file(const std::filesystem::path& file);
  explicit Pseudonymiser(std::string key);  // throws std::invalid_argument when too short

  // "p:" and the first 128 bits of the HMAC in hex: short, still collision-free in practice,
  // and matching the schema's patterns for ids ("<prefix>:<rest>") and for text.
  std::string pseudonym(std::string_view value) const;

  // Names the key without revealing it (an HMAC of a fixed text): a recipient sees from it that
  // the key, and with it every pseudonym, has changed.
  std::string key_id() const;

 private:
  std::string key_;
};

}  // namespace opcat::consolidation
