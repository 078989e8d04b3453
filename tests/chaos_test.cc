// The chaos test (docs/scaling.md): three real nodes over one throwaway
// PostgreSQL, a load generator creating tickets, solving them and changing
// agents' presence through all three; the routing owner killed with SIGKILL
// mid-run and restarted, then the next owner frozen (SIGSTOP) for longer
// than its lease and woken, so that it comes back believing it still owns
// routing. Then every acknowledged ticket must exist, exactly once, and the
// checker (tests/support/history_check.h) replays the store's whole history:
// no ticket ever held by two agents, no agent over capacity, one unbroken
// line of events, and no ticket left waiting while an agent has room.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "db/open_store.h"
#include "tests/support/history_check.h"
#include "tests/support/load_generator.h"
#include "tests/support/node_cluster.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

const std::string kAdmin = "chaos-admin-token-0123456789";

TEST(Chaos, ThreeNodesAKilledOwnerAndASoundHistory) {
  TempDir dir("sb_chaos");
  const std::string server = pg_test_server(PG_TEST_URL_FILE);
  ASSERT_FALSE(server.empty()) << "no PostgreSQL test cluster: " << PG_TEST_URL_FILE;
  const std::string db = create_pg_database(server, "sb_chaos");
  NodeCluster cluster(SWITCHBOARD_BINARY, db, dir.path().string(), 3, kAdmin);
  ASSERT_TRUE(cluster.start_all());
  LoadOptions options;
  options.token = kAdmin;
  options.teams = {"Network", "Billing"};
  options.agents = 6;
  options.idempotency_keys = false;  // external ids: a 409 proves an earlier try was committed
  ASSERT_TRUE(seed_load_org(options, cluster.port(1)));

  // Any node will do: each try goes to the next one.
  LoadGenerator load(options, [&] {
    return std::vector<std::uint16_t>{cluster.port(0), cluster.port(1), cluster.port(2)};
  });
  load.start();
  // Mid-run: the routing owner dies without a word, and comes back later.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const auto owners = cluster.owners({0, 1, 2});
  ASSERT_EQ(owners.size(), 1u);
  const int victim = owners[0];
  load.mark();
  cluster.stop(victim, SIGKILL);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_TRUE(cluster.start(victim));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  // The next owner freezes for longer than its lease (a long GC pause, a VM
  // stall): another node takes over, and when it wakes its commits are
  // refused by the lease's fence until it sees it lost.
  const auto frozen_owners = cluster.owners({0, 1, 2});
  ASSERT_EQ(frozen_owners.size(), 1u);
  const int frozen = frozen_owners[0];
  ::kill(cluster.node(frozen).pid(), SIGSTOP);
  // Frozen perhaps mid-commit, holding the lease row's lock: PostgreSQL ends
  // its transaction after 2 s idle, then the lease (2 s) is free to take.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  ::kill(cluster.node(frozen).pid(), SIGCONT);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  load.stop();
  const LoadResult acked = load.result();

  // Quiet: everyone online again, and a moment for routing to settle.
  ASSERT_TRUE(all_agents_online(options, cluster.port(victim)));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto alive_owners = cluster.owners({0, 1, 2});
  ASSERT_EQ(alive_owners.size(), 1u);
  EXPECT_NE(alive_owners[0], frozen);  // it woke up to find it had lost
  // What the frozen node did on waking (for the record): requests it refused.
  std::ifstream frozen_log(cluster.node(frozen).log_path());
  int refused = 0, stood_down = 0;
  for (std::string line; std::getline(frozen_log, line);) {
    refused += line.find(" 503 ") != std::string::npos;
    stood_down += line.find("no longer owns") != std::string::npos;
  }
  std::printf("chaos: node %d killed, node %d frozen; on waking it answered %d requests 503 and stood down %d time(s)\n",
              victim, frozen, refused, stood_down);
  EXPECT_GE(stood_down, 1);

  // The checker: every acknowledged ticket, and the store's whole history.
  auto opened = open_store(db);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto history = read_history(**opened);
  ASSERT_TRUE(history.ok()) << history.error().message;
  std::set<std::int64_t> stored_ids;
  std::set<std::string> stored_external;
  for (const Ticket& t : history->tickets) {
    stored_ids.insert(t.id.value);
    if (t.external_id) stored_external.insert(*t.external_id);
  }
  for (std::int64_t id : acked.ids) EXPECT_TRUE(stored_ids.count(id)) << "acknowledged ticket " << id << " is lost";
  for (const std::string& x : acked.known_external) EXPECT_TRUE(stored_external.count(x)) << x << " said to exist (409)";
  for (const std::string& u : acked.unexpected) ADD_FAILURE() << "create answered " << u;
  HistoryStats stats;
  for (const std::string& p : check_history(history->events, history->agents, history->tickets, &stats)) ADD_FAILURE() << p;

  std::printf("chaos: %zu tickets acknowledged (%zu by a 409 after a lost answer, %zu unanswered), %d after the kill "
              "(the first %.2f s after it); %zu events, %d assignments, %d unassignments, %d waiting at the end\n",
              acked.ids.size() + acked.known_external.size(), acked.known_external.size(), acked.unanswered,
              acked.after_mark, acked.first_after_mark_s, history->events.size(), stats.assignments,
              stats.unassignments, stats.waiting);
  EXPECT_GT(acked.ids.size(), 200u);
  EXPECT_GT(acked.after_mark, 0) << "no ticket was created after the kill";
  EXPECT_EQ(acked.unanswered, 0u);  // the cluster came back within seconds for every request
  EXPECT_GT(stats.unassignments, 0);  // presence churn took tickets off agents
}

}  // namespace
}  // namespace sb::testing
