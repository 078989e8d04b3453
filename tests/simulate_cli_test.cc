// `switchboard simulate` and `switchboard staffing`, the real binary
// (docs/simulation.md).
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/command.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;

// stdout only (progress goes to stderr), or both with `with_errors`.
CommandResult run(const std::string& args, bool with_errors = false) {
  return run_command(std::string(SWITCHBOARD_BINARY) + " " + args + (with_errors ? " 2>&1" : " 2>/dev/null"));
}

class SimulateCli : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir / name;
    std::ofstream(path) << text;
    return path;
  }
  TempDir dir{"sb_simulate"};
};

TEST_F(SimulateCli, AScenarioMatchesErlangCAndDrawsItsPlots) {
  const std::string scenario = write("mm20.yaml", R"(name: small M/M/20
hours: 60
warmup_hours: 1
replications: 4
seed: 3
types:
  - {name: calls, per_hour: 300/h, handle: {distribution: exponential, mean: 216}}
agents:
  - {name: agents, count: 20}
)");
  const std::string plots = dir / "plots";
  CommandResult r = run("simulate " + scenario + " --json --threads 2 --plots " + plots);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json j = json::parse(r.output);
  ASSERT_EQ(j["policies"].size(), 1u);
  const json& all = j["policies"][0]["all"];
  CommandResult theory = run("erlang --arrival-rate 300/h --aht 216 --agents 20 --target 20 --json");
  const json c = json::parse(theory.output);
  EXPECT_NEAR(all["service_level"]["mean"].get<double>(), c["service_level"].get<double>(), 0.03);
  EXPECT_NEAR(all["p_wait"]["mean"].get<double>(), c["p_wait"].get<double>(), 0.03);
  EXPECT_NEAR(all["occupancy"]["mean"].get<double>(), 0.9, 0.02);
  EXPECT_GT(all["asa_seconds"]["half_width_95"].get<double>(), 0.0);
  // Per agent: twenty of them, their calls adding up to the answered ones.
  const json& agents = j["policies"][0]["per_agent"];
  ASSERT_EQ(agents.size(), 20u);
  double handled = 0;
  for (const json& a : agents) handled += a["handled"]["mean"].get<double>();
  EXPECT_NEAR(handled, all["calls"]["mean"].get<double>() * (1 - all["p_abandon"]["mean"].get<double>()), 1.0);
  EXPECT_EQ(agents[0]["name"], "agents 1");
  EXPECT_NEAR(agents[0]["occupancy"]["mean"].get<double>(), 0.9, 0.05);
  for (const char* file : {"waits.svg", "service_level_by_hour.svg"}) {
    std::ifstream in(plots + "/" + file);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(text.find("<svg"), std::string::npos) << file;
    EXPECT_NE(text.find("skills_best_match"), std::string::npos) << file;  // the legend
  }
  // Progress goes to stderr.
  CommandResult progress = run("simulate " + scenario + " --replications 1 --plots ''", true);
  EXPECT_NE(progress.output.find("simulating skills_best_match: 100 %"), std::string::npos) << progress.output;
}

// Issue 20, point 9: a plots folder that cannot be made is an error before
// the run (exit 2), and --json alone writes no plots into the working folder.
TEST_F(SimulateCli, PlotsProblemsAreFoundBeforeTheRunAndJsonWritesNoPlots) {
  const std::string scenario = write("tiny.yaml", R"(name: tiny
hours: 2
replications: 1
seed: 1
types:
  - {name: calls, per_hour: 60/h, handle: {distribution: exponential, mean: 60}}
agents:
  - {name: agents, count: 2}
)");
  const std::string file = write("not-a-folder", "x");
  CommandResult bad = run("simulate " + scenario + " --plots " + file + "/plots", true);
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--plots: cannot create"), std::string::npos) << bad.output;
  EXPECT_EQ(bad.output.find("simulating"), std::string::npos) << bad.output;  // nothing was run
  const std::string cwd = dir / "cwd";
  std::filesystem::create_directories(cwd);
  CommandResult json_only = run_command("cd " + cwd + " && " + std::string(SWITCHBOARD_BINARY) + " simulate " +
                                        scenario + " --json 2>/dev/null");
  ASSERT_EQ(json_only.exit_code, 0) << json_only.output;
  EXPECT_TRUE(json::parse(json_only.output).contains("policies"));
  EXPECT_FALSE(std::filesystem::exists(cwd + "/var"));
}

TEST_F(SimulateCli, BadScenariosAreRefusedWithFileAndLine) {
  const std::string bad = write("bad.yaml", "name: x\ntypes:\n  - {name: a, per_hour: 10, handel: {mean: 5}}\nagents: [{count: 1}]\n");
  CommandResult r = run("simulate " + bad, true);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bad.yaml:3: types[0].handel: unknown setting"), std::string::npos) << r.output;
  const std::string no_rate = write("no_rate.yaml", "types:\n  - {name: a, handle: {mean: 5}}\nagents: [{count: 1}]\n");
  r = run("simulate " + no_rate, true);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("per_hour: is required outside a replay"), std::string::npos) << r.output;
  const std::string ok = write("ok.yaml", "hours: 1\ntypes:\n  - {name: a, per_hour: 10, handle: {mean: 5}}\nagents: [{count: 1}]\n");
  r = run("simulate " + ok + " --compare skills_best_match,telepathy", true);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown policy 'telepathy'"), std::string::npos) << r.output;
}

