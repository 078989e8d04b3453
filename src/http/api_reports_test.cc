// Reports through the API, in process (api_fixture.h).
#include <gtest/gtest.h>

#include "http/api_fixture.h"

namespace sb::http {
namespace {

TEST_F(ApiInProcess, TicketReportAsJsonAndFormulaSafeCsv) {
  const auto net = team("=Network");  // a team name a spreadsheet would run as a formula
  const auto ada = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 5}}}, {"presence", "online"}});
  for (int i = 0; i < 3; ++i) ticket({{"subject", "t" + std::to_string(i)}, {"team", net}, {"channel", "email"}});
  ticket({{"subject", "no team"}});
  auto solved = admin->patch("/api/v1/tickets/1", {{"status", "solved"}});
  ASSERT_EQ(solved.status, 200);
  auto r = admin->get("/api/v1/reports/tickets?group_by=team&interval=none");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["tickets"], 4);
  ASSERT_EQ(r.body["rows"].size(), 2u);  // no team, and =Network
  const json& team_row = r.body["rows"][1];
  EXPECT_EQ(team_row["group"], "=Network");
  EXPECT_EQ(team_row["created"], 3);
  EXPECT_EQ(team_row["solved"], 1);
  EXPECT_EQ(team_row["time_to_assign"]["count"], 3);
  EXPECT_GE(team_row["time_to_assign"]["median_seconds"].get<double>(), 0.0);
  EXPECT_EQ(team_row["time_to_resolve"]["count"], 1);
  auto by_agent = admin->get("/api/v1/reports/tickets?group_by=agent&interval=hour");
  bool found = false;
  for (const json& row : by_agent.body["rows"]) found = found || row["group"] == "Ada";
  EXPECT_TRUE(found) << by_agent.raw;

  auto csv = admin->get("/api/v1/reports/tickets?group_by=team&interval=day&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_TRUE(csv.header("Content-Type").starts_with("text/csv"));
  EXPECT_NE(csv.raw.find(",'=Network,3,1,3,"), std::string::npos) << csv.raw;
  EXPECT_EQ(csv.raw.find(",=Network"), std::string::npos);

  auto by_tier = admin->get("/api/v1/reports/tickets?group_by=tier&interval=none");
  ASSERT_EQ(by_tier.status, 200) << by_tier.raw;
  ASSERT_EQ(by_tier.body["rows"].size(), 1u);
  EXPECT_EQ(by_tier.body["rows"][0]["group"], "standard");
  EXPECT_EQ(by_tier.body["rows"][0]["created"], 4);
  EXPECT_EQ(admin->get("/api/v1/reports/tickets?group_by=colour").body["error"]["field"], "group_by");
  EXPECT_EQ(admin->get("/api/v1/reports/tickets?from=yesterday").body["error"]["field"], "from");
  EXPECT_EQ(admin->get("/api/v1/reports/tickets?interval=week").body["error"]["field"], "interval");
  EXPECT_EQ(admin->get("/api/v1/reports/nothing").status, 404);

  // Fairness: Ada has all three of the team's tickets; Bo, in the team, none.
  agent({{"name", "Bo"}, {"teams", {net}}, {"presence", "offline"}});
  auto fair = admin->get("/api/v1/reports/fairness");
  ASSERT_EQ(fair.status, 200) << fair.raw;
  ASSERT_EQ(fair.body["rows"].size(), 1u);
  EXPECT_EQ(fair.body["rows"][0]["team"], "=Network");
  EXPECT_EQ(fair.body["rows"][0]["agents"], 2);
  EXPECT_EQ(fair.body["rows"][0]["assigned"], 3);
  EXPECT_EQ(fair.body["rows"][0]["most"], 3);
  EXPECT_EQ(fair.body["rows"][0]["least"], 0);
  EXPECT_DOUBLE_EQ(fair.body["rows"][0]["gini"].get<double>(), 0.5);
  EXPECT_NE(admin->get("/api/v1/reports/fairness?format=csv").raw.find("'=Network,2,3,3,0,0.5"), std::string::npos);
  (void)ada;
}

