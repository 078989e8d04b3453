// Who may do what, route by route: every route of the table, called by every
// kind of caller on an object in its scope ("own") and outside it ("other"),
// against the status docs/security.md's Roles table implies. In process
// (api_harness.h): a fresh organisation for every call.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "http/api_harness.h"

namespace sb::http {
namespace {

using nlohmann::json;

// The callers. "own" and "other" differ only in the object the path names.
enum Caller { kAnon, kViewer, kAgentOwn, kAgentOther, kSupervisorOwn, kSupervisorOther, kAdmin, kCallers };
const char* const kCallerNames[] = {"anonymous", "viewer", "agent (own)", "agent (other)", "supervisor (own)",
                                    "supervisor (other)", "admin"};

// One organisation: teams Alpha (1) and Beta (2); agent Ada (1) in Alpha and
// Bo (2) in Beta, both online, and Cy (3) in both, offline; ticket 1 in Alpha assigned to Ada, ticket 2
// in Beta assigned to Bo; a webhook; tokens for a viewer, Ada and Alpha's
// supervisor.
struct Organisation {
  ApiHarness h;
  std::string viewer, agent, supervisor, viewer_token_id;
  Organisation() {
    auto admin = h.admin();
    auto ok = [](const ApiResult& r) {
      EXPECT_LT(r.status, 300) << r.raw;
      return r.body;
    };
    ok(admin.post("/api/v1/webhooks", {{"url", "https://93.184.216.34/in"}}));
    ok(admin.post("/api/v1/teams", {{"name", "Alpha"}}));
    ok(admin.post("/api/v1/teams", {{"name", "Beta"}}));
    ok(admin.post("/api/v1/agents", {{"name", "Ada"}, {"teams", {1}}, {"presence", "online"}}));
    ok(admin.post("/api/v1/agents", {{"name", "Bo"}, {"teams", {2}}, {"presence", "online"}}));
    ok(admin.post("/api/v1/agents", {{"name", "Cy"}, {"teams", {1, 2}}, {"presence", "offline"}}));
    EXPECT_EQ(ok(admin.post("/api/v1/tickets", {{"subject", "one"}, {"team", 1}}))["assignee_id"], 1);
    EXPECT_EQ(ok(admin.post("/api/v1/tickets", {{"subject", "two"}, {"team", 2}}))["assignee_id"], 2);
    ok(admin.post("/api/v1/organizations", {{"name", "BigCo"}, {"domains", {"bigco.com"}}}));
    ok(admin.post("/api/v1/customers", {{"name", "Ann"}, {"emails", {"ann@bigco.com"}}}));
    ok(admin.post("/api/v1/customers", {{"name", "Ann B."}, {"emails", {"ann@home.example"}}}));
    json v = ok(admin.post("/api/v1/tokens", {{"role", "viewer"}}));
    viewer = v["token"];
    viewer_token_id = v["id"];
    agent = ok(admin.post("/api/v1/tokens", {{"agent_id", 1}}))["token"];
    supervisor = ok(admin.post("/api/v1/tokens", {{"role", "supervisor"}, {"teams", {"Alpha"}}}))["token"];
  }
  std::string token(Caller c) const {
    switch (c) {
      case kAnon: return "";
      case kViewer: return viewer;
      case kAgentOwn:
      case kAgentOther: return agent;
      case kSupervisorOwn:
      case kSupervisorOther: return supervisor;
      default: return ApiHarness::kAdminToken;
    }
  }
};

struct Row {
  std::string method;
  std::string path;  // {id}: 1 for own objects, 2 for other ones; {token}: the viewer's token id
  std::string body;
  // anonymous, viewer, agent own/other, supervisor own/other, admin
  std::array<int, kCallers> expected;
};

const std::string kMail = "From: Ann <ann@example.com>\r\nSubject: Help\r\nMessage-ID: <m1@example.com>\r\n\r\nHello\r\n";

const std::vector<Row>& table() {
  static const std::vector<Row> rows = {
      // method, path, body,                 anon viewer agOwn agOth supOwn supOth admin
      {"GET", "/healthz", "", {200, 200, 200, 200, 200, 200, 200}},
      {"GET", "/support", "", {200, 200, 200, 200, 200, 200, 200}},
      {"POST", "/support", "name=x", {415, 415, 415, 415, 415, 415, 415}},
      {"GET", "/api/v1/me", "", {401, 200, 200, 200, 200, 200, 200}},
      {"POST", "/api/v1/tickets", R"({"subject":"new"})", {401, 403, 403, 403, 403, 403, 201}},
      {"GET", "/api/v1/tickets?team={id}", "", {401, 403, 200, 404, 200, 404, 200}},
      {"GET", "/api/v1/tickets?q=one&status=open,new&sort=updated&team={id}", "", {401, 403, 200, 404, 200, 404, 200}},
      {"GET", "/api/v1/tickets/{id}", "", {401, 403, 200, 404, 200, 404, 200}},
      {"PATCH", "/api/v1/tickets/{id}", R"({"status":"pending"})", {401, 403, 200, 404, 200, 404, 200}},
      {"PATCH", "/api/v1/tickets/{id}", R"({"priority":"high","tags":["x"],"category":"vpn"})", {401, 403, 200, 404, 200, 404, 200}},
      // An agent hands a ticket to a teammate (Cy is in Alpha), not outside the team (Bo); moves stay with supervisors.
      {"PATCH", "/api/v1/tickets/{id}", R"({"assignee_id":3})", {401, 403, 200, 404, 200, 404, 200}},
      {"PATCH", "/api/v1/tickets/{id}", R"({"assignee_id":2})", {401, 403, 422, 404, 422, 404, 200}},
      {"PATCH", "/api/v1/tickets/{id}", R"({"team":2})", {401, 403, 403, 404, 422, 404, 200}},
      {"POST", "/api/v1/tickets/{id}/accept", "", {401, 403, 200, 404, 200, 404, 200}},
      {"POST", "/api/v1/tickets/{id}/decline", "", {401, 403, 200, 404, 200, 404, 200}},
      {"GET", "/api/v1/tickets/{id}/routing", "", {401, 403, 200, 404, 200, 404, 200}},
      {"POST", "/api/v1/tickets/{id}/comments", R"({"body":"hi"})", {401, 403, 201, 404, 422, 404, 422}},
      {"GET", "/api/v1/tickets/{id}/comments", "", {401, 403, 200, 404, 200, 404, 200}},
      // Bulk: one result per ticket (another team's is a 404 among the results, not of the request).
      {"POST", "/api/v1/tickets/bulk", R"({"ids":[1,2],"changes":{"priority":"high"}})", {401, 403, 200, 200, 200, 200, 200}},
      {"GET", "/api/v1/tickets/{id}/macros", "", {401, 403, 200, 404, 200, 404, 200}},
      {"PUT", "/api/v1/tickets/{id}/viewing", "", {401, 403, 200, 404, 200, 404, 200}},
      {"GET", "/api/v1/tickets/{id}/messages/1/attachments/0", "", {401, 403, 404, 404, 404, 404, 404}},
      {"GET", "/api/v1/views", "", {401, 403, 200, 200, 200, 200, 200}},
      {"POST", "/api/v1/views", R"({"name":"Open","query":"status=open"})", {401, 403, 201, 201, 201, 201, 201}},
      {"POST", "/api/v1/views", R"({"name":"Open","query":"status=open","shared":true})", {401, 403, 403, 403, 201, 201, 201}},
      {"DELETE", "/api/v1/views/{id}", "", {401, 403, 404, 404, 404, 404, 404}},
      {"POST", "/api/v1/agents", R"({"name":"Cy"})", {401, 403, 403, 403, 403, 403, 201}},
      {"GET", "/api/v1/agents", "", {401, 403, 200, 200, 200, 200, 200}},
      {"GET", "/api/v1/agents/{id}", "", {401, 403, 200, 403, 200, 404, 200}},
      {"PATCH", "/api/v1/agents/{id}", R"({"name":"Renamed"})", {401, 403, 403, 403, 200, 404, 200}},
      // Cy is also in Beta: Alpha's supervisor changes their skills, not their name.
      {"PATCH", "/api/v1/agents/3", R"({"name":"Renamed"})", {401, 403, 403, 403, 403, 403, 200}},
      {"PATCH", "/api/v1/agents/3", R"({"skills":{"vpn":3}})", {401, 403, 403, 403, 200, 200, 200}},
      {"PUT", "/api/v1/agents/{id}/presence", R"({"presence":"away"})", {401, 403, 200, 403, 200, 404, 200}},
      {"POST", "/api/v1/teams", R"({"name":"Gamma"})", {401, 403, 403, 403, 403, 403, 201}},
      {"GET", "/api/v1/teams", "", {401, 403, 200, 200, 200, 200, 200}},
      {"GET", "/api/v1/teams/{id}", "", {401, 403, 403, 403, 200, 404, 200}},
      {"PATCH", "/api/v1/teams/{id}", R"({"routing":{"policy":"round_robin"}})", {401, 403, 403, 403, 200, 404, 200}},
      // A supervisor changes routing, not names, and overflows only to their own teams.
      {"PATCH", "/api/v1/teams/{id}", R"({"name":"Renamed"})", {401, 403, 403, 403, 403, 404, 200}},
      {"PATCH", "/api/v1/teams/{id}", R"({"routing":{"relaxation":[{"after_seconds":60,"action":"overflow","team":2}]}})",
       {401, 403, 403, 403, 422, 404, 200}},
      {"GET", "/api/v1/queues", "", {401, 403, 403, 403, 200, 200, 200}},
      {"POST", "/api/v1/tokens", R"({"agent_id":1})", {401, 403, 403, 403, 403, 403, 201}},
      {"GET", "/api/v1/tokens", "", {401, 403, 403, 403, 403, 403, 200}},
      {"DELETE", "/api/v1/tokens/{token}", "", {401, 403, 403, 403, 403, 403, 200}},
      {"GET", "/api/v1/audit", "", {401, 403, 403, 403, 403, 403, 200}},
      {"POST", "/api/v1/triage/preview", R"({"subject":"x"})", {401, 403, 403, 403, 403, 403, 200}},
      {"POST", "/api/v1/rules/reload", "", {401, 403, 403, 403, 403, 403, 409}},
      // The triage desk: every agent may open it (it shows only the tickets they see); models are for admins.
      {"GET", "/api/v1/triage/desk", "", {401, 403, 200, 200, 200, 200, 200}},
      {"GET", "/api/v1/triage/models", "", {401, 403, 403, 403, 200, 200, 200}},
      {"POST", "/api/v1/triage/models/reload", "", {401, 403, 403, 403, 403, 403, 409}},
      {"GET", "/api/v1/sla-policies", "", {401, 403, 403, 403, 403, 403, 200}},
      {"PUT", "/api/v1/sla-policies", R"({"policies":[]})", {401, 403, 403, 403, 403, 403, 200}},
      {"POST", "/api/v1/webhooks", R"({"url":"https://93.184.216.35/b"})", {401, 403, 403, 403, 403, 403, 201}},
      {"GET", "/api/v1/webhooks", "", {401, 403, 403, 403, 403, 403, 200}},
      {"GET", "/api/v1/webhooks/1", "", {401, 403, 403, 403, 403, 403, 200}},
      {"PATCH", "/api/v1/webhooks/1", R"({"active":false})", {401, 403, 403, 403, 403, 403, 200}},
      {"DELETE", "/api/v1/webhooks/1", "", {401, 403, 403, 403, 403, 403, 204}},
      {"GET", "/api/v1/deliveries", "", {401, 403, 403, 403, 403, 403, 200}},
      // Connectors: supervisors watch them; a check is an admin's (none is configured here: 404).
      {"GET", "/api/v1/connectors", "", {401, 403, 403, 403, 200, 200, 200}},
      {"POST", "/api/v1/connectors/rt/check", "", {401, 403, 403, 403, 403, 403, 404}},
      {"POST", "/api/v1/deliveries/1/redeliver", "", {401, 403, 403, 403, 403, 403, 202}},
      {"GET", "/api/v1/events", "", {401, 403, 200, 200, 200, 200, 200}},
      // Customers: agents read them, supervisors keep them, admins remove them; organisations are admins'.
      {"GET", "/api/v1/customers?q=ann", "", {401, 403, 200, 200, 200, 200, 200}},
      {"POST", "/api/v1/customers", R"({"name":"Zed","emails":["zed@example.com"]})", {401, 403, 403, 403, 201, 201, 201}},
      {"POST", "/api/v1/customers/import", R"({"rows":[{"emails":["new@example.com"],"name":"New"}]})",
       {401, 403, 403, 403, 403, 403, 200}},
      {"GET", "/api/v1/customers/1", "", {401, 403, 200, 200, 200, 200, 200}},
      {"PATCH", "/api/v1/customers/1", R"({"language":"de"})", {401, 403, 403, 403, 200, 200, 200}},
      {"DELETE", "/api/v1/customers/1", "", {401, 403, 403, 403, 403, 403, 204}},
      {"POST", "/api/v1/customers/1/merge", R"({"from":2})", {401, 403, 403, 403, 200, 200, 200}},
      {"GET", "/api/v1/organizations", "", {401, 403, 200, 200, 200, 200, 200}},
      {"POST", "/api/v1/organizations", R"({"name":"SmallCo"})", {401, 403, 403, 403, 403, 403, 201}},
      {"GET", "/api/v1/organizations/1", "", {401, 403, 200, 200, 200, 200, 200}},
      {"PATCH", "/api/v1/organizations/1", R"({"tier":"vip"})", {401, 403, 403, 403, 403, 403, 200}},
      {"DELETE", "/api/v1/organizations/1", "", {401, 403, 403, 403, 403, 403, 204}},
      {"POST", "/api/v1/mail", kMail, {401, 403, 403, 403, 403, 403, 201}},
      {"GET", "/metrics", "", {401, 403, 403, 403, 403, 403, 200}},
      {"GET", "/api/v1/reports/tickets", "", {401, 200, 403, 403, 200, 200, 200}},
  };
  return rows;
}

std::string expand(std::string path, bool own, const std::string& token_id) {
  if (auto at = path.find("{id}"); at != std::string::npos) path.replace(at, 4, own ? "1" : "2");
  if (auto at = path.find("{token}"); at != std::string::npos) path.replace(at, 7, token_id);
  return path;
}

TEST(Access, EveryRouteByEveryCallerInAndOutOfScope) {
  int checked = 0;
  for (const Row& row : table()) {
    for (int c = 0; c < kCallers; ++c) {
      Organisation org;
      const bool own = c != kAgentOther && c != kSupervisorOther;
      const std::string path = expand(row.path, own, org.viewer_token_id);
      const ApiResult r = org.h.request(row.method, path, row.body, org.token(static_cast<Caller>(c)));
      EXPECT_EQ(r.status, row.expected[static_cast<std::size_t>(c)])
          << row.method << " " << path << " by " << kCallerNames[c] << ": " << r.raw;
      if (r.status >= 400 && r.status != 415) {
        // Every refusal is the JSON error body.
        EXPECT_TRUE(r.body.contains("error") && r.body["error"].contains("code")) << r.raw;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(table().size()) * kCallers);
}

// The table above covers the whole route table: a route added without a row
// here fails this test.
TEST(Access, TheTableCoversEveryRoute) {
  auto segments = [](const std::string& s) {
    std::vector<std::string> out(1);
    for (char ch : s.substr(0, s.find('?'))) {
      if (ch == '/') {
        out.emplace_back();
      } else {
        out.back() += ch;
      }
    }
    return out;
  };
  ApiHarness h;
  for (const Route& route : h.api().routes()) {
    if (route.pattern == "/" || route.pattern == "/assets/{file}") continue;  // files: tests/api_test.cc
    const auto want = segments(route.method + " " + route.pattern);
    bool found = false;
    for (const Row& row : table()) {
      const auto have = segments(row.method + " " + row.path);
      if (have.size() != want.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < want.size() && same; ++i) same = want[i].starts_with('{') || want[i] == have[i];
      found = found || same;
    }
    EXPECT_TRUE(found) << "no access row for " << route.method << " " << route.pattern;
  }
}

}  // namespace
}  // namespace sb::http
