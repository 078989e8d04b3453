#pragma once
// Delivers the outbox: a background thread takes due deliveries from the
// store, attempts each (webhook POST signed with the webhook's secret, or the
// e-mail through the SMTP relay), and records the outcome. At least once: a
// delivery is marked delivered only after the receiver said 2xx (or the
// relay accepted the message); a crash in between means it is sent again,
// and receivers dedupe on the event id. Failures back off exponentially
// with jitter; after max_attempts the delivery is dead and waits for an
// admin to redeliver it.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "notify/outbox.h"

namespace sb::notify {

class Dispatcher {
 public:
  explicit Dispatcher(Outbox& outbox);
  ~Dispatcher();

  // Starts the thread; it polls every `poll` (and at once after wake()),
  // while `active` says so (several nodes: only the routing owner delivers).
  void start(std::chrono::milliseconds poll = std::chrono::milliseconds(100), std::function<bool()> active = {});
  void stop();
  void wake();
  // One round: attempts every delivery due at `now` (up to `limit`).
  // Returns how many were attempted. Used by the thread and by tests.
  int run_once(Time now, int limit = 64);

 private:
  struct Outcome {
    bool ok = false;
    bool permanent = false;  // no point retrying (no such webhook, bad recipient)
    std::string error;
    std::optional<Duration> retry_after;
  };
  Outcome attempt(const Delivery& d, Time now);
  Duration backoff(int attempts);

  Outbox& outbox_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace sb::notify