TEST_F(ApiInProcess, BacklogAgentsAndRoutingCountsReports) {
  const auto net = team("Network");
  const auto ada = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 2}}}, {"presence", "offline"}});
  const auto bo = agent({{"name", "Bo"}, {"teams", {net}}, {"capacity", {{"email", 2}}}, {"presence", "offline"}});
  const std::int64_t first = ticket({{"subject", "one"}, {"team", net}, {"channel", "email"}})["id"];
  ticket({{"subject", "two"}, {"team", net}, {"channel", "email"}});
  ticket({{"subject", "three"}, {"team", net}, {"channel", "email"}});
  // Ada comes online to a full load at once ("three" waits), so she holds
  // work all the time she is online, however slowly this machine runs.
  ASSERT_EQ(admin->patch("/api/v1/agents/" + std::to_string(ada), {{"presence", "online"}}).status, 200);
  ASSERT_EQ(get_ticket(first)["assignee_id"], ada);
  // A public reply (first response), a hand-over to Bo (a reassignment), then solved.
  ASSERT_EQ(admin->post("/api/v1/tickets/" + std::to_string(first) + "/comments",
                        {{"body", "Looking at it"}, {"author", {{"type", "agent"}, {"agent_id", ada}}}})
                .status,
            201);
  ASSERT_EQ(admin->patch("/api/v1/agents/" + std::to_string(bo), {{"presence", "online"}}).status, 200);
  ASSERT_EQ(admin->patch("/api/v1/tickets/" + std::to_string(first), {{"assignee_id", bo}}).status, 200);
  ASSERT_EQ(admin->patch("/api/v1/tickets/" + std::to_string(first), {{"status", "solved"}}).status, 200);

  auto t = admin->get("/api/v1/reports/tickets?interval=none");
  ASSERT_EQ(t.status, 200) << t.raw;
  const json& row = t.body["rows"][0];
  EXPECT_EQ(row["time_to_first_response"]["count"], 1);
  EXPECT_EQ(row["reassignments"], 1);
  EXPECT_EQ(row["sla"]["attainment"], nullptr);  // no SLA policy here

  auto b = admin->get("/api/v1/reports/backlog?group_by=team&interval=none");
  ASSERT_EQ(b.status, 200) << b.raw;
  ASSERT_EQ(b.body["rows"].size(), 1u);
  EXPECT_EQ(b.body["rows"][0]["group"], "Network");
  EXPECT_EQ(b.body["rows"][0]["open"], 2);  // the solved one left the backlog
  EXPECT_GE(b.body["rows"][0]["age"]["max_seconds"].get<double>(), 0.0);
  auto bcsv = admin->get("/api/v1/reports/backlog?group_by=team&interval=none&format=csv");
  EXPECT_TRUE(bcsv.raw.starts_with("at,group,open,unassigned,age_median_seconds,age_p90_seconds,age_max_seconds\r\n"))
      << bcsv.raw;

  auto a = admin->get("/api/v1/reports/agents");
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_EQ(a.body["rows"].size(), 2u);
  const json& ada_row = a.body["rows"][0];
  EXPECT_EQ(ada_row["agent"], "Ada");
  EXPECT_EQ(ada_row["teams"], "Network");
  EXPECT_GT(ada_row["online_seconds"].get<double>(), 0.0);
  EXPECT_EQ(ada_row["held"], 1);  // "two"; "one" went to Bo, "three" to Bo when he came online
  ASSERT_TRUE(ada_row["occupancy"].is_number()) << a.raw;
  EXPECT_GT(ada_row["occupancy"].get<double>(), 0.5);  // holding work nearly all the time it was online
  EXPECT_LE(ada_row["occupancy"].get<double>(), 1.0);
  EXPECT_LE(ada_row["utilisation"].get<double>(), ada_row["occupancy"].get<double>());
  EXPECT_EQ(admin->get("/api/v1/reports/agents?format=xml").body["error"]["field"], "format");
  EXPECT_EQ(admin->get("/api/v1/reports/backlog?interval=hour&from=2026-01-01T00:00:00Z&to=2026-01-20T00:00:00Z")
                .body["error"]["field"],
            "interval");
}

// A supervisor's agents report shows a shared agent's teams only as far as
// they are the supervisor's (issue 20, point 5).
TEST_F(ApiInProcess, ASupervisorSeesNoOtherTeamsNamesInReports) {
  const auto net = team("Network");
  const auto hw = team("Secret Hardware");
  agent({{"name", "Cy"}, {"teams", {net, hw}}, {"presence", "online"}});
  auto issued = admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {"Network"}}});
  ASSERT_EQ(issued.status, 201) << issued.raw;
  auto sup = h.client(issued.body["token"]);
  auto report = sup.get("/api/v1/reports/agents");
  ASSERT_EQ(report.status, 200) << report.raw;
  ASSERT_EQ(report.body["rows"].size(), 1u) << report.raw;
  EXPECT_EQ(report.body["rows"][0]["teams"], "Network");
  EXPECT_EQ(report.raw.find("Secret Hardware"), std::string::npos) << report.raw;
  EXPECT_EQ(admin->get("/api/v1/reports/agents").body["rows"][0]["teams"], "Network; Secret Hardware");
}

}  // namespace
}  // namespace sb::http
