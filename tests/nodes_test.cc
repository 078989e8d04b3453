// Three real nodes (`serve --node`) over one throwaway PostgreSQL: one owns
// routing, any node takes any request, and when the owner dies another takes
// over within seconds with the state rebuilt from the store.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/support/eventually.h"
#include "tests/support/node_cluster.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

const std::string kAdmin = "nodes-admin-token-0123456789";

class Nodes : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = pg_test_server(PG_TEST_URL_FILE);
    ASSERT_FALSE(server_.empty()) << "no PostgreSQL test cluster: " << PG_TEST_URL_FILE;
    cluster_ = std::make_unique<NodeCluster>(SWITCHBOARD_BINARY, create_pg_database(server_, "sb_nodes"),
                                             dir_.path().string(), 3, kAdmin);
    ASSERT_TRUE(cluster_->start_all()) << dir_.path();
  }
  // Posts through node i until the cluster answers with something other
  // than 503 (an owner is being chosen); returns that answer.
  HttpResult post_until_served(int i, const std::string& path, const nlohmann::json& body,
                               std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    HttpResult r;
    eventually([&] {
      r = cluster_->client(i).post(path, body);
      return r.status != 503 && r.status != 0;
    }, limit);
    return r;
  }
  // The same for a PATCH: a follower still reaching for the old owner
  // answers 503 with Retry-After once or twice after a take-over.
  HttpResult patch_until_served(int i, const std::string& path, const nlohmann::json& body) {
    HttpResult r;
    eventually([&] {
      r = cluster_->client(i).patch(path, body);
      return r.status != 503 && r.status != 0;
    }, std::chrono::seconds(20));
    return r;
  }

  TempDir dir_{"sb_nodes"};
  std::string server_;
  std::unique_ptr<NodeCluster> cluster_;
};

TEST_F(Nodes, OneOwnerAndEveryNodeServesTheWholeApi) {
  // The first node to start owns routing; the others follow it.
  const auto owners = cluster_->owners({0, 1, 2});
  ASSERT_EQ(owners.size(), 1u);
  const int owner = owners[0];
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cluster_->health(i)["owner_address"], "127.0.0.1:" + std::to_string(cluster_->port(owner))) << i;
  }
  const int a = (owner + 1) % 3, b = (owner + 2) % 3;
  // Commands through followers: handed to the owner, answered as it answers.
  ASSERT_EQ(cluster_->client(a).post("/api/v1/teams", {{"name", "Network"}}).status, 201);
  auto ada = cluster_->client(b).post("/api/v1/agents", {{"name", "Ada"}, {"teams", {"Network"}},
                                                         {"presence", "online"}, {"capacity", {{"email", 1}}}});
  ASSERT_EQ(ada.status, 201) << ada.raw;
  auto first = cluster_->client(a).post("/api/v1/tickets", {{"subject", "VPN"}, {"team", "Network"}, {"channel", "email"}});
  ASSERT_EQ(first.status, 201) << first.raw;
  EXPECT_EQ(first.body["assignee_id"], ada.body["id"]);
  auto second = cluster_->client(b).post("/api/v1/tickets", {{"subject", "Printer"}, {"team", "Network"}, {"channel", "email"}});
  ASSERT_EQ(second.status, 201);
  EXPECT_EQ(second.body["queue_position"], 1);  // the live engine's view, from the owner
  // Errors come back unchanged, with their JSON body.
  auto bad = cluster_->client(a).post("/api/v1/tickets", {{"subject", "x"}, {"team", "Nowhere"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.body["error"]["field"], "team");
  EXPECT_EQ(cluster_->client(b).request("GET", "/api/v1/tickets", "", {{"Authorization", "Bearer wrong-token"}}).status, 401);
  // Reads of the store from a follower itself: reports.
  auto report = cluster_->client(a).get("/api/v1/reports/tickets?interval=none");
  ASSERT_EQ(report.status, 200) << report.raw;
  EXPECT_EQ(report.body["tickets"], 2);
  // Solving through the third node hands the waiting ticket to Ada.
  ASSERT_EQ(cluster_->client(owner).patch("/api/v1/tickets/1", {{"status", "solved"}}).status, 200);
  EXPECT_EQ(cluster_->client(a).get("/api/v1/tickets/2").body["assignee_id"], ada.body["id"]);
}

TEST_F(Nodes, WhenTheOwnerDiesAnotherTakesOverWithinSecondsAndCarriesOn) {
  const int owner = cluster_->owners({0, 1, 2}).at(0);
  const int a = (owner + 1) % 3, b = (owner + 2) % 3;
  ASSERT_EQ(cluster_->client(a).post("/api/v1/teams", {{"name", "Network"}}).status, 201);
  ASSERT_EQ(cluster_->client(a).post("/api/v1/agents", {{"name", "Ada"}, {"teams", {"Network"}}, {"presence", "online"},
                                                        {"capacity", {{"email", 1}}}}).status, 201);
  ASSERT_EQ(cluster_->client(a).post("/api/v1/tickets", {{"subject", "1"}, {"team", "Network"}, {"channel", "email"}}).status, 201);
  ASSERT_EQ(cluster_->client(b).post("/api/v1/tickets", {{"subject", "2"}, {"team", "Network"}, {"channel", "email"}}).status, 201);

  cluster_->stop(owner, SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  auto third = post_until_served(a, "/api/v1/tickets", {{"subject", "3"}, {"team", "Network"}, {"channel", "email"}});
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  ASSERT_EQ(third.status, 201) << third.raw;
  EXPECT_LT(took, 10.0) << "take-over took " << took << " s";  // lease 2 s, renewed every 0.4 s
  const auto new_owners = cluster_->owners({a, b});
  ASSERT_EQ(new_owners.size(), 1u);
  EXPECT_EQ(cluster_->health(new_owners[0])["takeovers"], 1);
  // The new owner's engine came back from the store: ticket 3 waits behind 2.
  EXPECT_EQ(third.body["id"], 3);
  EXPECT_EQ(third.body["queue_position"], 2);
  ASSERT_EQ(patch_until_served(b, "/api/v1/tickets/1", {{"status", "solved"}}).status, 200);
  EXPECT_EQ(cluster_->client(a).get("/api/v1/tickets/2").body["assignee_id"], 1);

  // The dead node comes back as a follower.
  ASSERT_TRUE(cluster_->start(owner));
  EXPECT_EQ(cluster_->health(owner)["role"], "follower");
  EXPECT_EQ(cluster_->client(owner).get("/api/v1/tickets/3").body["queue_position"], 1);
}

TEST_F(Nodes, AnOwnerThatStopsHandsOverAtOnce) {
  const int owner = cluster_->owners({0, 1, 2}).at(0);
  const int a = (owner + 1) % 3;
  ASSERT_EQ(cluster_->stop(owner, SIGTERM), 0);  // exit 0
  const auto stopped = std::chrono::steady_clock::now();
  auto team = post_until_served(a, "/api/v1/teams", {{"name", "Network"}});
  ASSERT_EQ(team.status, 201);
  // No wait for the lease to run out (2 s): handed back on the way out.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped).count(), 1.9);
}

}  // namespace
}  // namespace sb::testing
