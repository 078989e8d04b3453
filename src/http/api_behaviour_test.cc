// API behaviour in process (api_harness.h): the real Api, intake, service and
// outbox over the in-memory store and a clock the test moves, in
// milliseconds. What needs the real binary (a socket, signals, restarts,
// SQLite, the server's limits) is tested in tests/api_test.cc.
#include <gtest/gtest.h>

#include <set>

#include <atomic>
#include <regex>
#include <sstream>

#include "http/api_fixture.h"

namespace sb::http {
namespace {

TEST_F(ApiInProcess, CreateAssignsToTheBestSkilledAgent) {
  const auto net = team("Network");
  agent({{"name", "Junior"}, {"teams", {net}}, {"skills", {{"vpn", 2}}}, {"presence", "online"}});
  const auto senior = agent({{"name", "Senior"}, {"teams", {"Network"}}, {"skills", {{"vpn", 5}}}, {"presence", "online"}});
  json t = ticket({{"subject", "VPN drops every hour"}, {"channel", "chat"}, {"team", net},
                   {"priority", "high"}, {"required_skills", {{"vpn", 3}}},
                   {"requester", {{"email", "ana@example.com"}, {"name", "Ana"}, {"tier", "vip"}}}});
  EXPECT_EQ(t["status"], "open");
  EXPECT_EQ(t["assignee_id"], senior);
  EXPECT_EQ(t["team"], net);
  EXPECT_TRUE(t["queue_position"].is_null());
  EXPECT_EQ(t["routing"]["policy"], "skills_best_match");
  EXPECT_EQ(t["routing"]["proficiency"], 5);
  json again = get_ticket(t["id"]);
  EXPECT_EQ(again["assignee_id"], senior);
  EXPECT_EQ(again["requester"]["tier"], "vip");
  auto s = admin->get("/api/v1/agents/" + std::to_string(senior));
  EXPECT_EQ(s.body["load"]["chat"], 1);
}

TEST_F(ApiInProcess, CapacityHoldsAndSolvingPullsTheNextTicket) {
  const auto net = team("Network");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"phone", 1}}}, {"presence", "online"}});
  json first = ticket({{"subject", "call 1"}, {"channel", "phone"}, {"team", net}});
  json second = ticket({{"subject", "call 2"}, {"channel", "phone"}, {"team", net}});
  json urgent = ticket({{"subject", "call 3"}, {"channel", "phone"}, {"team", net}, {"priority", "urgent"}});
  EXPECT_EQ(first["assignee_id"], a);
  // A call rings: offered to the agent, who must pick up (accept) within the offer timeout.
  EXPECT_EQ(first["status"], "new");
  EXPECT_FALSE(first["offer_expires_at"].is_null());
  EXPECT_TRUE(first["accepted_at"].is_null());
  EXPECT_TRUE(second["assignee_id"].is_null());
  EXPECT_EQ(second["queue_position"], 1);
  EXPECT_EQ(second["expected_wait_method"], "no_history");  // nothing handled yet
  EXPECT_TRUE(second["expected_wait_seconds"].is_null());
  EXPECT_EQ(first["expected_wait_method"], "assigned");
  EXPECT_EQ(urgent["queue_position"], 1);  // urgent jumps ahead
  EXPECT_EQ(get_ticket(second["id"])["queue_position"], 2);
  EXPECT_EQ(get_ticket(second["id"])["expected_wait_method"], "no_history");

  auto q = admin->get("/api/v1/queues");
  ASSERT_EQ(q.status, 200);
  EXPECT_EQ(q.body["queues"][0]["waiting"], 2);
  EXPECT_EQ(q.body["queues"][0]["agents_online"], 1);
  EXPECT_GE(q.body["queues"][0]["oldest_wait_seconds"].get<double>(), 0.0);

  auto solved = admin->patch("/api/v1/tickets/" + std::to_string(first["id"].get<int>()), {{"status", "solved"}});
  EXPECT_EQ(solved.status, 200) << solved.raw;
  EXPECT_EQ(solved.body["status"], "solved");
  EXPECT_FALSE(solved.body["solved_at"].is_null());
  EXPECT_EQ(get_ticket(urgent["id"])["assignee_id"], a);
  EXPECT_TRUE(get_ticket(second["id"])["assignee_id"].is_null());
  EXPECT_EQ(admin->get("/api/v1/agents/" + std::to_string(a)).body["load"]["phone"], 1);
  // One call handled: waits are now estimated from handle time and position.
  json waiting = get_ticket(second["id"]);
  EXPECT_EQ(waiting["expected_wait_method"], "erlang_c");
  EXPECT_GE(waiting["expected_wait_seconds"].get<double>(), 0.0);
  EXPECT_EQ(admin->get("/api/v1/queues").body["queues"][0]["expected_wait_method"], "erlang_c");
}

TEST_F(ApiInProcess, PresenceChangesMoveWork) {
  const auto net = team("Network");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"presence", "online"}});
  const auto b = agent({{"name", "Bo"}, {"teams", {net}}, {"presence", "offline"}});
  json open = ticket({{"subject", "one"}, {"team", net}});
  json pending = ticket({{"subject", "two"}, {"team", net}});
  EXPECT_EQ(open["assignee_id"], a);
  admin->patch("/api/v1/tickets/" + std::to_string(pending["id"].get<int>()), {{"status", "pending"}});

  auto off = admin->put("/api/v1/agents/" + std::to_string(a) + "/presence", {{"presence", "offline"}});
  EXPECT_EQ(off.status, 200) << off.raw;
  EXPECT_EQ(off.body["presence"], "offline");
  json requeued = get_ticket(open["id"]);
  EXPECT_TRUE(requeued["assignee_id"].is_null());
  EXPECT_EQ(requeued["queue_position"], 1);
  EXPECT_EQ(get_ticket(pending["id"])["assignee_id"], a);  // being worked: stays

  auto on = admin->put("/api/v1/agents/" + std::to_string(b) + "/presence", {{"presence", "online"}});
  EXPECT_EQ(on.status, 200);
  EXPECT_EQ(get_ticket(open["id"])["assignee_id"], b);
  auto away = admin->put("/api/v1/agents/" + std::to_string(b) + "/presence", {{"presence", "away"}});
  EXPECT_EQ(away.status, 200);
  EXPECT_TRUE(ticket({{"subject", "three"}, {"team", net}})["assignee_id"].is_null());
}

