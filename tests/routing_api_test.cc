// Routing over HTTP against the real binary: policies per team, decisions,
// offers with accept/decline/timeout, relaxation over real time.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;
const std::string kAdmin = "routing-admin-token-0123456789";

class RoutingApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ServerProcess>(SWITCHBOARD_BINARY, dir.path().string(), kAdmin);
    ASSERT_TRUE(server->start()) << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
    team = admin->post("/api/v1/teams", {{"name", "Support"}}).body["id"];
  }
  std::int64_t agent(const std::string& name, json extra = json::object()) {
    json body{{"name", name}, {"teams", {team}}, {"presence", "online"}, {"capacity", {{"email", 1}, {"chat", 1}}}};
    body.update(extra);
    auto r = admin->post("/api/v1/agents", body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body["id"];
  }
  json ticket(json extra = json::object()) {
    json body{{"subject", "help"}, {"team", team}, {"channel", "email"}};
    body.update(extra);
    auto r = admin->post("/api/v1/tickets", body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body;
  }
  json get(std::int64_t id) { return admin->get("/api/v1/tickets/" + std::to_string(id)).body; }
  std::string path(std::int64_t id, const std::string& tail = "") { return "/api/v1/tickets/" + std::to_string(id) + tail; }

  TempDir dir{"sb_routing_api"};
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin;
  std::int64_t team = 0;
};

TEST_F(RoutingApi, PolicyChangesTakeEffectWithoutRestart) {
  const auto strong = agent("Strong", {{"skills", {{"vpn", 5}}}, {"capacity", {{"email", 5}}}});
  const auto weak = agent("Weak", {{"skills", {{"vpn", 1}}}, {"capacity", {{"email", 5}}}});
  EXPECT_EQ(ticket({{"required_skills", {{"vpn", 1}}}})["assignee_id"], strong);
  EXPECT_EQ(ticket({{"required_skills", {{"vpn", 1}}}})["assignee_id"], strong);  // best match, though loaded

  auto patched = admin->patch("/api/v1/teams/" + std::to_string(team), {{"routing", {{"policy", "least_loaded"}}}});
  ASSERT_EQ(patched.status, 200) << patched.raw;
  EXPECT_EQ(patched.body["routing"]["policy"], "least_loaded");
  EXPECT_EQ(ticket({{"required_skills", {{"vpn", 1}}}})["assignee_id"], weak);
  EXPECT_EQ(admin->get("/api/v1/teams/" + std::to_string(team)).body["routing"]["policy"], "least_loaded");
  EXPECT_EQ(admin->get("/api/v1/queues").body["queues"][0]["policy"], "least_loaded");

  auto bad = admin->patch("/api/v1/teams/" + std::to_string(team), {{"routing", {{"policy", "fastest"}}}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.body["error"]["field"], "routing.policy");
  auto bad_step = admin->patch("/api/v1/teams/" + std::to_string(team),
                               {{"routing", {{"relaxation", {{{"after_seconds", 60}, {"action", "shrug"}}}}}}});
  EXPECT_EQ(bad_step.status, 422);
  EXPECT_EQ(bad_step.body["error"]["field"], "routing.relaxation[0].action");
  EXPECT_EQ(admin->get("/api/v1/teams/" + std::to_string(team)).body["routing"]["policy"], "least_loaded");
  EXPECT_EQ(admin->patch("/api/v1/teams/999", {{"name", "x"}}).status, 404);
}

TEST_F(RoutingApi, EveryDecisionIsExplainedNewestFirst) {
  agent("Offline", {{"presence", "offline"}, {"skills", {{"vpn", 5}}}});
  agent("NoVpn", {{"skills", {{"dns", 5}}}});
  const auto chosen = agent("Chosen", {{"skills", {{"vpn", 3}}}});
  json t = ticket({{"required_skills", {{"vpn", 2}}}});
  ASSERT_EQ(t["assignee_id"], chosen);
  ASSERT_EQ(admin->patch(path(t["id"]), {{"assignee_id", nullptr}}).status, 200);
  auto r = admin->get(path(t["id"], "/routing"));
  ASSERT_EQ(r.status, 200) << r.raw;
  const json& decisions = r.body["decisions"];
  ASSERT_GE(decisions.size(), 2u);
  const json& first = decisions.back();  // the oldest: the arrival
  EXPECT_EQ(first["outcome"], "assigned");
  EXPECT_EQ(first["policy"], "skills_best_match");
  EXPECT_EQ(first["agent_id"], chosen);
  std::map<std::string, std::string> reasons;
  for (const json& c : first["candidates"]) reasons[c["name"]] = c["reason"];
  EXPECT_EQ(reasons["Chosen"], "chosen");
  EXPECT_EQ(reasons["Offline"], "offline");
  EXPECT_EQ(reasons["NoVpn"], "missing skill vpn");
  EXPECT_EQ(first["candidates"][0]["score"]["proficiency"], 3);
  EXPECT_EQ(first["excluded_counts"]["offline"], 1);
  EXPECT_EQ(admin->get(path(999, "/routing")).status, 404);
}

TEST_F(RoutingApi, OffersAreAcceptedDeclinedOrTimeOut) {
  auto patched = admin->patch("/api/v1/teams/" + std::to_string(team),
                              {{"routing", {{"policy", "round_robin"},
                                            {"offer_mode", {{"chat", "offer"}}},
                                            {"offer_timeout_seconds", 1},
                                            {"max_missed_offers", 5}}}});
  ASSERT_EQ(patched.status, 200) << patched.raw;
  const auto a = agent("Ada");
  const auto b = agent("Bo");
  HttpClient ada("127.0.0.1", server->port(), admin->post("/api/v1/tokens", {{"agent_id", a}}).body["token"]);
  HttpClient bo("127.0.0.1", server->port(), admin->post("/api/v1/tokens", {{"agent_id", b}}).body["token"]);

  json t = ticket({{"channel", "chat"}});
  ASSERT_EQ(t["assignee_id"], a);
  EXPECT_EQ(t["status"], "new");
  EXPECT_FALSE(t["offer_expires_at"].is_null());
  // Bo is Ada's teammate: he sees the offer but cannot answer it.
  EXPECT_EQ(bo.post(path(t["id"], "/accept"), json::object()).body["error"]["code"], "not_offered");
  auto accepted = ada.post(path(t["id"], "/accept"), json::object());
  ASSERT_EQ(accepted.status, 200) << accepted.raw;
  EXPECT_EQ(accepted.body["status"], "open");
  EXPECT_TRUE(accepted.body["offer_expires_at"].is_null());
  EXPECT_EQ(ada.post(path(t["id"], "/decline"), json::object()).body["error"]["code"], "already_accepted");

  json t2 = ticket({{"channel", "chat"}});
  ASSERT_EQ(t2["assignee_id"], b);
  auto declined = bo.post(path(t2["id"], "/decline"), json::object());
  ASSERT_EQ(declined.status, 200) << declined.raw;
  EXPECT_TRUE(declined.body["assignee_id"].is_null());  // Ada is full, Bo declined
  EXPECT_EQ(declined.body["declined_by"], json::array({b}));

  // Ada finishes; the waiting ticket is offered to her, she lets it lapse.
  ASSERT_EQ(ada.patch(path(t["id"]), {{"status", "solved"}}).status, 200);
  EXPECT_EQ(get(t2["id"])["assignee_id"], a);
  ASSERT_TRUE(eventually([&] { return get(t2["id"])["declined_by"].size() == 2; }));
  json lapsed = get(t2["id"]);
  EXPECT_TRUE(lapsed["assignee_id"].is_null());
  bool saw_expiry = false;
  const json history = admin->get(path(t2["id"], "/routing")).body;
  for (const json& d : history["decisions"]) saw_expiry |= d["outcome"] == "offer_expired";
  EXPECT_TRUE(saw_expiry) << history.dump();
}

TEST_F(RoutingApi, RelaxationWidensTheSearchAsTicketsWait) {
  auto patched = admin->patch("/api/v1/teams/" + std::to_string(team),
                              {{"routing", {{"relaxation", {{{"after_seconds", 0.5}, {"action", "drop_optional_skills"}},
                                                            {{"after_seconds", 1.0}, {"action", "lower_proficiency"}, {"by", 2}}}}}}});
  ASSERT_EQ(patched.status, 200) << patched.raw;
  const auto a = agent("Ada", {{"skills", {{"vpn", 2}}}, {"capacity", {{"email", 3}}}});
  json t = ticket({{"required_skills", {{"vpn", 2}}}, {"optional_skills", {{"french", 3}}}});
  EXPECT_TRUE(t["assignee_id"].is_null());
  ASSERT_TRUE(eventually([&] { return get(t["id"])["assignee_id"] == a; }));
  json hard = ticket({{"required_skills", {{"vpn", 4}}}});
  EXPECT_TRUE(hard["assignee_id"].is_null());
  ASSERT_TRUE(eventually([&] { return get(hard["id"])["assignee_id"] == a; }));
  bool relaxed = false;
  const json history = admin->get(path(hard["id"], "/routing")).body;
  for (const json& d : history["decisions"]) {
    if (d["outcome"] == "assigned") relaxed = d["relaxation_level"] == 2;
  }
  EXPECT_TRUE(relaxed);
}

}  // namespace
}  // namespace sb::testing
