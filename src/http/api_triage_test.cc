// Triage in process: people's team and category decisions kept as
// corrections, the triage desk, and the configured tiers.
#include <gtest/gtest.h>

#include "http/api_fixture.h"

namespace sb::http {
namespace {

// Every person's change of team or category is kept as a correction, with
// who, where from and how long the ticket waited; a ticket leaving the
// triage team was decided at the desk. Changes that change nothing, stale
// writes and refused ones keep nothing.
TEST_F(ApiInProcess, TeamAndCategoryDecisionsAreKeptAsCorrections) {
  const auto triage_team = team("Triage");
  ASSERT_EQ(admin->patch("/api/v1/teams/" + std::to_string(triage_team), {{"routing", {{"agents_move_tickets", true}}}}).status, 200);
  const auto net = team("Network");
  const auto hw = team("Hardware");
  const auto tess = agent({{"name", "Tess"}, {"teams", {triage_team}}, {"presence", "away"}});
  const std::string token = admin->post("/api/v1/tokens", {{"agent_id", tess}}).body["token"];
  auto triager = h.client(token);
  const json t = ticket({{"subject", "VPN drops"}, {"body", "every night"}, {"team", "Triage"}});
  const std::string path = "/api/v1/tickets/" + std::to_string(t["id"].get<int>());

  auto desk = triager.get("/api/v1/triage/desk");
  ASSERT_EQ(desk.status, 200) << desk.raw;
  ASSERT_EQ(desk.body["tickets"].size(), 1u);
  EXPECT_EQ(desk.body["tickets"][0]["id"], t["id"]);
  EXPECT_EQ(desk.body["tickets"][0]["guesses"].size(), 0u);  // no model configured
  EXPECT_EQ(desk.body["stats"]["waiting"], 1);

  h.advance(std::chrono::seconds(90));
  const std::string etag = desk.body["tickets"][0]["etag"];
  auto moved = triager.request("PATCH", path, json{{"team", "Network"}}.dump(), {{"If-Match", etag}});
  ASSERT_EQ(moved.status, 200) << moved.raw;
  EXPECT_EQ(moved.body["team"], net);
  // Deciding again from the same page: out of her sight now (404); a stale write (412). Nothing kept.
  EXPECT_EQ(triager.request("PATCH", path, json{{"team", "Hardware"}}.dump(), {{"If-Match", etag}}).status, 404);
  EXPECT_EQ(admin->request("PATCH", path, json{{"team", "Hardware"}}.dump(), {{"If-Match", etag}}).status, 412);
  EXPECT_EQ(admin->patch(path, {{"team", "Network"}}).status, 200);            // no change: no correction
  EXPECT_EQ(admin->patch(path, {{"category", "vpn"}}).status, 200);
  EXPECT_EQ(admin->patch(path, {{"team", "Nowhere"}}).status, 422);            // refused: nothing kept
  auto bulk = admin->post("/api/v1/tickets/bulk", {{"ids", {t["id"]}}, {"changes", {{"team", hw}}}});
  ASSERT_EQ(bulk.status, 200) << bulk.raw;

  auto all = h.service().list_corrections("", 0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  const Correction& desk_decision = (*all)[0];
  EXPECT_EQ(desk_decision.field, "team");
  EXPECT_EQ(desk_decision.from, "Triage");
  EXPECT_EQ(desk_decision.to, "Network");
  EXPECT_EQ(desk_decision.label, "Network");  // no model: a label names its team
  EXPECT_EQ(desk_decision.source, "desk");
  EXPECT_EQ(desk_decision.by, "agent " + std::to_string(tess) + " Tess");
  EXPECT_EQ(desk_decision.subject, "VPN drops");
  EXPECT_EQ(desk_decision.body, "every night");
  EXPECT_GE(desk_decision.waited, std::chrono::seconds(90));
  EXPECT_EQ((*all)[1].field, "category");
  EXPECT_EQ((*all)[1].to, "vpn");
  EXPECT_EQ((*all)[1].source, "edit");
  EXPECT_EQ((*all)[1].by, "admin");
  EXPECT_EQ((*all)[2].from, "Network");
  EXPECT_EQ((*all)[2].to, "Hardware");
  EXPECT_EQ((*all)[2].source, "move");

  desk = triager.get("/api/v1/triage/desk");
  EXPECT_EQ(desk.body["tickets"].size(), 0u);
  EXPECT_EQ(desk.body["stats"]["decided_last_hour"], 1);
  EXPECT_GE(desk.body["stats"]["median_decision_seconds_24h"].get<double>(), 90.0);
  auto report = admin->get("/api/v1/reports/classifier");
  ASSERT_EQ(report.status, 200) << report.raw;
  EXPECT_EQ(report.body["corrections"]["decisions"], 2);  // the team decisions
  EXPECT_EQ(report.body["corrections"]["guessed"], 0);
  expect_error(admin->post("/api/v1/triage/models/reload", json::object()), 409, "no_candidate");
  expect_error(triager.get("/api/v1/triage/desk?limit=500"), 422, "invalid_value", "limit");
}

// Tiers are a configured list (docs/customers.md): a third tier selects its
// own SLA policy and raises priority when configured to; an unknown tier is a
// 422 naming the field, on tickets and on policies alike, changing nothing.
TEST(ApiTiers, AConfiguredThirdTierSelectsItsOwnSlaPolicy) {
  triage::TriageSettings settings;
  settings.tiers = {"standard", "vip", "enterprise"};
  settings.priority.raise_tiers = {"vip", "enterprise"};
  // A rule gives mail from bigco.com the enterprise tier (mail and the web form carry no tier of their own).
  triage::Rule bigco;
  bigco.name = "bigco is enterprise";
  bigco.when.kind = triage::Condition::Kind::kField;
  bigco.when.field = "requester.domain";
  bigco.when.values = {"bigco.com"};
  bigco.then.tier = "enterprise";
  auto book = std::make_shared<triage::RuleBook>();
  book->sets.push_back(triage::RuleSet{"tiers", true, {bigco}});
  settings.rules = book;
  ApiHarness h(std::move(settings));
  auto admin = h.admin();
  auto put = admin.put("/api/v1/sla-policies",
                       {{"policies",
                         {{{"name", "enterprise"}, {"match", {{"tier", {"enterprise"}}}}, {"first_response_minutes", 15}},
                          {{"name", "vip"}, {"match", {{"tier", {"vip"}}}}, {"first_response_minutes", 30}},
                          {{"name", "standard"}, {"first_response_minutes", 240}}}}});
  ASSERT_EQ(put.status, 200) << put.raw;
  auto big = admin.post("/api/v1/tickets", {{"subject", "Billing question"}, {"requester", {{"email", "cio@bigco.com"}, {"tier", "enterprise"}}}});
  ASSERT_EQ(big.status, 201) << big.raw;
  EXPECT_EQ(big.body["sla"]["policy"], "enterprise");
  EXPECT_EQ(big.body["requester"]["tier"], "enterprise");
  EXPECT_EQ(big.body["priority"], "high");  // normal, raised one level
  auto vip = admin.post("/api/v1/tickets", {{"subject", "Hello"}, {"requester", {{"email", "v@x.com"}, {"tier", "vip"}}}});
  EXPECT_EQ(vip.body["sla"]["policy"], "vip");
  auto plain = admin.post("/api/v1/tickets", {{"subject", "Hello"}});
  EXPECT_EQ(plain.body["sla"]["policy"], "standard");
  EXPECT_EQ(plain.body["requester"]["tier"], "standard");
  auto mailed = admin.request("POST", "/api/v1/mail",
                              "From: Boss <boss@bigco.com>\r\nSubject: Invoice\r\nMessage-ID: <b1@bigco.com>\r\n\r\nPlease look.\r\n",
                              {{"Content-Type", "message/rfc822"}});
  ASSERT_EQ(mailed.status, 201) << mailed.raw;
  const json from_mail = admin.get("/api/v1/tickets/" + std::to_string(mailed.body["ticket_id"].get<int>())).body;
  EXPECT_EQ(from_mail["requester"]["tier"], "enterprise");
  EXPECT_EQ(from_mail["sla"]["policy"], "enterprise");
  EXPECT_EQ(from_mail["priority"], "high");

  auto unknown = admin.post("/api/v1/tickets", {{"subject", "x"}, {"requester", {{"email", "a@b.c"}, {"tier", "gold"}}}});
  EXPECT_EQ(unknown.status, 422) << unknown.raw;
  EXPECT_EQ(unknown.body["error"]["field"], "requester.tier");
  EXPECT_NE(unknown.body["error"]["message"].get<std::string>().find("standard, vip, enterprise"), std::string::npos);
  auto malformed = admin.post("/api/v1/tickets", {{"subject", "x"}, {"requester", {{"tier", "Gold Tier"}}}});
  EXPECT_EQ(malformed.status, 422);
  EXPECT_EQ(malformed.body["error"]["field"], "requester.tier");
  EXPECT_EQ(admin.get("/api/v1/tickets").body["tickets"].size(), 4u);  // nothing created
  auto bad_policy = admin.put("/api/v1/sla-policies", {{"policies", {{{"name", "g"}, {"match", {{"tier", {"gold"}}}}, {"first_response_minutes", 5}}}}});
  EXPECT_EQ(bad_policy.status, 422) << bad_policy.raw;
  EXPECT_EQ(bad_policy.body["error"]["field"], "policies[0].match.tier");
  EXPECT_EQ(admin.get("/api/v1/sla-policies").body["policies"].size(), 3u);  // the old ones stand
  auto preview = admin.post("/api/v1/triage/preview", {{"subject", "x"}, {"requester", {{"tier", "gold"}}}});
  EXPECT_EQ(preview.status, 422);
}

}  // namespace
}  // namespace sb::http