TEST_F(ApiInProcess, EveryErrorIsJsonAndWritesNothing) {
  const auto net = team("Network");
  agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 1}}}, {"presence", "online"}});
  json t = ticket({{"subject", "ok"}, {"team", net}, {"channel", "email"}});
  const std::string path = "/api/v1/tickets/" + std::to_string(t["id"].get<int>());
  const int before = ticket_count();

  expect_error(admin->request("POST", "/api/v1/tickets", "{\"subject\":"), 400, "malformed_request");
  expect_error(admin->request("POST", "/api/v1/tickets", "[1,2]"), 400, "malformed_request");
  auto anon = h.client();
  expect_error(anon.post("/api/v1/tickets", {{"subject", "x"}}), 401, "unauthenticated");
  auto wrong = h.client("not-a-real-token");
  expect_error(wrong.get("/api/v1/tickets"), 401, "unauthenticated");
  expect_error(admin->get("/api/v1/tickets/999"), 404, "not_found");
  expect_error(admin->get("/api/v1/tickets/abc"), 404, "not_found");
  expect_error(admin->get("/api/v1/nothing-here"), 404, "not_found");
  auto m = admin->request("DELETE", path);
  expect_error(m, 405, "method_not_allowed");
  EXPECT_EQ(m.header("Allow"), "GET, PATCH");
  expect_error(admin->post("/api/v1/tickets", {{"subject", "x"}, {"priority", "critical"}}), 422, "invalid_value", "priority");
  expect_error(admin->post("/api/v1/tickets", {{"subject", "x"}, {"channel", "fax"}}), 422, "invalid_value", "channel");
  expect_error(admin->post("/api/v1/tickets", {{"subject", "x"}, {"team", 42}}), 422, "invalid_value", "team");
  expect_error(admin->post("/api/v1/tickets", {{"body", "no subject"}}), 422, "missing_field", "subject");
  expect_error(admin->post("/api/v1/tickets", {{"subject", "x"}, {"required_skills", {{"vpn", 0}}}}), 422,
               "invalid_value", "required_skills.vpn");
  expect_error(admin->post("/api/v1/tickets", {{"subject", "x"}, {"colour", "red"}}), 422, "unknown_field", "colour");
  expect_error(admin->get("/api/v1/tickets?limit=500"), 422, "invalid_value", "limit");
  expect_error(admin->get("/api/v1/tickets?status=lost"), 422, "invalid_value", "status");
  expect_error(admin->get("/api/v1/tickets?cursor=bogus"), 422, "invalid_value", "cursor");
  expect_error(admin->post("/api/v1/agents", {{"name", "Bo"}, {"skills", {{"vpn", 6}}}}), 422, "invalid_value", "skills.vpn");
  expect_error(admin->post("/api/v1/agents", {{"name", "Bo"}, {"capacity", {{"fax", 1}}}}), 422, "invalid_value", "capacity.fax");
  expect_error(admin->post("/api/v1/teams", {{"name", "Network"}}), 409, "duplicate_name", "name");
  expect_error(admin->put("/api/v1/agents/1/presence", {{"presence", "busy"}}), 422, "invalid_value", "presence");
  expect_error(admin->put("/api/v1/agents/77/presence", {{"presence", "online"}}), 404, "not_found");

  // 409: closed is final; new cannot be re-entered; an over-capacity assignment.
  expect_error(admin->patch(path, {{"status", "new"}}), 409, "invalid_transition", "status");
  json waiting = ticket({{"subject", "waits"}, {"team", net}, {"channel", "email"}});
  expect_error(admin->patch("/api/v1/tickets/" + std::to_string(waiting["id"].get<int>()), {{"assignee_id", 1}}),
               409, "capacity_exceeded", "assignee_id");
  ASSERT_EQ(admin->patch(path, {{"status", "solved"}}).status, 200);
  ASSERT_EQ(admin->patch(path, {{"status", "closed"}}).status, 200);
  expect_error(admin->patch(path, {{"status", "open"}}), 409, "invalid_transition", "status");

  // Nothing above wrote a ticket except the one that waits.
  EXPECT_EQ(ticket_count(), before + 1);
  EXPECT_EQ(get_ticket(t["id"])["status"], "closed");
}

TEST_F(ApiInProcess, ATicketWithoutATeamCanBeAssignedByHand) {
  const auto net = team("Network");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"presence", "online"}});
  json t = ticket({{"subject", "no team yet"}});
  EXPECT_TRUE(t["team"].is_null());
  EXPECT_TRUE(t["assignee_id"].is_null());
  auto r = admin->patch("/api/v1/tickets/" + std::to_string(t["id"].get<int>()), {{"assignee_id", a}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["assignee_id"], a);
  EXPECT_EQ(r.body["routing"]["policy"], "manual");
}

