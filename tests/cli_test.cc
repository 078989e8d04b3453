// The switchboard command line: subcommands, help, config errors, seeding.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/support/command.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

// The binary with `args`; output is stdout and stderr.
CommandResult run(const std::string& args) { return run_command(std::string(SWITCHBOARD_BINARY) + " " + args + " 2>&1"); }

class CliTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir / name;
    std::ofstream(path) << text;
    return path;
  }
  TempDir dir{"sb_cli"};
};

TEST_F(CliTest, VersionAndHelp) {
  CommandResult v = run("version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.output.find("switchboard "), std::string::npos);
  CommandResult h = run("serve --help");
  EXPECT_EQ(h.exit_code, 0);
  for (const char* flag : {"--db", "--listen", "--config", "--admin-token"}) {
    EXPECT_NE(h.output.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(run("").exit_code, 0);
  EXPECT_NE(run("frobnicate").exit_code, 0);
}

TEST_F(CliTest, ErlangPrintsTheQueueFigures) {
  CommandResult c = run("erlang --arrival-rate 720/h --aht 240 --agents 55 --target 20");
  EXPECT_EQ(c.exit_code, 0) << c.output;
  EXPECT_NE(c.output.find("P(wait)                  0.2387"), std::string::npos) << c.output;
  EXPECT_NE(c.output.find("average speed of answer  8.18 s"), std::string::npos) << c.output;
  EXPECT_NE(c.output.find("86.7 %"), std::string::npos) << c.output;
  CommandResult a = run("erlang --arrival-rate 720/h --aht 240 --agents 48 --patience 120 --json");
  EXPECT_EQ(a.exit_code, 0) << a.output;
  const auto j = nlohmann::json::parse(a.output);
  EXPECT_NEAR(j["p_abandon"].get<double>(), 0.0673, 0.0005);
  EXPECT_EQ(j["method"], "erlang_a");
  EXPECT_NE(run("erlang --arrival-rate lots --aht 240 --agents 5").exit_code, 0);
  EXPECT_NE(run("erlang --arrival-rate 10/h --aht 0 --agents 5").exit_code, 0);
  CommandResult over = run("erlang --arrival-rate 720/h --aht 240 --agents 40");
  EXPECT_EQ(over.exit_code, 0);
  EXPECT_NE(over.output.find("overloaded"), std::string::npos);
}

TEST_F(CliTest, BadConfigNamesFileLineAndFieldAndExitsNonZero) {
  const std::string path = write("bad.yaml", "teams: [Support]\nagents:\n  - name: Ada\n    presence: busy\n");
  CommandResult r = run("serve --db " + (dir / "x.db") + " --config " + path + " --admin-token 0123456789abcdef");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(path + ":4: agents[0].presence:"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.db"));  // nothing was written
  CommandResult listen = run("serve --db " + (dir / "y.db") + " --listen nowhere --admin-token 0123456789abcdef");
  EXPECT_EQ(listen.exit_code, 2);
  EXPECT_NE(listen.output.find("ADDRESS:PORT"), std::string::npos) << listen.output;
  CommandResult short_token = run("serve --db " + (dir / "z.db") + " --admin-token short");
  EXPECT_EQ(short_token.exit_code, 2);
}

TEST_F(CliTest, ConfigSeedsTeamsAndAgentsOnce) {
  const std::string config = write("seed.yaml", R"(teams: [Network, Billing]
agents:
  - name: Ada
    email: ada@example.com
    teams: [Network]
    skills: {vpn: 4}
    capacity: {chat: 2}
    presence: online
  - name: Bo
    email: bo@example.com
    teams: [Network, Billing]
)");
  ServerProcess server(SWITCHBOARD_BINARY, dir.path().string(), "cli-admin-token-0123456789", {"--config", config});
  ASSERT_TRUE(server.start());
  HttpClient admin("127.0.0.1", server.port(), "cli-admin-token-0123456789");
  auto agents = admin.get("/api/v1/agents");
  ASSERT_EQ(agents.body["agents"].size(), 2u);
  EXPECT_EQ(agents.body["agents"][0]["capacity"]["chat"], 2);
  EXPECT_EQ(agents.body["agents"][0]["presence"], "online");
  EXPECT_EQ(agents.body["agents"][1]["teams"].size(), 2u);
  // Seeding again on restart adds nothing.
  server.stop();
  ASSERT_TRUE(server.start());
  HttpClient again("127.0.0.1", server.port(), "cli-admin-token-0123456789");
  EXPECT_EQ(again.get("/api/v1/agents").body["agents"].size(), 2u);
  EXPECT_EQ(again.get("/api/v1/teams").body["teams"].size(), 2u);
}

TEST_F(CliTest, TeamRoutingFromConfigAppliesAndBadSettingsNameTheLine) {
  const std::string config = write("routing.yaml", R"(presence_grace_seconds: 30
teams:
  - name: Tier 2
  - name: Support
    routing:
      policy: sticky
      fallback_policy: least_loaded
      sticky_wait_seconds: 45
      offer_mode: {chat: offer}
      relaxation:
        - {after_seconds: 60, action: drop_optional_skills}
        - {after_seconds: 300, action: overflow, team: Tier 2}
)");
  ServerProcess server(SWITCHBOARD_BINARY, dir.path().string(), "cli-admin-token-0123456789", {"--config", config});
  ASSERT_TRUE(server.start());
  HttpClient admin("127.0.0.1", server.port(), "cli-admin-token-0123456789");
  auto team = admin.get("/api/v1/teams/2");
  ASSERT_EQ(team.status, 200) << team.raw;
  EXPECT_EQ(team.body["routing"]["policy"], "sticky");
  EXPECT_EQ(team.body["routing"]["fallback_policy"], "least_loaded");
  EXPECT_EQ(team.body["routing"]["sticky_wait_seconds"], 45.0);
  EXPECT_EQ(team.body["routing"]["offer_mode"]["chat"], "offer");
  EXPECT_EQ(team.body["routing"]["relaxation"][1]["team"], 1);
  server.stop();

  const std::string bad = write("bad_routing.yaml", R"(teams:
  - name: Support
    routing:
      policy: skills_best_match
      relaxation:
        - {after_seconds: 60, action: drop_optional_skills}
        - {after_seconds: 120, action: teleport}
)");
  CommandResult r = run("serve --db " + (dir / "b.db") + " --config " + bad + " --admin-token 0123456789abcdef");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(bad + ":7: teams[0].routing.relaxation[1].action:"), std::string::npos) << r.output;
  const std::string unknown = write("unknown_policy.yaml", "teams:\n  - name: Support\n    routing: {policy: fastest}\n");
  CommandResult u = run("serve --db " + (dir / "c.db") + " --config " + unknown + " --admin-token 0123456789abcdef");
  EXPECT_EQ(u.exit_code, 2);
  EXPECT_NE(u.output.find(unknown + ":3: teams[0].routing.policy: unknown routing policy 'fastest'"), std::string::npos)
      << u.output;
}

TEST_F(CliTest, SlaPoliciesFromConfigPutDueTimesOnTickets) {
  const std::string config = write("sla.yaml", R"(teams: [Support, Tier 2]
sla:
  calendars:
    always_berlin:
      time_zone: Europe/Berlin
      hours: {mon: "00:00-24:00", tue: "00:00-24:00", wed: "00:00-24:00", thu: "00:00-24:00",
              fri: "00:00-24:00", sat: "00:00-24:00", sun: "00:00-24:00"}
  policies:
    - name: vip
      match: {tier: [vip]}
      calendar: always_berlin
      first_response_minutes: 30
      resolution_minutes: 240
      escalation:
        - {on: warning, action: notify}
        - {on: breach, action: move_team, team: Tier 2}
    - name: standard
      resolution_minutes: 2400
)");
  ServerProcess server(SWITCHBOARD_BINARY, dir.path().string(), "cli-admin-token-0123456789", {"--config", config});
  ASSERT_TRUE(server.start()) << server.log_path();
  HttpClient admin("127.0.0.1", server.port(), "cli-admin-token-0123456789");
  auto vip = admin.post("/api/v1/tickets", {{"subject", "down"}, {"team", "Support"},
                                            {"requester", {{"email", "a@b.c"}, {"tier", "vip"}}}});
  ASSERT_EQ(vip.status, 201) << vip.raw;
  EXPECT_EQ(vip.body["sla"]["policy"], "vip");
  EXPECT_EQ(vip.body["sla"]["first_response"]["target_seconds"], 1800.0);
  EXPECT_FALSE(vip.body["sla"]["first_response"]["due"].is_null());
  EXPECT_EQ(vip.body["sla"]["resolution"]["target_seconds"], 14400.0);
  EXPECT_NEAR(vip.body["sla"]["first_response"]["remaining_seconds"].get<double>(), 1800.0, 5.0);
  EXPECT_NEAR(vip.body["sla"]["resolution"]["remaining_seconds"].get<double>(), 14400.0, 5.0);
  auto plain = admin.post("/api/v1/tickets", {{"subject", "question"}, {"team", "Support"}});
  EXPECT_EQ(plain.body["sla"]["policy"], "standard");
  EXPECT_TRUE(plain.body["sla"]["first_response"].is_null());
  auto list = admin.get("/api/v1/sla-policies");
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["policies"].size(), 2u);
  EXPECT_EQ(list.body["policies"][0]["escalation"][1]["action"], "move_team");
  EXPECT_EQ(list.body["policies"][0]["escalation"][1]["team"], "Tier 2");
  EXPECT_EQ(list.body["calendars"]["always_berlin"]["time_zone"], "Europe/Berlin");
  EXPECT_EQ(list.body["calendars"]["always_berlin"]["hours"]["mon"][0], "00:00-24:00");

  // PUT replaces them all; a bad document is a 422 naming the field and changes nothing.
  nlohmann::json next = list.body;
  next["policies"][1]["name"] = "standard v2";
  next["policies"][1]["resolution_minutes"] = 600;
  next["policies"][1]["first_response_minutes"] = 60;
  nlohmann::json wrong = next;
  wrong["policies"][0]["escalation"][1]["team"] = "Tier 9";
  auto refused = admin.put("/api/v1/sla-policies", wrong);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.body["error"]["field"], "policies[0].escalation[1].team");
  wrong = next;
  wrong["policies"][0]["calendar"] = "mars";
  EXPECT_EQ(admin.put("/api/v1/sla-policies", wrong).body["error"]["field"], "policies[0].calendar");
  wrong = next;
  wrong["policies"][0]["warn_at"] = 1.5;
  EXPECT_EQ(admin.put("/api/v1/sla-policies", wrong).body["error"]["field"], "policies[0].warn_at");
  EXPECT_EQ(admin.get("/api/v1/sla-policies").body, list.body);
  auto put = admin.put("/api/v1/sla-policies", next);
  ASSERT_EQ(put.status, 200) << put.raw;
  EXPECT_EQ(put.body, next);
  EXPECT_EQ(admin.post("/api/v1/tickets", {{"subject", "q"}, {"team", "Support"}}).body["sla"]["policy"], "standard v2");
  // Solved within its targets: counted as met in the report; the running ones are not decided yet.
  ASSERT_EQ(admin.patch("/api/v1/tickets/" + std::to_string(plain.body["id"].get<int>()), {{"status", "solved"}}).status, 200);
  auto report = admin.get("/api/v1/reports/tickets?interval=none");
  ASSERT_EQ(report.status, 200) << report.raw;
  EXPECT_EQ(report.body["rows"][0]["sla"]["met"], 1);  // its policy was renamed by the PUT: still stops
  EXPECT_EQ(report.body["rows"][0]["sla"]["breached"], 0);
  EXPECT_EQ(report.body["rows"][0]["sla"]["attainment"], 1.0);
  server.stop();

  // Saved policies outlive a restart and win over the config file's.
  ServerProcess again(SWITCHBOARD_BINARY, dir.path().string(), "cli-admin-token-0123456789", {"--config", config});
  ASSERT_TRUE(again.start()) << again.log_path();
  HttpClient admin2("127.0.0.1", again.port(), "cli-admin-token-0123456789");
  EXPECT_EQ(admin2.get("/api/v1/sla-policies").body, next);
  auto after = admin2.post("/api/v1/tickets", {{"subject", "q"}, {"team", "Support"}});
  EXPECT_EQ(after.body["sla"]["policy"], "standard v2");
  EXPECT_EQ(after.body["sla"]["first_response"]["target_seconds"], 3600.0);
  again.stop();

  const std::string bad = write("bad_sla.yaml", "sla:\n  calendars:\n    x:\n      time_zone: Mars/Base\n");
  CommandResult r = run("serve --db " + (dir / "s.db") + " --config " + bad + " --admin-token 0123456789abcdef");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(bad + ":4: sla.calendars.x.time_zone: unknown time zone 'Mars/Base'"), std::string::npos)
      << r.output;
}

