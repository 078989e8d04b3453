// Switchboard as the routing brain of a real Request Tracker 5 (scripts/rt
// starts one on loopback with its own SQLite database): RT's tickets are
// routed here and their owners set there, history comes along without mail,
// resolving in RT frees capacity, a kill -9 of Switchboard and a restart of
// RT lose and duplicate nothing, and what cannot work is said plainly
// (docs/connectors.md).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <map>
#include <set>
#include <thread>

#include "tests/support/command.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;
const std::string kAdmin = "rt-admin-token-0123456789";

// RT's REST2 through curl(1), as root (a person at RT, not the connector).
class Rt {
 public:
  explicit Rt(std::string url) : url_(std::move(url)) {}
  json call(const std::string& method, const std::string& path, const json& body = nullptr,
            const std::string& user = "root:password") const {
    std::string cmd = "curl -s -m 30 -u '" + user + "' -H 'Content-Type: application/json' -X " + method + " '" + url_ +
                      "/REST/2.0" + path + "'";
    if (!body.is_null()) cmd += " --data-binary '" + body.dump() + "'";
    const CommandResult r = run_command(cmd + " 2>/dev/null");
    return json::parse(r.output, nullptr, false);
  }
  // Every ticket of `queue` as {id: {Owner, Status}}.
  std::map<std::string, std::pair<std::string, std::string>> tickets(const std::string& queue) const {
    std::map<std::string, std::pair<std::string, std::string>> out;
    for (int page = 1; page < 50; ++page) {
      const json r = call("GET", "/tickets?query=Queue%3D%27" + queue + "%27&fields=Owner,Status&per_page=100&page=" +
                                     std::to_string(page));
      if (!r.is_object() || !r.contains("items")) break;
      for (const json& t : r["items"]) {
        out[t["id"].is_string() ? t["id"].get<std::string>() : t["id"].dump()] = {t["Owner"]["id"].get<std::string>(),
                                                                                   t["Status"].get<std::string>()};
      }
      if (r["items"].size() < 100) break;
    }
    return out;
  }
  std::string create(const std::string& subject, const json& extra = json::object()) const {
    json body = {{"Queue", "General"}, {"Subject", subject}, {"Requestor", "customer@example.org"}, {"Content", "help"}};
    body.update(extra);
    const json r = call("POST", "/ticket", body);
    return r.is_object() && r.contains("id") ? (r["id"].is_string() ? r["id"].get<std::string>() : r["id"].dump()) : "";
  }
  const std::string& url() const { return url_; }

 private:
  std::string url_;
};

template <class Done>
bool within(std::chrono::seconds limit, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

class RequestTracker : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One RT for the suite (it takes seconds to set up); TempDir needs a running test.
    rt_dir = new std::string((std::filesystem::temp_directory_path() / ("sb_rt_" + std::to_string(getpid()))).string());
    const CommandResult started = run_command(std::string(SOURCE_DIR) + "/scripts/rt start " + *rt_dir + " 2>&1");
    ASSERT_EQ(started.exit_code, 0) << started.output;
    rt = new Rt(started.output.substr(0, started.output.find('\n')));
    for (const char* name : {"ada", "bo", "cy", "carl"}) {
      rt->call("POST", "/user", {{"Name", name}, {"EmailAddress", std::string(name) + "@rt.test"}, {"Privileged", 1}});
    }
    rt->call("POST", "/queue", {{"Name", "Hardware"}});
  }
  static void TearDownTestSuite() {
    run_command(std::string(SOURCE_DIR) + "/scripts/rt stop " + *rt_dir);
    delete rt;
    delete rt_dir;
  }

  void SetUp() override {
    ASSERT_NE(rt, nullptr) << "Request Tracker did not start";
    config = dir / "config.yaml";
    std::ofstream(config) << "outbound: {allow_loopback: true}\n"
                             "notifications: {smtp: {url: \"smtp://127.0.0.1:9\", from: \"Support <s@x.test>\"}}\n"
                             "teams: [{name: Support}, {name: Hardware}]\n"
                             "agents:\n"
                             "  - {name: Ada, email: ada@rt.test, teams: [Support, Hardware], capacity: {email: 68}, presence: online}\n"
                             "  - {name: Bo, email: bo@rt.test, teams: [Support, Hardware], capacity: {email: 68}, presence: online}\n"
                             "  - {name: Cy, email: cy@rt.test, teams: [Support, Hardware], capacity: {email: 68}, presence: online}\n"
                             "connectors:\n"
                             "  - {name: rt, type: request_tracker, url: \""
                          << rt->url()
                          << "\", user: switchboard, password_env: RT_TEST_PASSWORD,\n"
                             "     queues: {General: Support, Hardware: Hardware}, poll_seconds: 0.3,\n"
                             "     agents: {root: ada@rt.test}}\n"  // the test's root speaks for Ada in RT
                             "  - {name: rtbad, type: request_tracker, url: \""
                          << rt->url()
                          << "\", user: switchboard, password_env: RT_TEST_BAD_PASSWORD,\n"
                             "     queues: {Hardware: Hardware}, poll_seconds: 1}\n";
    setenv("RT_TEST_PASSWORD", "switchboard", 1);
    setenv("RT_TEST_BAD_PASSWORD", "not-the-password", 1);
  }
  void start() {
    server = std::make_unique<ServerProcess>(SWITCHBOARD_BINARY, dir.path().string(), kAdmin,
                                             std::vector<std::string>{"--config", config});
    ASSERT_TRUE(server->start()) << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }
  // Switchboard's tickets from RT by RT id.
  std::map<std::string, json> ours() {
    std::map<std::string, json> out;
    std::string cursor;
    for (;;) {
      const json page = admin->get("/api/v1/tickets?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor)).body;
      for (const json& t : page["tickets"]) {
        if (t["source"] == "rt") {
          EXPECT_FALSE(out.count(t["external_id"])) << "two tickets for RT " << t["external_id"];
          out[t["external_id"]] = t;
        }
      }
      if (page["next_cursor"].is_null()) break;
      cursor = page["next_cursor"];
    }
    return out;
  }
  // The RT user name of a ticket's agent ("" when it has none): agents are
  // Ada, Bo and Cy, RT users ada, bo and cy.
  std::string owner_of(const json& t) {
    if (t["assignee_id"].is_null()) return "";
    std::string name = admin->get("/api/v1/agents/" + std::to_string(t["assignee_id"].get<int>())).body["name"];
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    return name;
  }
  json connector(const std::string& name) {
    const json all = admin->get("/api/v1/connectors").body;
    for (const json& c : all["connectors"]) {
      if (c["name"] == name) return c;
    }
    return nullptr;
  }

  static std::string* rt_dir;
  static Rt* rt;
  TempDir dir{"sb_rt_server"};
  std::string config;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin;
};
std::string* RequestTracker::rt_dir = nullptr;
Rt* RequestTracker::rt = nullptr;