// An agent works their teams' tickets (docs/security.md, Roles): reads and
// changes them within the team; another team's tickets are as if they did
// not exist; a move to another team only where the team allows it.
TEST_F(ApiInProcess, AgentTokensWorkTheirTeamsTickets) {
  const auto net = team("Network");
  const auto hw = team("Hardware");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 1}}}, {"presence", "online"}});
  const auto b = agent({{"name", "Bo"}, {"teams", {net}}, {"capacity", {{"email", 2}}}, {"presence", "online"}});
  const auto hal = agent({{"name", "Hal"}, {"teams", {hw}}, {"capacity", {{"email", 2}}}, {"presence", "online"}});
  json mine = ticket({{"subject", "for Ada"}, {"team", net}, {"channel", "email"}});
  json theirs = ticket({{"subject", "for Bo"}, {"team", net}, {"channel", "email"}});
  json other = ticket({{"subject", "for Hal"}, {"team", hw}, {"channel", "email"}});
  ASSERT_EQ(mine["assignee_id"], a);
  ASSERT_EQ(theirs["assignee_id"], b);
  ASSERT_EQ(other["assignee_id"], hal);

  auto issued = admin->post("/api/v1/tokens", {{"agent_id", a}});
  ASSERT_EQ(issued.status, 201) << issued.raw;
  const std::string token = issued.body["token"];
  EXPECT_GE(token.size(), 40u);
  expect_error(admin->post("/api/v1/tokens", {{"agent_id", 999}}), 422, "invalid_value", "agent_id");

  auto ada = h.client(token);
  const std::string mine_path = "/api/v1/tickets/" + std::to_string(mine["id"].get<int>());
  const std::string theirs_path = "/api/v1/tickets/" + std::to_string(theirs["id"].get<int>());
  const std::string other_path = "/api/v1/tickets/" + std::to_string(other["id"].get<int>());
  EXPECT_EQ(ada.get(mine_path).status, 200);
  EXPECT_EQ(ada.get(theirs_path).status, 200);               // a teammate's ticket
  expect_error(ada.get(other_path), 404, "not_found");        // another team's: as if it did not exist
  auto list = ada.get("/api/v1/tickets");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["tickets"].size(), 2u);
  EXPECT_EQ(list.body["tickets"][0]["id"], mine["id"]);
  EXPECT_EQ(list.body["tickets"][1]["id"], theirs["id"]);
  expect_error(ada.get("/api/v1/tickets?team=Hardware"), 404, "not_found");
  EXPECT_EQ(ada.get("/api/v1/tickets?assignee_id=" + std::to_string(hal)).body["tickets"].size(), 0u);

  // Within the team: status, priority, tags, category; a note; no answer to another agent's offer.
  EXPECT_EQ(ada.patch(mine_path, {{"status", "pending"}}).status, 200);
  auto changed = ada.patch(theirs_path, {{"priority", "urgent"}, {"tags", {"vip"}}, {"category", "vpn"}});
  ASSERT_EQ(changed.status, 200) << changed.raw;
  EXPECT_EQ(changed.body["priority"], "urgent");
  EXPECT_EQ(changed.body["category"], "vpn");
  EXPECT_EQ(ada.post(theirs_path + "/comments", {{"body", "I know this one"}, {"public", false}}).status, 201);
  expect_error(ada.post(theirs_path + "/accept", json::object()), 409, "not_offered");
  // Handing on: to a teammate yes, outside the team no; moves stay with supervisors.
  expect_error(ada.patch(theirs_path, {{"assignee_id", hal}}), 422, "invalid_value", "assignee_id");
  expect_error(ada.patch(theirs_path, {{"team", hw}}), 403, "forbidden");
  EXPECT_EQ(get_ticket(theirs["id"])["team"], net);
  // Another team's ticket cannot be changed, commented or read about.
  expect_error(ada.patch(other_path, {{"status", "solved"}}), 404, "not_found");
  expect_error(ada.get(other_path + "/comments"), 404, "not_found");
  expect_error(ada.get(other_path + "/routing"), 404, "not_found");
  // Teammates, not the whole organisation.
  std::set<std::string> names;
  auto teammates = ada.get("/api/v1/agents");
  ASSERT_EQ(teammates.status, 200) << teammates.raw;
  for (const auto& ag : teammates.body["agents"]) names.insert(ag["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"Ada", "Bo"}));
  expect_error(ada.post("/api/v1/tickets", {{"subject", "x"}}), 403, "forbidden");
  expect_error(ada.post("/api/v1/tokens", {{"agent_id", a}}), 403, "forbidden");
  EXPECT_EQ(get_ticket(other["id"])["status"], "open");

  // A team that lets its agents move tickets: Ada sends one to Hardware, and then no longer sees it.
  ASSERT_EQ(admin->patch("/api/v1/teams/" + std::to_string(net), {{"routing", {{"agents_move_tickets", true}}}}).status, 200);
  EXPECT_EQ(ada.get("/api/v1/teams").body["teams"].size(), 2u);  // where to
  auto moved = ada.patch(theirs_path, {{"team", hw}});
  ASSERT_EQ(moved.status, 200) << moved.raw;
  EXPECT_EQ(moved.body["assignee_id"], hal);
  expect_error(ada.get(theirs_path), 404, "not_found");
}

// The workspace beside the ticket (docs/dashboard.md): search by a word of
// the conversation, bulk changes with a result per ticket, saved views,
// macros filled for the ticket, who else is viewing, attachments as downloads.
TEST_F(ApiInProcess, TheWorkspaceSearchesBulkChangesAndSavesViews) {
  const auto net = team("Network");
  const auto hw = team("Hardware");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 5}}}, {"presence", "online"}});
  agent({{"name", "Hal"}, {"teams", {hw}}, {"capacity", {{"email", 5}}}, {"presence", "online"}});
  json one = ticket({{"subject", "VPN drops"}, {"team", net}, {"channel", "email"},
                     {"requester", {{"email", "kim@example.com"}, {"name", "Kim"}}}});
  json two = ticket({{"subject", "Printer jam"}, {"team", net}, {"channel", "email"}});
  json three = ticket({{"subject", "Printer smoke"}, {"team", hw}, {"channel", "email"}});
  auto ada = h.client(admin->post("/api/v1/tokens", {{"agent_id", a}}).body["token"]);
  const std::string one_path = "/api/v1/tickets/" + std::to_string(one["id"].get<int>());
  ASSERT_EQ(ada.post(one_path + "/comments", {{"body", "Tried the Frobnicator reset"}, {"public", false}}).status, 201);

  // Search: a word of a note; a word in two teams' tickets finds only Ada's team's.
  auto found = ada.get("/api/v1/tickets?q=frobnicator");
  ASSERT_EQ(found.status, 200) << found.raw;
  ASSERT_EQ(found.body["tickets"].size(), 1u);
  EXPECT_EQ(found.body["tickets"][0]["id"], one["id"]);
  EXPECT_EQ(ada.get("/api/v1/tickets?q=printer").body["tickets"].size(), 1u);
  EXPECT_EQ(admin->get("/api/v1/tickets?q=printer&sort=updated").body["tickets"].size(), 2u);
  expect_error(ada.get("/api/v1/tickets?q=%20%2B%2B"), 422, "invalid_value", "q");
  expect_error(ada.get("/api/v1/tickets?sort=sideways"), 422, "invalid_value", "sort");
  expect_error(ada.get("/api/v1/tickets?status=open,lost"), 422, "invalid_value", "status");
  expect_error(ada.get("/api/v1/tickets?sort=updated&cursor=bm90LWEtY3Vyc29y"), 422, "invalid_value", "cursor");
  EXPECT_EQ(ada.get("/api/v1/tickets?requester=kim%40example.com").body["tickets"].size(), 1u);

  // Bulk: Ada's team's two change; Hardware's is a 404 among the results and keeps its priority.
  auto bulk = ada.post("/api/v1/tickets/bulk", {{"ids", {one["id"], two["id"], three["id"]}},
                                                {"changes", {{"priority", "urgent"}, {"tags", {"outage"}}}}});
  ASSERT_EQ(bulk.status, 200) << bulk.raw;
  EXPECT_EQ(bulk.body["changed"], 2);
  EXPECT_EQ(bulk.body["failed"], 1);
  EXPECT_EQ(bulk.body["results"][0]["status"], 200);
  EXPECT_EQ(bulk.body["results"][1]["ticket"]["priority"], "urgent");
  EXPECT_EQ(bulk.body["results"][2]["status"], 404);
  EXPECT_EQ(bulk.body["results"][2]["error"]["code"], "not_found");
  EXPECT_EQ(get_ticket(three["id"])["priority"], "normal");
  expect_error(ada.post("/api/v1/tickets/bulk", {{"ids", json::array()}, {"changes", {{"priority", "low"}}}}), 422,
               "invalid_value", "ids");
  expect_error(ada.post("/api/v1/tickets/bulk", {{"ids", {one["id"]}}, {"changes", {{"priority", "extreme"}}}}), 422,
               "invalid_value", "priority");
  EXPECT_EQ(get_ticket(one["id"])["priority"], "urgent");

  // Saved views: Ada's own; a supervisor's shared one; a bad query is refused naming it.
  auto mine = ada.post("/api/v1/views", {{"name", "Outages"}, {"query", "tag=outage&sort=updated"}});
  ASSERT_EQ(mine.status, 201) << mine.raw;
  expect_error(ada.post("/api/v1/views", {{"name", "Everyone"}, {"query", "status=open"}, {"shared", true}}), 403,
               "forbidden");
  expect_error(ada.post("/api/v1/views", {{"name", "Bad"}, {"query", "sort=sideways"}}), 422, "invalid_value",
               "query.sort");
  auto sup = h.client(admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {"Network"}}}).body["token"]);
  ASSERT_EQ(sup.post("/api/v1/views", {{"name", "Urgent"}, {"query", "priority=urgent"}, {"shared", true}}).status, 201);
  auto views = ada.get("/api/v1/views");
  ASSERT_EQ(views.body["views"].size(), 2u) << views.raw;
  EXPECT_EQ(views.body["views"][0]["name"], "Outages");
  EXPECT_TRUE(views.body["views"][0]["mine"]);
  EXPECT_FALSE(views.body["views"][1]["mine"]);
  EXPECT_EQ(sup.get("/api/v1/views").body["views"].size(), 1u);  // Ada's own is hers
  expect_error(ada.del("/api/v1/views/" + std::to_string(views.body["views"][1]["id"].get<int>())), 403, "forbidden");
  EXPECT_EQ(ada.del("/api/v1/views/" + std::to_string(mine.body["id"].get<int>())).status, 204);
  EXPECT_EQ(ada.get("/api/v1/views").body["views"].size(), 1u);

  // Macros filled for this ticket and this agent.
  h.api().set_macros({Macro{"Thanks", "Hi {{requester_name}}, {{agent_name}} here about #{{ticket_id}} ({{team_name}}).",
                            true, TicketStatus::kPending, std::nullopt, {"answered"}}});
  auto macros = ada.get(one_path + "/macros");
  ASSERT_EQ(macros.status, 200) << macros.raw;
  EXPECT_EQ(macros.body["macros"][0]["body"],
            "Hi Kim, Ada here about #" + std::to_string(one["id"].get<int>()) + " (Network).");
  EXPECT_EQ(macros.body["macros"][0]["changes"]["status"], "pending");

  // Viewing: Ada alone, then the supervisor sees her.
  EXPECT_EQ(ada.put(one_path + "/viewing", json::object()).body["others"].size(), 0u);
  auto seen = sup.put(one_path + "/viewing", json::object());
  ASSERT_EQ(seen.body["others"].size(), 1u) << seen.raw;
  EXPECT_EQ(seen.body["others"][0]["name"], "Ada");
}