TEST_F(CliTest, GeneratedAdminTokenIsPrintedAndWorks) {
  // No --admin-token and no environment variable: one is generated and shown once.
  const std::string cmd = "env -u SWITCHBOARD_ADMIN_TOKEN " + std::string(SWITCHBOARD_BINARY) + " serve --db " +
                          (dir / "g.db") + " --listen 127.0.0.1:0 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  char line[512];
  std::string token;
  int port = 0;
  while (fgets(line, sizeof line, p)) {
    std::string s(line);
    if (s.rfind("admin token: ", 0) == 0) token = s.substr(13, s.size() - 14);
    if (s.rfind("listening on http://127.0.0.1:", 0) == 0) {
      port = std::stoi(s.substr(30));
      break;
    }
  }
  ASSERT_FALSE(token.empty());
  ASSERT_GT(port, 0);
  HttpClient admin("127.0.0.1", static_cast<std::uint16_t>(port), token);
  EXPECT_EQ(admin.get("/api/v1/teams").status, 200);
  HttpClient other("127.0.0.1", static_cast<std::uint16_t>(port), token + "x");
  EXPECT_EQ(other.get("/api/v1/teams").status, 401);
  std::system(("pkill -TERM -f '" + (dir / "g.db") + "'").c_str());
  pclose(p);
}

}  // namespace
}  // namespace sb::testing
