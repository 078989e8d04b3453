// The load-and-fault test (issue 11): one real server on a real SQLite file
// under a minute of sustained ticket creation (with Idempotency-Keys) and
// presence churn, killed with SIGKILL and restarted twice. Afterwards every
// acknowledged ticket is in the store, none twice (one ticket per key), and
// the store's history passes the checker (tests/support/history_check.h): no
// ticket held by two agents, no agent over capacity at any point. Prints the
// rate and the latency percentiles of the creates (docs/performance.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "db/open_store.h"
#include "tests/support/history_check.h"
#include "tests/support/load_generator.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

const std::string kAdmin = "fault-admin-token-0123456789";

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p / 100 * static_cast<double>(v.size())))];
}

TEST(Fault, AMinuteOfLoadTwoKillsNothingLostOrDuplicated) {
  TempDir dir("sb_fault");
  ServerProcess server(SWITCHBOARD_BINARY, dir.path().string(), kAdmin);
  ASSERT_TRUE(server.start());
  std::atomic<std::uint16_t> port{server.port()};
  LoadOptions options;
  options.token = kAdmin;
  options.teams = {"Network", "Billing"};
  options.agents = 6;
  options.idempotency_keys = true;  // a retry after a lost answer must not make a second ticket
  options.pause = std::chrono::milliseconds(40);
  ASSERT_TRUE(seed_load_org(options, port));

  LoadGenerator load(options, [&] {
    const std::uint16_t p = port;
    return p ? std::vector<std::uint16_t>{p} : std::vector<std::uint16_t>{};
  });
  const auto started = std::chrono::steady_clock::now();
  load.start();
  for (int kill = 0; kill < 2; ++kill) {
    std::this_thread::sleep_for(std::chrono::seconds(20));
    port = 0;
    server.stop(SIGKILL);
    ASSERT_TRUE(server.start()) << server.log_path();
    port = server.port();
  }
  std::this_thread::sleep_for(std::chrono::seconds(20));
  load.stop();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const LoadResult acked = load.result();
  ASSERT_TRUE(all_agents_online(options, port));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  server.stop(SIGTERM);

  auto opened = open_store(server.db_path());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto history = read_history(**opened);
  ASSERT_TRUE(history.ok()) << history.error().message;
  std::map<std::int64_t, const Ticket*> by_id;
  std::map<std::string, int> per_key;
  for (const Ticket& t : history->tickets) {
    by_id[t.id.value] = &t;
    ++per_key[t.subject];
  }
  for (std::size_t i = 0; i < acked.ids.size(); ++i) {
    auto it = by_id.find(acked.ids[i]);
    ASSERT_NE(it, by_id.end()) << "acknowledged ticket " << acked.ids[i] << " is lost";
    EXPECT_EQ(it->second->subject, "ticket " + acked.keys_of_ids[i]);
  }
  for (const auto& [subject, n] : per_key) EXPECT_EQ(n, 1) << subject << " was created " << n << " times";
  for (const std::string& u : acked.unexpected) ADD_FAILURE() << "create answered " << u;
  EXPECT_EQ(acked.unanswered, 0u);
  HistoryStats stats;
  for (const std::string& p : check_history(history->events, history->agents, history->tickets, &stats)) ADD_FAILURE() << p;

  const double rate = static_cast<double>(acked.ids.size()) / seconds;
  std::printf("fault: %zu tickets acknowledged in %.0f s (%.1f/s) with 2 SIGKILLs, %zu in the store; "
              "a try answered 201: p50 %.1f ms, p99 %.1f ms; acknowledged (retries included): p50 %.1f ms, "
              "p99 %.0f ms, max %.0f ms; %d assignments, %d unassignments\n",
              acked.ids.size(), seconds, rate, history->tickets.size(), percentile(acked.attempt_ms, 50),
              percentile(acked.attempt_ms, 99), percentile(acked.acknowledged_ms, 50),
              percentile(acked.acknowledged_ms, 99), percentile(acked.acknowledged_ms, 100), stats.assignments,
              stats.unassignments);
  EXPECT_GT(acked.ids.size(), 1000u);
}

}  // namespace
}  // namespace sb::testing