// A file an agent attaches to a note is kept with it and downloads; bad
// base64 and a customer's upload are refused, writing nothing.
TEST_F(ApiInProcess, AgentsAttachFilesToTheirMessages) {
  const auto net = team("Network");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 5}}}, {"presence", "online"}});
  json t = ticket({{"subject", "VPN"}, {"team", net}, {"channel", "email"}});
  auto ada = h.client(admin->post("/api/v1/tokens", {{"agent_id", a}}).body["token"]);
  const std::string path = "/api/v1/tickets/" + std::to_string(t["id"].get<int>());
  auto posted = ada.post(path + "/comments", {{"body", "Config attached"}, {"public", false},
                                              {"attachments", {{{"name", "vpn.conf"}, {"content_base64", "cmVtb3RlIHZwbg=="}}}}});
  ASSERT_EQ(posted.status, 201) << posted.raw;
  EXPECT_EQ(posted.body["attachments"][0]["size"], 10);
  EXPECT_EQ(posted.body["attachments"][0]["content_type"], "application/octet-stream");
  auto file = ada.get(path + "/messages/" + std::to_string(posted.body["id"].get<int>()) + "/attachments/0");
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.raw, "remote vpn");
  EXPECT_EQ(file.header("Content-Disposition"), "attachment; filename=\"vpn.conf\"; filename*=UTF-8''vpn.conf");
  expect_error(ada.post(path + "/comments", {{"body", "x"}, {"attachments", {{{"name", "a"}, {"content_base64", "@@@"}}}}}),
               422, "invalid_value", "attachments[0].content_base64");
  expect_error(admin->post(path + "/comments", {{"body", "x"}, {"author", {{"type", "customer"}}},
                                                {"attachments", {{{"name", "a"}, {"content_base64", "YQ=="}}}}}),
               422, "invalid_value", "attachments");
  EXPECT_EQ(ada.get(path + "/comments").body["comments"].size(), 1u);
}

