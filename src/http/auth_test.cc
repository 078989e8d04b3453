#include "http/auth.h"

#include <gtest/gtest.h>

namespace sb::http {
namespace {

TEST(Auth, TokensAreRandomAndHashesCompare) {
  const std::string a = new_token(), b = new_token();
  EXPECT_NE(a, b);
  EXPECT_GE(a.size(), 43u + 3u);  // 256 bits in base64url, plus "sb_"
  EXPECT_TRUE(same_hash(hash_token(a), hash_token(a)));
  EXPECT_FALSE(same_hash(hash_token(a), hash_token(b)));
}

TEST(Auth, CursorsRoundTripAndRejectForgeries) {
  EXPECT_EQ(*decode_cursor(encode_cursor(1234)), 1234);
  EXPECT_FALSE(decode_cursor("1234").ok());
  EXPECT_FALSE(decode_cursor("!!!").ok());
  EXPECT_EQ(decode_cursor("zzzz").error().field, "cursor");
}

}  // namespace
}  // namespace sb::http
