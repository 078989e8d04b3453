#pragma once
// Per-caller rate limits (token buckets): each caller (a token's hash, or a
// client address for routes that need no token) gets `burst` requests at
// once and `rate` more per second. Memory is bounded: past `max_callers`
// buckets, the idle ones (full again) are dropped, and while none is idle a
// new caller is refused (retry in 1 s).
//
// Thread-safe.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sb::http {

struct RateLimit {
  double rate = 0;   // requests per second; 0: unlimited
  double burst = 0;  // at once
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(std::size_t max_callers = 100000) : max_callers_(max_callers) {}
  // Takes one request from `caller`'s bucket. False when it is empty; then
  // `retry_after` is the whole seconds until it holds one again (>= 1).
  bool take(const std::string& caller, const RateLimit& limit, int* retry_after, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at;
    double burst = 0;
    double rate = 0;
  };
  void trim(Clock::time_point now);
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::size_t max_callers_;
};

}  // namespace sb::http