// An e-mail's attachment is served from the raw message, as a download only.
TEST_F(ApiInProcess, AttachmentsAreDownloadsNeverPages) {
  team("Support");
  const std::string mail =
      "From: Kim <kim@example.com>\r\nTo: help@example.com\r\nSubject: Invoice\r\nMessage-ID: <inv-1@example.com>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
      "See attached.\r\n--b\r\nContent-Type: text/html; name=\"x.html\"\r\nContent-Disposition: attachment; "
      "filename=\"evil <x>.html\"\r\n\r\n<script>alert(1)</script>\r\n--b--\r\n";
  auto posted = admin->request("POST", "/api/v1/mail", mail, {{"Content-Type", "message/rfc822"}});
  ASSERT_EQ(posted.status, 201) << posted.raw;
  const int id = posted.body["ticket_id"];
  auto t = admin->get("/api/v1/tickets/" + std::to_string(id));
  ASSERT_EQ(t.body["comments"].size(), 1u) << t.raw;
  const json& m = t.body["comments"][0];
  ASSERT_EQ(m["attachments"].size(), 1u);
  const std::string path = "/api/v1/tickets/" + std::to_string(id) + "/messages/" + std::to_string(m["id"].get<int>()) +
                           "/attachments/0";
  auto file = admin->get(path);
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.raw, "<script>alert(1)</script>");
  EXPECT_EQ(file.header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(file.header("Content-Disposition"), "attachment; filename=\"evil__x_.html\"; filename*=UTF-8''evil%20%3Cx%3E.html");
  EXPECT_EQ(file.header("Content-Security-Policy"), "default-src 'none'; sandbox");
  expect_error(admin->get(path.substr(0, path.size() - 1) + "1"), 404, "not_found");
}