TEST_F(RequestTracker, TicketsCreatedInRtAreOwnedThereByTheAgentsSwitchboardChose) {
  // Before Switchboard: a resolved ticket and one Ada holds (history), one nobody holds.
  const std::string old_id = rt->create("old and done");
  rt->call("PUT", "/ticket/" + old_id, {{"Status", "resolved"}});
  const std::string held_id = rt->create("Ada has it", {{"Owner", "ada"}, {"Status", "open"}});
  const std::string waiting_id = rt->create("waiting before the first sync");
  const json old_rt = rt->call("GET", "/ticket/" + old_id);
  ASSERT_FALSE(old_id.empty() || held_id.empty() || waiting_id.empty());

  start();
  ASSERT_TRUE(within(std::chrono::seconds(30), [&] { return ours().size() == 3; })) << server->log_path();
  auto mine = ours();
  EXPECT_EQ(mine[old_id]["status"], "solved");
  // Its creation time is RT's ("2026-12-04T07:55:27Z" there, with milliseconds here).
  EXPECT_EQ(mine[old_id]["created_at"].get<std::string>().substr(0, 19), old_rt["Created"].get<std::string>().substr(0, 19));
  EXPECT_EQ(owner_of(mine[held_id]), "ada");
  EXPECT_EQ(mine[held_id]["status"], "open");

  // 200 tickets through RT's API, four at a time; Switchboard killed -9 and RT restarted on the way.
  std::atomic<int> made{0}, failed{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) {
        std::string id;
        for (int attempt = 0; attempt < 20 && id.empty(); ++attempt) {
          id = rt->create("printer " + std::to_string(w) + "-" + std::to_string(i));
          if (id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(500));  // RT restarting
        }
        (id.empty() ? failed : made)++;
      }
    });
  }
  ASSERT_TRUE(within(std::chrono::seconds(90), [&] { return made >= 70; }));
  EXPECT_EQ(server->stop(9), 9) << "killed";
  start();
  ASSERT_TRUE(within(std::chrono::seconds(90), [&] { return made >= 140; }));
  const CommandResult restarted = run_command(std::string(SOURCE_DIR) + "/scripts/rt restart " + *rt_dir + " 2>&1");
  ASSERT_EQ(restarted.exit_code, 0) << restarted.output;
  for (std::thread& t : writers) t.join();
  ASSERT_EQ(failed, 0);
  ASSERT_EQ(made, 200);

  // Every open RT ticket gets an owner; each is the agent Switchboard chose.
  std::map<std::string, std::pair<std::string, std::string>> there;
  ASSERT_TRUE(within(std::chrono::seconds(60), [&] {
    there = rt->tickets("General");
    return there.size() == 203 && std::all_of(there.begin(), there.end(), [](const auto& e) {
             return e.second.second == "resolved" || e.second.first != "Nobody";
           });
  })) << server->log_path();
  mine = ours();
  ASSERT_EQ(mine.size(), 203u);  // none twice (ours() fails on a second ticket for one RT id)
  std::map<std::string, int> per_agent;
  for (const auto& [id, owner_status] : there) {
    ASSERT_TRUE(mine.count(id)) << "RT " << id << " is not here";
    const json& t = mine[id];
    if (owner_status.second == "resolved") continue;
    ASSERT_FALSE(t["assignee_id"].is_null()) << id;
    EXPECT_EQ(owner_status.first, owner_of(t)) << "RT " << id;
    ++per_agent[owner_status.first];
  }
  EXPECT_EQ(per_agent.size(), 3u);  // Ada, Bo and Cy all got work
  // Each decision is readable here with its reasons.
  const json routing = admin->get("/api/v1/tickets/" + std::to_string(mine[there.rbegin()->first]["id"].get<int>()) + "/routing").body;
  ASSERT_FALSE(routing["decisions"].empty());
  EXPECT_FALSE(routing["decisions"][0]["candidates"].empty());

  // Full (3 x 68 = 204; 202 held): two more get owners, three wait.
  std::vector<std::string> extra;
  for (int i = 0; i < 5; ++i) extra.push_back(rt->create("overflow " + std::to_string(i)));
  ASSERT_TRUE(within(std::chrono::seconds(30), [&] {
    mine = ours();
    int waiting = 0;
    for (const std::string& id : extra) waiting += mine.count(id) && mine[id]["assignee_id"].is_null();
    return mine.size() == 208 && waiting == 3;
  }));
  // Resolving three in RT frees three places: the waiting ones get owners there.
  int resolved = 0;
  for (const auto& [id, owner_status] : there) {
    if (owner_status.second == "resolved" || id == held_id || resolved == 3) continue;
    rt->call("PUT", "/ticket/" + id, {{"Status", "resolved"}});
    ++resolved;
  }
  ASSERT_TRUE(within(std::chrono::seconds(30), [&] {
    const auto now = rt->tickets("General");
    return std::all_of(extra.begin(), extra.end(), [&](const std::string& id) { return now.at(id).first != "Nobody"; });
  })) << server->log_path();
  mine = ours();
  int solved = 0;
  for (const auto& [id, t] : mine) solved += t["status"] == "solved";
  EXPECT_EQ(solved, 4);  // the old one and the three resolved

  // A person gives a ticket to an RT user with no agent: said on the dashboard's connector panel.
  rt->call("PUT", "/ticket/" + extra[0], {{"Owner", "carl"}});
  ASSERT_TRUE(within(std::chrono::seconds(20), [&] {
    return connector("rt")["problems"].dump().find("'carl', who has no agent") != std::string::npos;
  })) << admin->get("/api/v1/connectors").raw;

  // Ada answers in RT (as root, who is Ada here): the reply meets the ticket's first response.
  const int held_here = mine[held_id]["id"];
  rt->call("POST", "/ticket/" + held_id + "/correspond", {{"Content", "On it"}, {"ContentType", "text/plain"}});
  ASSERT_TRUE(within(std::chrono::seconds(20), [&] {
    const json t = admin->get("/api/v1/tickets/" + std::to_string(held_here)).body;
    for (const json& c : t["comments"]) {
      if (c["kind"] == "reply" && c["author"]["name"] == "root") return true;
    }
    return false;
  }));

  // History and RT's tickets sent the customers nothing from here (RT talks to them).
  const json deliveries = admin->get("/api/v1/deliveries?limit=500").body;
  for (const json& d : deliveries["deliveries"]) EXPECT_NE(d["kind"], "email") << d.dump();
  const json health = connector("rt");
  EXPECT_TRUE(health["ok"]) << health.dump();
  EXPECT_GT(health["written"].get<int>(), 0);  // since the restart
  EXPECT_EQ(health["dead_letters"], 0) << admin->get("/api/v1/deliveries?state=dead").raw;
  const std::string metrics = admin->get("/metrics").raw;
  EXPECT_NE(metrics.find("switchboard_connector_up{connector=\"rt\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("switchboard_connector_up{connector=\"rtbad\"} 0"), std::string::npos);

  // connect check: an unmapped RT user is a warning; a bad credential an error, also on the dashboard.
  const std::string check = std::string(SWITCHBOARD_BINARY) + " connect check --url http://127.0.0.1:" +
                            std::to_string(server->port()) + " --token " + kAdmin + " ";
  const CommandResult good = run_command(check + "rt 2>&1");
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_NE(good.output.find("warning: RT user 'carl' has no agent here"), std::string::npos) << good.output;
  EXPECT_NE(good.output.find("3 RT users are agents here"), std::string::npos) << good.output;
  const CommandResult bad = run_command(check + "rtbad 2>&1");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("RT refused the credentials of user 'switchboard' (HTTP 401)"), std::string::npos) << bad.output;
  EXPECT_NE(connector("rtbad")["last_error"].get<std::string>().find("401"), std::string::npos);
  const CommandResult none = run_command(check + "nosuch 2>&1");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.output.find("no connector 'nosuch'"), std::string::npos) << none.output;
}

}  // namespace
}  // namespace sb::testing
