// Tests of the Base64 helpers: RFC 4648 test vectors, binary round trips, strict decoding.
#include "gateway/signing/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace opcat::signing {
namespace {

TEST(Base64Test, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesTheRfc4648Vectors) {
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9v"), "foo");
  EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
}

TEST(Base64Test, BinaryRoundTrips) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  for (std::size_t length = 0; length <= all_bytes.size(); length += 37) {
    const std::string bytes = all_bytes.substr(0, length);
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes) << length;
  }
}

TEST(Base64Test, DecodingIsStrict) {
  for (const char* text : {"Zg", "Zg=", "Zm9", " Zm9v", "Zm9v ", "Zm9v\n", "Zm 9v",
                           "Z===", "Zg==Zm9v", "=Zm9", "Zm9-", "Zm9_", "Zm9v*A=="}) {
    EXPECT_EQ(base64_decode(text), std::nullopt) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace opcat::signing