TEST_F(ApiInProcess, ListPagesWithAnOpaqueCursor) {
  const auto net = team("Network");
  for (int i = 0; i < 7; ++i) ticket({{"subject", "t" + std::to_string(i)}, {"team", net}});
  std::vector<std::int64_t> ids;
  std::string cursor;
  int pages = 0;
  do {
    auto r = admin->get("/api/v1/tickets?limit=3&team=" + std::to_string(net) + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.raw;
    for (const auto& t : r.body["tickets"]) ids.push_back(t["id"]);
    cursor = r.body["next_cursor"].is_null() ? "" : r.body["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(admin->get("/api/v1/tickets?status=open").body["tickets"].size(), 0u);
  EXPECT_EQ(admin->get("/api/v1/tickets?status=new").body["tickets"].size(), 7u);
}

// Two supervisors cannot silently overwrite each other: tickets carry an
// ETag, and PATCH with If-Match refuses a stale write (412 with the current
// ETag) and changes nothing.
TEST_F(ApiInProcess, IfMatchRefusesAStaleWrite) {
  const auto net = team("Network");
  const json t = ticket({{"subject", "shared"}, {"team", net}});
  const std::string path = "/api/v1/tickets/" + std::to_string(t["id"].get<int>());
  auto read = admin->get(path);
  const std::string etag = read.header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  // The first supervisor writes with the ETag it read: accepted, new ETag.
  auto first = admin->request("PATCH", path, json{{"priority", "high"}}.dump(), {{"If-Match", etag}});
  ASSERT_EQ(first.status, 200) << first.raw;
  const std::string after_first = first.header("ETag");
  EXPECT_NE(after_first, etag);
  EXPECT_EQ(admin->get(path).header("ETag"), after_first);
  // The second read before that write: refused, told the current ETag, nothing changed.
  auto second = admin->request("PATCH", path, json{{"priority", "low"}}.dump(), {{"If-Match", etag}});
  EXPECT_EQ(second.status, 412);
  EXPECT_EQ(second.body["error"]["code"], "precondition_failed");
  EXPECT_EQ(second.body["error"]["field"], "If-Match");
  EXPECT_EQ(second.header("ETag"), after_first);
  EXPECT_EQ(admin->get(path).body["priority"], "high");
  // Retried with the fresh ETag it goes through.
  EXPECT_EQ(admin->request("PATCH", path, json{{"priority", "low"}}.dump(), {{"If-Match", after_first}}).status, 200);
  // "*" matches any version; no If-Match is a plain write; junk is a 422.
  EXPECT_EQ(admin->request("PATCH", path, json{{"tags", {"a"}}}.dump(), {{"If-Match", "*"}}).status, 200);
  EXPECT_EQ(admin->request("PATCH", path, json{{"priority", "urgent"}}.dump(), {{"If-Match", "W/\"x\""}}).status, 422);
  // Another ticket's ETag never matches.
  const json other = ticket({{"subject", "other"}, {"team", net}});
  const std::string other_etag = admin->get("/api/v1/tickets/" + std::to_string(other["id"].get<int>())).header("ETag");
  EXPECT_EQ(admin->request("PATCH", path, json{{"priority", "urgent"}}.dump(), {{"If-Match", other_etag}}).status, 412);
}

// SSRF: without outbound.allow_* in the config, a webhook may not point at
// the machine itself, the private network or the cloud metadata address,
// whether by address or by a name that resolves there.
TEST_F(ApiInProcess, WebhooksCannotReachInside) {
  for (const char* url : {"http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::1]:9/hook",
                          "http://10.1.2.3/hook", "http://192.168.0.10/hook", "http://169.254.169.254/latest/meta-data/"}) {
    auto r = admin->post("/api/v1/webhooks", {{"url", url}});
    EXPECT_EQ(r.status, 422) << url << " " << r.raw;
    EXPECT_EQ(r.body["error"]["field"], "url") << url;
    EXPECT_NE(r.body["error"]["message"].get<std::string>().find("refused"), std::string::npos) << r.raw;
  }
  EXPECT_EQ(admin->get("/api/v1/webhooks").body["webhooks"].size(), 0u);
}

// Tokens: a viewer reads reports only; tokens expire and can be revoked;
// secrets are shown once and listed without them; every administrative
// change is in the audit log (who, what, when), readable by admins only.
TEST_F(ApiInProcess, ViewerTokensExpiryRevocationAndTheAuditLog) {
  const auto net = team("Network");
  const auto ada = agent({{"name", "Ada"}, {"teams", {net}}, {"presence", "online"}});
  ticket({{"subject", "counted"}, {"team", net}});

  auto issued = admin->post("/api/v1/tokens", {{"role", "viewer"}});
  ASSERT_EQ(issued.status, 201) << issued.raw;
  EXPECT_EQ(issued.body["role"], "viewer");
  auto viewer = h.client(issued.body["token"]);
  auto report = viewer.get("/api/v1/reports/tickets?interval=none");
  ASSERT_EQ(report.status, 200) << report.raw;
  EXPECT_EQ(report.body["tickets"], 1);
  EXPECT_EQ(viewer.get("/api/v1/me").body["role"], "viewer");
  expect_error(viewer.get("/api/v1/tickets"), 403, "forbidden");
  expect_error(viewer.get("/api/v1/tickets/1"), 403, "forbidden");
  expect_error(viewer.put("/api/v1/agents/" + std::to_string(ada) + "/presence", {{"presence", "away"}}), 403, "forbidden");
  expect_error(viewer.post("/api/v1/teams", {{"name", "X"}}), 403, "forbidden");
  // An agent token does not read reports.
  auto agent_client = h.client(admin->post("/api/v1/tokens", {{"agent_id", ada}}).body["token"]);
  expect_error(agent_client.get("/api/v1/reports/tickets"), 403, "forbidden");
  // Bad requests for tokens.
  expect_error(admin->post("/api/v1/tokens", {{"role", "admin"}}), 422, "invalid_value", "role");
  expect_error(admin->post("/api/v1/tokens", {{"role", "viewer"}, {"agent_id", ada}}), 422, "invalid_value", "agent_id");
  expect_error(admin->post("/api/v1/tokens", {{"role", "boss"}}), 422, "invalid_value", "role");

  // Expiry.
  auto brief = admin->post("/api/v1/tokens", {{"agent_id", ada}, {"expires_in_seconds", 1}});
  ASSERT_EQ(brief.status, 201);
  EXPECT_FALSE(brief.body["expires_at"].is_null());
  auto brief_client = h.client(brief.body["token"]);
  EXPECT_EQ(brief_client.get("/api/v1/tickets").status, 200);
  h.advance(std::chrono::milliseconds(1100));
  expect_error(brief_client.get("/api/v1/tickets"), 401, "unauthenticated");

  // Listing (no secrets) and revocation.
  auto list = admin->get("/api/v1/tokens");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["tokens"].size(), 3u);
  for (const auto& t : list.body["tokens"]) {
    EXPECT_FALSE(t.contains("token"));
    EXPECT_EQ(t["id"].get<std::string>().rfind("tok_", 0), 0u);
  }
  const std::string viewer_id = issued.body["id"];
  auto revoked = admin->request("DELETE", "/api/v1/tokens/" + viewer_id);
  ASSERT_EQ(revoked.status, 200) << revoked.raw;
  EXPECT_FALSE(revoked.body["revoked_at"].is_null());
  expect_error(viewer.get("/api/v1/reports/tickets"), 401, "unauthenticated");
  expect_error(admin->request("DELETE", "/api/v1/tokens/tok_0000000000000000"), 404, "not_found");
  expect_error(agent_client.request("DELETE", "/api/v1/tokens/" + viewer_id), 403, "forbidden");

  // The audit log: newest first; who, what, on what; no secrets; admins only.
  auto log = admin->get("/api/v1/audit?limit=50");
  ASSERT_EQ(log.status, 200) << log.raw;
  const json& entries = log.body["entries"];
  ASSERT_GE(entries.size(), 5u);
  EXPECT_EQ(entries[0]["action"], "DELETE /api/v1/tokens/" + viewer_id);
  EXPECT_EQ(entries[0]["actor"], "admin");
  EXPECT_FALSE(entries[0]["at"].is_null());
  const json& first = entries[entries.size() - 1];
  EXPECT_EQ(first["action"], "POST /api/v1/teams");
  EXPECT_EQ(first["target"], "/api/v1/teams/" + std::to_string(net));
  EXPECT_EQ(first["detail"]["name"], "Network");
  EXPECT_EQ(first["status"], 201);
  for (const auto& e : entries) {
    EXPECT_EQ(e["action"].get<std::string>().find("/api/v1/tickets"), std::string::npos);  // operations are not audited
    EXPECT_EQ(e.dump().find(issued.body["token"].get<std::string>()), std::string::npos);  // no secret
  }
  // Refused requests change nothing and are not logged as changes.
  const auto before = entries.size();
  expect_error(admin->post("/api/v1/teams", {{"name", "Network"}}), 409, "duplicate_name", "name");
  EXPECT_EQ(admin->get("/api/v1/audit?limit=50").body["entries"].size(), before);
  expect_error(agent_client.get("/api/v1/audit"), 403, "forbidden");
}

// A supervisor token manages a set of teams: their tickets, agents, queues,
// routing settings and reports; everything else is as if it did not exist
// (404) or needs an admin (403). One assertion per boundary.
TEST_F(ApiInProcess, SupervisorsManageTheirTeamsOnly) {
  const auto net = team("Network");
  const auto hw = team("Hardware");
  const auto ada = agent({{"name", "Ada"}, {"teams", {net}}});
  const auto bob = agent({{"name", "Bob"}, {"teams", {hw}}});
  const auto cy = agent({{"name", "Cy"}, {"teams", {net, hw}}});
  const auto mine = ticket({{"subject", "router down"}, {"team", net}})["id"].get<std::int64_t>();
  const auto theirs = ticket({{"subject", "broken laptop"}, {"team", hw}})["id"].get<std::int64_t>();
  const std::string m = "/api/v1/tickets/" + std::to_string(mine), t = "/api/v1/tickets/" + std::to_string(theirs);

  // Issuing: teams by name or id, required, known, only for supervisors.
  auto issued = admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {"Network"}}});
  ASSERT_EQ(issued.status, 201) << issued.raw;
  EXPECT_EQ(issued.body["teams"], json::array({net}));
  expect_error(admin->post("/api/v1/tokens", {{"role", "supervisor"}}), 422, "missing_field", "teams");
  expect_error(admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", json::array()}}), 422, "invalid_value", "teams");
  expect_error(admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {"Nowhere"}}}), 422, "invalid_value", "teams");
  expect_error(admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {9999}}}), 422, "invalid_value", "teams");
  expect_error(admin->post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {net}}, {"agent_id", ada}}), 422,
               "invalid_value", "agent_id");
  expect_error(admin->post("/api/v1/tokens", {{"agent_id", ada}, {"teams", {net}}}), 422, "invalid_value", "teams");
  auto sup = h.client(issued.body["token"]);
  auto me = sup.get("/api/v1/me");
  EXPECT_EQ(me.body["role"], "supervisor");
  EXPECT_EQ(me.body["teams"][0]["name"], "Network");

  // Tickets: their team's, not another's.
  auto list = sup.get("/api/v1/tickets");
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["tickets"].size(), 1u);
  EXPECT_EQ(list.body["tickets"][0]["id"], mine);
  expect_error(sup.get("/api/v1/tickets?team=Hardware"), 404, "not_found");
  EXPECT_EQ(sup.get(m).status, 200);
  expect_error(sup.get(t), 404, "not_found");
  expect_error(sup.get(t + "/routing"), 404, "not_found");
  expect_error(sup.get(t + "/comments"), 404, "not_found");
  expect_error(sup.patch(t, {{"priority", "high"}}), 404, "not_found");
  expect_error(sup.post(t + "/comments", {{"body", "x"}, {"author", {{"type", "agent"}, {"agent_id", cy}}}}), 404, "not_found");
  // Their ticket: priority, tags, assignment to their agents; not to others, not out of their teams.
  auto patched = sup.patch(m, {{"priority", "high"}, {"tags", {"vip"}}, {"assignee_id", cy}});
  ASSERT_EQ(patched.status, 200) << patched.raw;
  EXPECT_EQ(patched.body["priority"], "high");
  EXPECT_EQ(patched.body["assignee_id"], cy);
  expect_error(sup.patch(m, {{"assignee_id", bob}}), 422, "invalid_value", "assignee_id");
  expect_error(sup.patch(m, {{"team", hw}}), 422, "invalid_value", "team");
  EXPECT_EQ(get_ticket(mine)["team"], net);
  EXPECT_EQ(get_ticket(mine)["assignee_id"], cy);
  auto note = sup.post(m + "/comments", {{"body", "on it"}, {"public", false}, {"author", {{"type", "agent"}, {"agent_id", cy}}}});
  EXPECT_EQ(note.status, 201) << note.raw;
  expect_error(sup.post(m + "/comments", {{"body", "x"}, {"author", {{"type", "agent"}, {"agent_id", bob}}}}), 422, "invalid_value",
               "author.agent_id");
  expect_error(sup.post("/api/v1/tickets", {{"subject", "new"}, {"team", net}}), 403, "forbidden");

  // Agents: members of their teams (Cy is in both).
  auto agents = sup.get("/api/v1/agents");
  ASSERT_EQ(agents.status, 200) << agents.raw;
  std::set<std::int64_t> seen;
  for (const auto& a : agents.body["agents"]) seen.insert(a["id"].get<std::int64_t>());
  EXPECT_EQ(seen, (std::set<std::int64_t>{ada, cy}));
  expect_error(sup.get("/api/v1/agents/" + std::to_string(bob)), 404, "not_found");
  expect_error(sup.patch("/api/v1/agents/" + std::to_string(bob), {{"capacity", {{"email", 1}}}}), 404, "not_found");
  expect_error(sup.put("/api/v1/agents/" + std::to_string(bob) + "/presence", {{"presence", "online"}}), 404, "not_found");
  EXPECT_EQ(sup.patch("/api/v1/agents/" + std::to_string(ada), {{"capacity", {{"email", 3}}}}).status, 200);
  EXPECT_EQ(sup.put("/api/v1/agents/" + std::to_string(ada) + "/presence", {{"presence", "away"}}).status, 200);
  // Membership of their own teams only: Cy may leave Network, not Hardware; Ada may not join Hardware.
  expect_error(sup.patch("/api/v1/agents/" + std::to_string(ada), {{"teams", {net, hw}}}), 422, "invalid_value", "teams");
  expect_error(sup.patch("/api/v1/agents/" + std::to_string(cy), {{"teams", {net}}}), 422, "invalid_value", "teams");
  EXPECT_EQ(sup.patch("/api/v1/agents/" + std::to_string(cy), {{"teams", {hw}}}).status, 200);
  expect_error(sup.post("/api/v1/agents", {{"name", "Dee"}, {"teams", {net}}}), 403, "forbidden");

  // Teams, routing settings and queues: theirs.
  auto teams = sup.get("/api/v1/teams");
  ASSERT_EQ(teams.body["teams"].size(), 1u);
  EXPECT_EQ(teams.body["teams"][0]["id"], net);
  expect_error(sup.get("/api/v1/teams/" + std::to_string(hw)), 404, "not_found");
  expect_error(sup.patch("/api/v1/teams/" + std::to_string(hw), {{"routing", {{"policy", "round_robin"}}}}), 404, "not_found");
  auto routing = sup.patch("/api/v1/teams/" + std::to_string(net), {{"routing", {{"policy", "round_robin"}}}});
  EXPECT_EQ(routing.status, 200) << routing.raw;
  expect_error(sup.post("/api/v1/teams", {{"name", "Mine"}}), 403, "forbidden");
  auto queues = sup.get("/api/v1/queues");
  ASSERT_EQ(queues.body["queues"].size(), 1u);
  EXPECT_EQ(queues.body["queues"][0]["team"], net);

  // Reports: their teams' tickets.
  auto report = sup.get("/api/v1/reports/tickets?interval=none&group_by=team");
  ASSERT_EQ(report.status, 200) << report.raw;
  EXPECT_EQ(report.body["tickets"], 1);
  ASSERT_EQ(report.body["rows"].size(), 1u);
  EXPECT_EQ(report.body["rows"][0]["group"], "Network");
  EXPECT_EQ(admin->get("/api/v1/reports/tickets?interval=none").body["tickets"], 2);

  // Administration stays with the admin.
  for (const char* path : {"/api/v1/tokens", "/api/v1/audit", "/api/v1/webhooks", "/api/v1/sla-policies", "/metrics"}) {
    expect_error(sup.get(path), 403, "forbidden");
  }
  expect_error(sup.post("/api/v1/tokens", {{"role", "viewer"}}), 403, "forbidden");
  // Their changes are in the audit log under their token's id.
  auto log = admin->get("/api/v1/audit?limit=50");
  bool found = false;
  for (const auto& e : log.body["entries"]) {
    if (e["action"] == "PATCH /api/v1/teams/" + std::to_string(net)) {
      EXPECT_EQ(e["actor"], issued.body["id"]);
      found = true;
    }
  }
  EXPECT_TRUE(found) << log.raw;
  // An agent's token reaches none of the supervisor's routes (it lists teammates, not agents to manage).
  auto agent_client = h.client(admin->post("/api/v1/tokens", {{"agent_id", ada}}).body["token"]);
  expect_error(agent_client.patch("/api/v1/agents/" + std::to_string(ada), {{"name", "A"}}), 403, "forbidden");
  expect_error(agent_client.get("/api/v1/queues"), 403, "forbidden");
  expect_error(agent_client.patch("/api/v1/teams/" + std::to_string(net), {{"name", "N"}}), 403, "forbidden");
}