// The real call log, replayed through two policies, beside what happened.
TEST_F(SimulateCli, TheCallCentreLogReplaysBesideWhatActuallyHappened) {
  const std::string scenario = std::string(SOURCE_DIR) + "/config/sim/anonymous-bank.yaml";
  CommandResult r = run("simulate " + scenario + " --json --replications 2 --plots '' --compare skills_best_match,longest_idle");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json j = json::parse(r.output);
  // Every answered or abandoned call of the two weeks (phantom calls left out).
  EXPECT_EQ(j["actual"][0]["calls"], 17313);
  EXPECT_NEAR(j["actual"][0]["p_abandon"].get<double>(), 2908.0 / 17313, 1e-9);
  ASSERT_EQ(j["policies"].size(), 2u);
  for (const json& p : j["policies"]) {
    EXPECT_EQ(p["all"]["calls"]["mean"], 17313);  // the same arrivals through each
    EXPECT_EQ(p["per_type"].size(), 6u);
    EXPECT_GT(p["all"]["service_level"]["mean"].get<double>(), 0.3);
  }
}

// What-if on the store's own history: tickets a real server routed, replayed
// through a scenario's staffing, beside what happened.
TEST_F(SimulateCli, AStoresHistoryReplaysBesideWhatHappened) {
  const std::string token = "simulate-admin-token-0123456789";
  ServerProcess server(SWITCHBOARD_BINARY, dir.path().string(), token);
  ASSERT_TRUE(server.start()) << server.log_path();
  HttpClient admin("127.0.0.1", server.port(), token);
  ASSERT_EQ(admin.post("/api/v1/teams", {{"name", "Support"}}).status, 201);
  ASSERT_EQ(admin.post("/api/v1/teams", {{"name", "Elsewhere"}}).status, 201);
  ASSERT_EQ(admin.post("/api/v1/agents", {{"name", "Ada"}, {"teams", {"Support"}}, {"presence", "online"},
                                          {"capacity", {{"email", 2}}}}).status,
            201);
  std::vector<int> ids;
  for (int i = 0; i < 4; ++i) {
    auto t = admin.post("/api/v1/tickets", {{"subject", "t" + std::to_string(i)}, {"team", "Support"}, {"channel", "email"}});
    ASSERT_EQ(t.status, 201);
    ids.push_back(t.body["id"]);
  }
  admin.post("/api/v1/tickets", {{"subject", "not replayed"}, {"team", "Elsewhere"}});
  // Ada solves the first two; the next two are pulled and stay open (no outcome: not replayed).
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(admin.patch("/api/v1/tickets/" + std::to_string(ids[static_cast<std::size_t>(i)]), {{"status", "solved"}}).status, 200);
  }
  server.stop();

  auto iso = [](std::time_t t) {
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return std::string(buf);
  };
  const std::time_t now = std::time(nullptr);
  const std::string scenario =
      write("history.yaml", "name: history\nreplay: {store: " + server.db_path() + ", from: " + iso(now - 3600) +
                                ", to: " + iso(now + 3600) +
                                "}\ntypes:\n  - {name: Support, channel: email, handle: {mean: 60}}\n"
                                "agents: [{count: 1, capacity: 2}]\n");
  CommandResult r = run("simulate " + scenario + " --json --plots '' --replications 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json j = json::parse(r.output);
  // All four were assigned at some point (the last two when Ada had room);
  // the team without a type is left out.
  EXPECT_EQ(j["actual"][0]["calls"], 4);
  EXPECT_EQ(j["actual"][0]["p_abandon"], 0.0);
  EXPECT_EQ(j["policies"][0]["all"]["calls"]["mean"], 4);
  EXPECT_EQ(j["policies"][0]["all"]["p_abandon"]["mean"], 0.0);
  CommandResult missing = run("simulate " + write("gone.yaml",
                                                   "replay: {store: /nonexistent.db, from: 2026-01-01T00:00:00Z, "
                                                   "to: 2026-01-02T00:00:00Z}\ntypes: [{name: a, handle: {mean: 1}}]\n"
                                                   "agents: [{count: 1}]\n"),
                              true);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("no database at /nonexistent.db"), std::string::npos) << missing.output;
}

TEST_F(SimulateCli, StaffingGivesErlangCTheSquareRootRuleAndASimulatedCheck) {
  const std::string forecast = write("forecast.csv", "start,calls,aht_seconds\n09:00,720,240\n10:00,360,240\n11:00,0,240\n");
  CommandResult r = run("staffing --forecast " + forecast + " --target 80/20 --check --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json j = json::parse(r.output);
  ASSERT_EQ(j["intervals"].size(), 3u);
  const json& nine = j["intervals"][0];
  EXPECT_DOUBLE_EQ(nine["load_erlangs"].get<double>(), 48.0);
  const int n = nine["agents_erlang_c"];
  EXPECT_GE(nine["service_level_erlang_c"].get<double>(), 0.8);
  // One agent fewer misses the target.
  CommandResult fewer = run("erlang --arrival-rate 720/h --aht 240 --agents " + std::to_string(n - 1) + " --json");
  EXPECT_LT(json::parse(fewer.output)["service_level"].get<double>(), 0.8);
  EXPECT_NEAR(nine["agents_square_root"].get<int>(), n, 2);
  EXPECT_NEAR(nine["service_level_simulated"].get<double>(), nine["service_level_erlang_c"].get<double>(), 0.04);
  EXPECT_EQ(j["intervals"][2]["agents_erlang_c"], 0);
  CommandResult bad = run("staffing --forecast " + write("bad.csv", "start,calls\n09:00,lots\n") + " --aht 100", true);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("bad.csv:2"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace sb::testing
