#include "gateway/store/submission_id.hpp"

#include <openssl/rand.h>

#include <array>

#include "gateway/store/store.hpp"

namespace opcat::store {

std::string new_id(std::string_view prefix) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  constexpr std::size_t kChars = 26;
  std::array<unsigned char, kChars> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw StoreError("no randomness for an id (RAND_bytes failed)");
  }
  std::string id(prefix);
  // One byte per character, 5 bits each: simpler than bit-packing and just as uniform.
  for (unsigned char byte : random) id += kAlphabet[byte & 0x1f];
  return id;
}

std::string new_submission_id() { return new_id("sub_"); }

}  // namespace opcat::store