TEST_F(ApiInProcess, PrometheusMetricsCountRequestsQueuesAgentsAndEvents) {
  const auto net = team("Network");
  agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 1}}}, {"presence", "online"}});
  agent({{"name", "Bo"}, {"teams", {net}}, {"presence", "away"}});
  ticket({{"subject", "one"}, {"team", net}, {"channel", "email"}});
  ticket({{"subject", "two"}, {"team", net}, {"channel", "email"}});  // waits: Ada is full
  EXPECT_EQ(admin->get("/api/v1/tickets/999").status, 404);
  auto m = admin->get("/metrics");
  ASSERT_EQ(m.status, 200) << m.raw;
  EXPECT_TRUE(m.header("Content-Type").starts_with("text/plain; version=0.0.4"));
  const std::string& text = m.raw;
  auto has = [&](const std::string& line) { return text.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has(R"(switchboard_http_requests_total{method="POST",route="/api/v1/tickets",status="201"} 2)")) << text;
  EXPECT_TRUE(has(R"(switchboard_http_requests_total{method="GET",route="/api/v1/tickets/{id}",status="404"} 1)"));
  EXPECT_TRUE(has(R"(switchboard_http_request_duration_seconds_count{method="POST",route="/api/v1/tickets"} 2)"));
  EXPECT_TRUE(has(R"(switchboard_queue_waiting{team="Network"} 1)"));
  EXPECT_TRUE(has(R"(switchboard_queue_agents_online{team="Network"} 1)"));
  EXPECT_TRUE(has(R"(switchboard_agents{presence="online"} 1)"));
  EXPECT_TRUE(has(R"(switchboard_agents{presence="away"} 1)"));
  EXPECT_TRUE(has(R"(switchboard_events_total{type="ticket.created"} 2)"));
  EXPECT_TRUE(has(R"(switchboard_events_total{type="ticket.assigned"} 1)"));
  EXPECT_TRUE(has("switchboard_outbox_pending 0"));
  // Every sample line is "name{labels} value" and every family is typed.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    static const std::regex sample(R"([a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf))");
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
  }
  auto anonymous = h.client();
  EXPECT_EQ(anonymous.get("/metrics").status, 401);
}

