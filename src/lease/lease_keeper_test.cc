#include "lease/lease_keeper.h"

#include <gtest/gtest.h>

#include "store/memory_store.h"

namespace sb::cluster {
namespace {

struct Node {
  Node(Store& store, const std::string& name, Time& now)
      : keeper(store, NodeOptions{name, unique_node_id(name), name + ":80", "routing", std::chrono::seconds(5)},
               [&now] { return now; },
               [this](const Fence& f) {
                 if (refuse) return Status(Error::Unavailable("cannot load"));
                 fences.push_back(f);
                 return Status::Ok();
               },
               [this] { ++losses; }) {}
  std::vector<Fence> fences;
  int losses = 0;
  bool refuse = false;
  LeaseKeeper keeper;  // last: its destructor stands the node down
};

TEST(LeaseKeeper, OneOwnerAtATimeAndATakeOverWhenItStopsRenewing) {
  MemoryStore store;
  Time now = from_millis(1'000'000);
  Node a(store, "a", now), b(store, "b", now);
  a.keeper.run_once();
  b.keeper.run_once();
  ASSERT_TRUE(a.keeper.owner());
  EXPECT_FALSE(b.keeper.owner());
  ASSERT_EQ(a.fences.size(), 1u);
  EXPECT_EQ(a.fences[0].owner, a.keeper.options().id);
  EXPECT_EQ(b.keeper.status().owner_address, "a:80");  // where b hands requests
  EXPECT_EQ(b.keeper.status().owner_id, a.keeper.options().id);

  // Renewals keep it: b never gets it while a renews within the ttl.
  for (int i = 0; i < 10; ++i) {
    now += std::chrono::seconds(1);
    a.keeper.run_once();
    b.keeper.run_once();
  }
  EXPECT_TRUE(a.keeper.owner());
  EXPECT_FALSE(b.keeper.owner());
  EXPECT_EQ(a.fences.size(), 1u);  // renewed, not taken over again

  // a stops renewing (paused, or dead): after the ttl b takes over with a new epoch.
  now += std::chrono::seconds(5);
  b.keeper.run_once();
  ASSERT_TRUE(b.keeper.owner());
  ASSERT_EQ(b.fences.size(), 1u);
  EXPECT_GT(b.fences[0].epoch, a.fences[0].epoch);
  // a wakes up: it sees b's lease and stands down.
  a.keeper.run_once();
  EXPECT_FALSE(a.keeper.owner());
  EXPECT_EQ(a.losses, 1);
  EXPECT_EQ(a.keeper.status().owner_address, "b:80");
}

TEST(LeaseKeeper, AStoppingOwnerHandsTheLeaseBackAtOnce) {
  MemoryStore store;
  Time now = from_millis(1'000'000);
  Node a(store, "a", now), b(store, "b", now);
  a.keeper.run_once();
  ASSERT_TRUE(a.keeper.owner());
  a.keeper.stop();
  EXPECT_EQ(a.losses, 1);
  b.keeper.run_once();  // no wait for the ttl
  EXPECT_TRUE(b.keeper.owner());
}

TEST(LeaseKeeper, ANodeThatCannotTakeOverLetsAnotherTry) {
  MemoryStore store;
  Time now = from_millis(1'000'000);
  Node a(store, "a", now), b(store, "b", now);
  a.refuse = true;
  a.keeper.run_once();
  EXPECT_FALSE(a.keeper.owner());
  b.keeper.run_once();
  EXPECT_TRUE(b.keeper.owner());
}

}  // namespace
}  // namespace sb::cluster
