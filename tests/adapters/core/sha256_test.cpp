// SHA-256 and lower-case hex (adapters/core/sha256.hpp) against the FIPS 180-2 examples.
#include "adapters/core/sha256.hpp"

#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

namespace opcat::adapters {
namespace {

// FIPS 180-2, appendix B.1 and B.2, and the empty message.
constexpr std::string_view kAbc = "abc";
constexpr std::string_view kAbcDigest =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view kEmptyDigest =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view k448Bits = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr std::string_view k448BitsDigest =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

TEST(ToHex, WritesTwoLowerCaseDigitsPerByteWithoutSeparators) {
  const std::array<unsigned char, 6> bytes{0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes), "00017f80abff");
}

TEST(ToHex, EmptyIsEmpty) {
  EXPECT_EQ(to_hex({}), "");
}

TEST(Sha256Hex, MatchesFips180Vectors) {
  EXPECT_EQ(sha256_hex(kAbc), kAbcDigest);
  EXPECT_EQ(sha256_hex(""), kEmptyDigest);
  EXPECT_EQ(sha256_hex(k448Bits), k448BitsDigest);
}

TEST(Sha256Hex, HashesEmbeddedNulBytes) {
  // Hashed ids join their parts with a separator byte; a NUL must count as data, not an end.
  EXPECT_NE(sha256_hex(std::string_view("a\0b", 3)), sha256_hex("a"));
}

TEST(Sha256, NoUpdateIsTheEmptyDigest) {
  EXPECT_EQ(Sha256().finish_hex(), kEmptyDigest);
}

TEST(Sha256, OneUpdateMatchesOneShot) {
  Sha256 abc;
  abc.update(kAbc);
  EXPECT_EQ(abc.finish_hex(), kAbcDigest);
}

TEST(Sha256, SplitAtEveryPositionGivesTheSameDigest) {
  for (std::size_t split = 0; split <= k448Bits.size(); ++split) {
    Sha256 digest;
    digest.update(k448Bits.substr(0, split));
    digest.update(k448Bits.substr(split));
    EXPECT_EQ(digest.finish_hex(), k448BitsDigest) << "split at " << split;
  }
}

TEST(Sha256, ByteByByteGivesTheSameDigest) {
  Sha256 digest;
  for (const char c : k448Bits) digest.update(std::string_view(&c, 1));
  EXPECT_EQ(digest.finish_hex(), k448BitsDigest);
}

TEST(Sha256, MovedDigestCarriesOn) {
  Sha256 first;
  first.update("ab");
  Sha256 second = std::move(first);
  second.update("c");
  EXPECT_EQ(second.finish_hex(), kAbcDigest);

  Sha256 third;
  third = std::move(second);
  EXPECT_THROW(third.finish_hex(), std::logic_error);  // second was already finished
}

TEST(Sha256, IsSpentAfterFinish) {
  Sha256 digest;
  digest.update(kAbc);
  EXPECT_EQ(digest.finish_hex(), kAbcDigest);
  EXPECT_THROW(digest.update(kAbc), std::logic_error);
  EXPECT_THROW(digest.finish_hex(), std::logic_error);
}

}  // namespace
}  // namespace opcat::adapters