// The web form goes through intake like every channel: bytes that are not
// UTF-8 (or a NUL) become text every store can keep, instead of reaching the
// database as they came.
TEST_F(ApiInProcess, TheWebFormsTextIsCleanedByIntake) {
  auto visitor = h.client();
  auto sent = visitor.request("POST", "/support",
                              "name=Kim&email=kim%40example.com&subject=Caf%E9&message=bad+%ff+byte%00end",
                              {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(sent.status, 201) << sent.raw;
  auto t = admin->get("/api/v1/tickets/1");
  ASSERT_EQ(t.status, 200) << t.raw;
  EXPECT_EQ(t.body["channel"], "web");
  EXPECT_EQ(t.body["subject"], "Caf\xEF\xBF\xBD");
  EXPECT_EQ(t.body["body"], "bad \xEF\xBF\xBD byte end");
}

// A PATCH answers with the ticket as a GET shows it: the SLA clocks' time left
// included (issue 20, point 10).
TEST_F(ApiInProcess, APatchAnswerShowsTheSlaClocksAsAReadDoes) {
  ASSERT_EQ(admin->put("/api/v1/sla-policies", {{"policies", {{{"name", "all"}, {"first_response_minutes", 30},
                                                                 {"resolution_minutes", 480}}}}}).status, 200);
  const auto net = team("Network");
  json t = ticket({{"subject", "clocks"}, {"team", net}});
  const std::string path = "/api/v1/tickets/" + std::to_string(t["id"].get<int>());
  auto patched = admin->patch(path, {{"priority", "high"}});
  ASSERT_EQ(patched.status, 200) << patched.raw;
  auto read = admin->get(path);
  ASSERT_TRUE(read.body["sla"]["resolution"]["remaining_seconds"].is_number()) << read.raw;
  ASSERT_TRUE(patched.body["sla"]["resolution"]["remaining_seconds"].is_number()) << patched.raw;
  EXPECT_NEAR(patched.body["sla"]["resolution"]["remaining_seconds"].get<double>(),
              read.body["sla"]["resolution"]["remaining_seconds"].get<double>(), 1.0);
  EXPECT_EQ(patched.body["queue_position"], read.body["queue_position"]);
}

// A commit that fails is a fault of ours: the client gets the stable code and
// a request id to quote, never the database's own words (issue 20, point 1).
TEST(ApiFaults, AFailedCommitShowsARequestIdNotTheDatabasesWords) {
  struct FailingStore : MemoryStore {
    using MemoryStore::commit;
    std::atomic<bool> fail{false};
    Status commit(std::span<const WriteBatch* const> batches) override {
      if (fail) return Error::Unavailable("ERROR:  invalid byte sequence for encoding \"UTF8\": 0xff");
      return MemoryStore::commit(batches);
    }
  };
  auto store = std::make_unique<FailingStore>();
  FailingStore& failing = *store;
  ApiHarness h(std::move(store));
  auto admin = h.admin();
  ASSERT_EQ(admin.post("/api/v1/teams", {{"name", "Network"}}).status, 201);
  failing.fail = true;
  auto r = admin.post("/api/v1/tickets", {{"subject", "lost"}, {"team", "Network"}});
  EXPECT_EQ(r.status, 503) << r.raw;
  EXPECT_EQ(r.body["error"]["code"], "unavailable");
  const std::string id = r.header("X-Request-Id");
  ASSERT_FALSE(id.empty());
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find(id), std::string::npos) << r.raw;
  EXPECT_EQ(r.raw.find("invalid byte sequence"), std::string::npos) << r.raw;
  EXPECT_EQ(r.raw.find("UTF8"), std::string::npos) << r.raw;
  failing.fail = false;
  EXPECT_EQ(admin.post("/api/v1/tickets", {{"subject", "kept"}, {"team", "Network"}}).status, 201);
}

}  // namespace
}  // namespace sb::http
