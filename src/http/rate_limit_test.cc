#include "http/rate_limit.h"

#include <gtest/gtest.h>

namespace sb::http {
namespace {

TEST(RateLimiter, ABurstThenTheRate) {
  RateLimiter limiter;
  const RateLimit limit{2, 3};  // 3 at once, then 2 a second
  auto t = RateLimiter::Clock::now();
  int retry = 0;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take("a", limit, &retry, t));
  EXPECT_FALSE(limiter.take("a", limit, &retry, t));
  EXPECT_EQ(retry, 1);
  EXPECT_TRUE(limiter.take("b", limit, &retry, t));  // each caller its own bucket
  t += std::chrono::milliseconds(500);               // one more
  EXPECT_TRUE(limiter.take("a", limit, &retry, t));
  EXPECT_FALSE(limiter.take("a", limit, &retry, t));
  t += std::chrono::seconds(10);  // refilled to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take("a", limit, &retry, t));
  EXPECT_FALSE(limiter.take("a", limit, &retry, t));
  EXPECT_TRUE(limiter.take("a", RateLimit{0, 0}, &retry, t));  // 0: unlimited
}

TEST(RateLimiter, SlowRatesSayHowLongToWait) {
  RateLimiter limiter;
  int retry = 0;
  EXPECT_TRUE(limiter.take("a", RateLimit{0.2, 1}, &retry));
  EXPECT_FALSE(limiter.take("a", RateLimit{0.2, 1}, &retry));
  EXPECT_EQ(retry, 5);
}

TEST(RateLimiter, MemoryStaysBounded) {
  RateLimiter limiter(100);
  auto t = RateLimiter::Clock::now();
  int retry = 0;
  for (int i = 0; i < 1000; ++i) limiter.take("caller" + std::to_string(i), RateLimit{100, 1}, &retry, t + std::chrono::seconds(i));
  // Idle callers were dropped: a caller seen long ago starts with a full bucket again.
  EXPECT_TRUE(limiter.take("caller0", RateLimit{100, 1}, &retry, t + std::chrono::seconds(2000)));
}

}  // namespace
}  // namespace sb::http
