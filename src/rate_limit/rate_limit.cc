#include "rate_limit/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace sb::http {

bool RateLimiter::take(const std::string& caller, const RateLimit& limit, int* retry_after, Clock::time_point now) {
  if (limit.rate <= 0) return true;
  const double burst = std::max(1.0, limit.burst);
  std::lock_guard lock(mu_);
  // Room is made before a new caller's bucket goes in (trimming after would
  // drop the new, full bucket under our feet).
  if (buckets_.size() >= max_callers_ && !buckets_.count(caller)) {
    trim(now);
    if (buckets_.size() >= max_callers_) {
      // Every bucket is in use: a new caller waits (memory stays bounded).
      if (retry_after) *retry_after = 1;
      return false;
    }
  }
  auto [it, fresh] = buckets_.try_emplace(caller);
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = burst;
    b.at = now;
  } else {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(burst, b.tokens + elapsed * limit.rate);
    b.at = now;
  }
  b.burst = burst;
  b.rate = limit.rate;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  if (retry_after) *retry_after = std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / limit.rate)));
  return false;
}

void RateLimiter::trim(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    const bool full = b.tokens + std::chrono::duration<double>(now - b.at).count() * b.rate >= b.burst;
    it = full ? buckets_.erase(it) : std::next(it);
  }
}

}  // namespace sb::http
