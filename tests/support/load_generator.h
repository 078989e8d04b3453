#pragma once
// The load of the fault tests (chaos_test, fault_test): threads creating
// tickets, and one thread changing agents' presence and solving open
// tickets, through whichever servers `ports` names at the moment (a
// restarted server listens on a new port). A create is retried, through the
// next server, after a failed try (no answer, or 503) until it is
// acknowledged: a 201, or proof that an earlier try was committed (409 for
// its external id, or the Idempotency-Key's replay).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::testing {

struct LoadOptions {
  std::string token;
  std::vector<std::string> teams;
  int agents = 0;                                    // ids 1..agents
  int creators = 3;
  std::chrono::milliseconds pause{30};               // between one creator's tickets
  std::chrono::milliseconds churn_every{20};
  bool idempotency_keys = false;                     // else external ids
  std::chrono::seconds give_up{15};                  // per ticket
};

struct LoadResult {
  std::vector<std::int64_t> ids;            // acknowledged by a 201 (or its replay)
  std::vector<std::string> keys_of_ids;     // the key or external id of each
  std::vector<std::string> known_external;  // a 409 said an earlier try made it
  std::size_t unanswered = 0;               // gave up: never acknowledged
  std::vector<std::string> unexpected;      // answers other than 201, 409 duplicate, 503
  std::vector<double> attempt_ms;           // each try that was answered 201
  std::vector<double> acknowledged_ms;      // first try to acknowledgement, retries included
  int after_mark = 0;                       // acknowledged after mark()
  double first_after_mark_s = 0;
};

// The organisation the load works on: options.teams, and options.agents
// agents online with capacity email 3, chat 1 (every third in every team).
bool seed_load_org(const LoadOptions& options, std::uint16_t port);
// Sets every agent online (after the load, so that waiting work can go).
bool all_agents_online(const LoadOptions& options, std::uint16_t port);

class LoadGenerator {
 public:
  using Ports = std::function<std::vector<std::uint16_t>()>;
  LoadGenerator(LoadOptions options, Ports ports) : options_(std::move(options)), ports_(std::move(ports)) {}
  ~LoadGenerator() { stop(); }
  void start();
  void stop();
  // Marks a moment (a kill): counts acknowledgements after it.
  void mark();
  LoadResult result();

 private:
  void create_loop(int who);
  void churn_loop();

  LoadOptions options_;
  Ports ports_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> mark_ns_{0};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  LoadResult result_;
};

}  // namespace sb::testing
