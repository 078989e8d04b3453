#include "rate_limit/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

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
  // None idle (all drained at the same instant): a new caller waits.
  RateLimiter busy(3);
  for (const char* c : {"a", "b", "c"}) EXPECT_TRUE(busy.take(c, RateLimit{1, 1}, &retry, t));
  retry = 0;
  EXPECT_FALSE(busy.take("d", RateLimit{1, 1}, &retry, t));
  EXPECT_EQ(retry, 1);
  EXPECT_TRUE(busy.take("d", RateLimit{1, 1}, &retry, t + std::chrono::seconds(1)));  // a, b, c refilled: dropped
}

// Many server threads at once (run under ThreadSanitizer too): a shared
// bucket hands out exactly its burst, and the trim never loses a bucket in use.
TEST(RateLimiter, ConcurrentCallersShareOneBucketExactly) {
  RateLimiter limiter(50);
  const auto t = RateLimiter::Clock::now();
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      int retry = 0;
      for (int k = 0; k < 100; ++k) {
        if (limiter.take("shared", RateLimit{1, 150}, &retry, t)) ++granted;
        limiter.take("own" + std::to_string(i * 100 + k), RateLimit{1, 1}, &retry, t);  // churns the trim
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(granted.load(), 150);
}

}  // namespace
}  // namespace sb::http
