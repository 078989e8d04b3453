#pragma once
// Polls `done` every 50 ms until it holds or `limit` passes; for end-to-end
// tests of things the server does on its own time (tickers, dispatchers,
// mailbox pollers).
#include <chrono>
#include <thread>

namespace sb::testing {

template <class Done>
bool eventually(Done done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace sb::testing
