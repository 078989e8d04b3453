// End-to-end tests: the real switchboard binary on loopback, with a real
// SQLite file, driven over HTTP.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <boost/asio.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/command.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sb::testing {
namespace {

using nlohmann::json;
const std::string kAdmin = "test-admin-token-0123456789";

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ServerProcess>(SWITCHBOARD_BINARY, dir.path().string(), kAdmin);
    ASSERT_TRUE(server->start()) << "server did not start; see " << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }
  void TearDown() override {
    admin.reset();
    server.reset();
  }

  void restart(int signal) {
    server->stop(signal);
    ASSERT_TRUE(server->start()) << "server did not restart; see " << server->log_path();
    admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  }

  std::int64_t team(const std::string& name) {
    auto r = admin->post("/api/v1/teams", {{"name", name}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body["id"];
  }
  std::int64_t agent(json body) {
    auto r = admin->post("/api/v1/agents", body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body["id"];
  }
  json ticket(json body) {
    auto r = admin->post("/api/v1/tickets", body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body;
  }
  json get_ticket(std::int64_t id) {
    auto r = admin->get("/api/v1/tickets/" + std::to_string(id));
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }
  int ticket_count() {
    auto r = admin->get("/api/v1/tickets?limit=100");
    return static_cast<int>(r.body["tickets"].size());
  }
  void expect_error(const HttpResult& r, int status, const std::string& code, const std::string& field = "") {
    EXPECT_EQ(r.status, status) << r.raw;
    ASSERT_TRUE(r.body.is_object()) << r.raw;
    EXPECT_EQ(r.body["error"]["code"], code) << r.raw;
    EXPECT_TRUE(r.body["error"]["message"].is_string());
    if (!field.empty()) {
      EXPECT_EQ(r.body["error"]["field"], field) << r.raw;
    }
  }

  TempDir dir{"sb_api"};
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin;
};

TEST_F(ApiTest, HealthzNeedsNoToken) {
  HttpClient anon("127.0.0.1", server->port());
  auto r = anon.get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "ok");
}

// The server's own limit: a body over 1 MiB is refused before any handler.
TEST_F(ApiTest, BodiesOverOneMebibyteAre413) {
  const int before = ticket_count();
  // 413: over 1 MiB.
  const std::string big = "{\"subject\":\"big\",\"body\":\"" + std::string(1100000, 'x') + "\"}";
  HttpClient fresh("127.0.0.1", server->port(), kAdmin);
  expect_error(fresh.request("POST", "/api/v1/tickets", big), 413, "payload_too_large");

  EXPECT_EQ(ticket_count(), before);
}

// Ticket versions (ETags) are stored: a write with an ETag read before a
// restart still goes through after it.
TEST_F(ApiTest, ETagsSurviveARestart) {
  const auto net = team("Network");
  const json t = ticket({{"subject", "shared"}, {"team", net}});
  const std::string path = "/api/v1/tickets/" + std::to_string(t["id"].get<int>());
  ASSERT_EQ(admin->patch(path, {{"priority", "high"}}).status, 200);
  // Versions are kept across a restart.
  const std::string before = admin->get(path).header("ETag");
  restart(15);
  EXPECT_EQ(admin->get(path).header("ETag"), before);
  EXPECT_EQ(admin->request("PATCH", path, json{{"priority", "normal"}}.dump(), {{"If-Match", before}}).status, 200);
}








TEST_F(ApiTest, NothingAcknowledgedIsLostToKillNine) {
  const auto net = team("Network");
  const auto a = agent({{"name", "Ada"}, {"teams", {net}}, {"capacity", {{"email", 3}}}, {"presence", "online"}});
  const auto b = agent({{"name", "Bo"}, {"teams", {net}}, {"capacity", {{"email", 2}}}, {"presence", "offline"}});

  // Writers create tickets until the server is killed under them; every 201
  // they saw must survive.
  std::mutex mu;
  std::vector<json> acknowledged;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      HttpClient c("127.0.0.1", server->port(), kAdmin);
      for (int i = 0; i < 100000; ++i) {
        auto r = c.post("/api/v1/tickets", {{"subject", "w" + std::to_string(w) + "-" + std::to_string(i)},
                                            {"team", net}, {"channel", "email"}});
        if (r.status != 201) return;
        std::lock_guard lock(mu);
        acknowledged.push_back(r.body);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  restart(SIGKILL);
  for (auto& t : writers) t.join();
  ASSERT_GT(acknowledged.size(), 10u);
  std::printf("acknowledged before kill -9: %zu\n", acknowledged.size());

  int assigned_to_a = 0;
  for (const json& t : acknowledged) {
    auto r = admin->get("/api/v1/tickets/" + std::to_string(t["id"].get<int>()));
    ASSERT_EQ(r.status, 200) << "acknowledged ticket " << t["id"] << " was lost";
    EXPECT_EQ(r.body["subject"], t["subject"]);
    EXPECT_EQ(r.body["assignee_id"], t["assignee_id"]);
    if (t["assignee_id"] == a) ++assigned_to_a;
  }
  EXPECT_EQ(assigned_to_a, 3);
  auto agent_a = admin->get("/api/v1/agents/" + std::to_string(a));
  EXPECT_EQ(agent_a.body["load"]["email"], 3);
  EXPECT_EQ(agent_a.body["presence"], "online");

  // Routing goes on after the restart: Bo comes online and pulls two waiting tickets.
  ASSERT_EQ(admin->put("/api/v1/agents/" + std::to_string(b) + "/presence", {{"presence", "online"}}).status, 200);
  EXPECT_EQ(admin->get("/api/v1/agents/" + std::to_string(b)).body["load"]["email"], 2);
  auto listed = admin->get("/api/v1/tickets?assignee_id=" + std::to_string(b));
  EXPECT_EQ(listed.body["tickets"].size(), 2u);
  // New tickets get fresh ids.
  json next = ticket({{"subject", "after restart"}, {"team", net}});
  EXPECT_GT(next["id"].get<std::int64_t>(), acknowledged.back()["id"].get<std::int64_t>());
}

TEST_F(ApiTest, AnswersExpectContinueBeforeTheBody) {
  namespace asio = boost::asio;
  asio::io_context ctx;
  asio::ip::tcp::socket s(ctx);
  s.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  const std::string body = R"({"subject":"sent after 100 Continue"})";
  const std::string head = "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kAdmin +
                           "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  asio::write(s, asio::buffer(head));
  asio::streambuf in;
  asio::read_until(s, in, "\r\n\r\n");  // the body has not been sent: only an interim answer can come
  std::string interim{asio::buffers_begin(in.data()), asio::buffers_end(in.data())};
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue", 0), 0u) << interim;
  in.consume(in.size());
  asio::write(s, asio::buffer(body));
  asio::read_until(s, in, "\r\n\r\n");
  std::string final_head{asio::buffers_begin(in.data()), asio::buffers_end(in.data())};
  EXPECT_EQ(final_head.rfind("HTTP/1.1 201", 0), 0u) << final_head;
}

TEST_F(ApiTest, GracefulStopKeepsEverything) {
  const auto net = team("Network");
  agent({{"name", "Ada"}, {"teams", {net}}, {"presence", "online"}});
  json t = ticket({{"subject", "survives"}, {"team", net}});
  const int status = server->stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ASSERT_TRUE(server->start());
  admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  EXPECT_EQ(get_ticket(t["id"])["assignee_id"], t["assignee_id"]);
  EXPECT_EQ(admin->get("/api/v1/teams").body["teams"].size(), 1u);
}

// SIGTERM: a drain first (--drain): /healthz and every new request answer
// 503 shutting_down with Retry-After (on new and kept-alive connections),
// event streams end, then the server exits 0 within the bound.
TEST_F(ApiTest, ShutdownDrainsThenExitsZero) {
  const auto net = team("Network");
  json t = ticket({{"subject", "kept"}, {"team", net}});
  server->stop(SIGTERM);
  ServerProcess draining(SWITCHBOARD_BINARY, dir.path().string(), kAdmin, {"--drain", "1.5"});
  ASSERT_TRUE(draining.start());
  HttpClient kept("127.0.0.1", draining.port(), kAdmin);
  ASSERT_EQ(kept.get("/healthz").status, 200);
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket stream(io);
  stream.connect({asio::ip::make_address("127.0.0.1"), draining.port()});
  const std::string sse = "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kAdmin + "\r\n\r\n";
  asio::write(stream, asio::buffer(sse));
  asio::streambuf head;
  asio::read_until(stream, head, "\r\n\r\n");

  const auto signalled = std::chrono::steady_clock::now();
  ::kill(draining.pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  HttpClient fresh("127.0.0.1", draining.port(), kAdmin);
  auto health = fresh.get("/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.body["error"]["code"], "shutting_down");
  EXPECT_EQ(health.header("Retry-After"), "1");
  auto refused = kept.post("/api/v1/tickets", {{"subject", "too late"}, {"team", net}});
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.header("Connection"), "close");
  // The event stream was ended, not left hanging.
  boost::system::error_code ec;
  char buf[4096];
  while (!ec) stream.read_some(asio::buffer(buf), ec);
  EXPECT_EQ(ec, asio::error::eof);
  const int status = draining.stop(SIGTERM);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_GE(took, 1.4);
  EXPECT_LT(took, 1.5 + 5 + 1);
  // What was committed is there; what was refused is not.
  ASSERT_TRUE(server->start());
  admin = std::make_unique<HttpClient>("127.0.0.1", server->port(), kAdmin);
  EXPECT_EQ(admin->get("/api/v1/tickets").body["tickets"].size(), 1u);
}

}  // namespace
}  // namespace sb::testing

namespace sb::testing {
namespace {


// Limits answer clearly and change nothing: a token over its rate gets 429
// with Retry-After (others are not slowed), the support form per client
// address likewise, JSON nested too deep is a 422, headers too large a 431.
TEST_F(ApiTest, LimitsAnswerClearlyAndChangeNothing) {
  const auto net = team("Network");
  const auto ada = agent({{"name", "Ada"}, {"teams", {net}}, {"presence", "online"}});
  const std::string token = admin->post("/api/v1/tokens", {{"agent_id", ada}}).body["token"];
  server->stop(SIGTERM);
  {
    std::ofstream config(dir / "limits.yaml");
    config << "limits:\n  per_token: {per_second: 1, burst: 3}\n  public_posts: {per_second: 0.5, burst: 2}\n";
  }
  ServerProcess limited(SWITCHBOARD_BINARY, dir.path().string(), kAdmin, {"--config", dir / "limits.yaml"});
  ASSERT_TRUE(limited.start()) << limited.log_path();
  HttpClient agent_client("127.0.0.1", limited.port(), token);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(agent_client.get("/api/v1/tickets").status, 200) << i;
  auto refused = agent_client.put("/api/v1/agents/" + std::to_string(ada) + "/presence", {{"presence", "away"}});
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.body["error"]["code"], "rate_limited");
  EXPECT_EQ(refused.header("Retry-After"), "1");
  HttpClient boss("127.0.0.1", limited.port(), kAdmin);
  EXPECT_EQ(boss.get("/api/v1/agents/" + std::to_string(ada)).body["presence"], "online");  // the refused change did nothing
  for (int i = 0; i < 10; ++i) EXPECT_EQ(boss.get("/api/v1/teams").status, 200);  // the admin token is not limited here
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(agent_client.get("/api/v1/tickets").status, 200);  // refilled

  // The support form: per client address.
  HttpClient visitor("127.0.0.1", limited.port());
  const std::vector<std::pair<std::string, std::string>> form{{"Content-Type", "application/x-www-form-urlencoded"}};
  const std::string fields = "name=Kim&email=kim%40example.com&subject=Help&message=Printer";
  int created = 0, limited_answers = 0;
  for (int i = 0; i < 4; ++i) {
    // A client naming itself in X-Forwarded-For is not believed (no trusted proxies here).
    auto f = form;
    f.emplace_back("X-Forwarded-For", "203.0.113." + std::to_string(i + 1));
    auto r = visitor.request("POST", "/support", fields, f);
    created += r.status == 201 || r.status == 200;
    if (r.status == 429) {
      ++limited_answers;
      EXPECT_FALSE(r.header("Retry-After").empty());
    }
  }
  EXPECT_EQ(created, 2);
  EXPECT_EQ(limited_answers, 2);

  // JSON nested deeper than 32 levels: 422 on "body", nothing created.
  std::string deep = "{\"subject\":\"x\",\"team\":\"Network\",\"tags\":";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += "}";
  auto nested = boss.request("POST", "/api/v1/tickets", deep);
  EXPECT_EQ(nested.status, 422);
  EXPECT_EQ(nested.body["error"]["field"], "body");
  // Headers over 16 KiB: 431.
  HttpClient big_headers("127.0.0.1", limited.port(), kAdmin);
  EXPECT_EQ(big_headers.request("GET", "/api/v1/teams", "", {{"X-Filler", std::string(20000, 'a')}}).status, 431);
  // A string field over its limit: 422 naming it.
  auto long_subject = boss.post("/api/v1/tickets", {{"subject", std::string(70000, 's')}, {"team", "Network"}});
  EXPECT_EQ(long_subject.status, 422);
  EXPECT_EQ(long_subject.body["error"]["field"], "subject");
  EXPECT_EQ(boss.get("/api/v1/tickets").body["tickets"].size(), 2u);  // the two support-form tickets only
}




// Overload: with the disk stalled (another process holds SQLite's write
// lock), changes in hand wait and are kept; past `limits.commands_in_flight`
// a change is refused at once with 503 overloaded and Retry-After, and
// changes nothing; reads go on.
TEST_F(ApiTest, OverloadShedsChangesAndKeepsAcceptedWork) {
  server->stop(SIGTERM);
  std::ofstream(dir / "shed.yaml") << "teams: [Network]\nlimits:\n  commands_in_flight: 2\n";
  ServerProcess shedding(SWITCHBOARD_BINARY, dir.path().string(), kAdmin, {"--config", dir / "shed.yaml"});
  ASSERT_TRUE(shedding.start()) << shedding.log_path();
  HttpClient boss("127.0.0.1", shedding.port(), kAdmin);
  auto metric = [&](const std::string& name) {
    const std::string text = boss.get("/metrics").raw;
    const auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + name.size() + 2));
  };
  ChildProcess locker({"/usr/bin/python3", "-c",
                       "import sqlite3,sys,time\n"
                       "c=sqlite3.connect(sys.argv[1],isolation_level=None)\n"
                       "c.execute('BEGIN EXCLUSIVE')\n"
                       "print('locked 1',flush=True)\n"
                       "time.sleep(30)\n",
                       shedding.db_path()},
                      dir / "locker.log", "locked ");
  ASSERT_TRUE(locker.start());
  std::vector<int> statuses(2, 0);
  std::vector<std::thread> in_hand;
  for (int i = 0; i < 2; ++i) {
    in_hand.emplace_back([&, i] {
      HttpClient c("127.0.0.1", shedding.port(), kAdmin);
      statuses[i] = c.post("/api/v1/tickets", {{"subject", "kept " + std::to_string(i)}, {"team", "Network"}}).status;
    });
  }
  for (int i = 0; i < 500 && metric("switchboard_commands_in_flight") < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(metric("switchboard_commands_in_flight"), 2);
  for (int i = 0; i < 3; ++i) {
    auto shed = boss.post("/api/v1/tickets", {{"subject", "shed"}, {"team", "Network"}});
    expect_error(shed, 503, "overloaded");
    EXPECT_EQ(shed.header("Retry-After"), "1");
  }
  EXPECT_EQ(boss.get("/api/v1/teams").status, 200);  // reads are not shed
  EXPECT_EQ(metric("switchboard_commands_shed_total"), 3);
  locker.stop();  // the disk comes back
  for (auto& t : in_hand) t.join();
  EXPECT_EQ(statuses, (std::vector<int>{201, 201}));
  auto all = boss.get("/api/v1/tickets");
  ASSERT_EQ(all.body["tickets"].size(), 2u) << all.raw;
  for (const auto& t : all.body["tickets"]) EXPECT_NE(t["subject"], "shed");
  EXPECT_EQ(boss.post("/api/v1/tickets", {{"subject", "later"}, {"team", "Network"}}).status, 201);
}

// The connection cap: past `limits.connections` open connections a new one
// is answered 503 with Retry-After and closed; when one closes, room again.
TEST_F(ApiTest, ConnectionsPastTheCapAreTurnedAway) {
  server->stop(SIGTERM);
  std::ofstream(dir / "conns.yaml") << "limits:\n  connections: 2\n";
  ServerProcess capped(SWITCHBOARD_BINARY, dir.path().string(), kAdmin, {"--config", dir / "conns.yaml"});
  ASSERT_TRUE(capped.start()) << capped.log_path();
  namespace asio = boost::asio;
  asio::io_context io;
  const asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), capped.port());
  auto open = [&] {
    auto s = std::make_unique<asio::ip::tcp::socket>(io);
    s->connect(at);
    return s;
  };
  auto answer = [&](asio::ip::tcp::socket& s) {
    const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    boost::system::error_code ec;
    asio::write(s, asio::buffer(req), ec);
    std::string out;
    char buf[4096];
    for (;;) {
      const std::size_t n = s.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
    return out;
  };
  auto first = open(), second = open();  // idle, holding both places
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto third = open();
  const std::string refused = answer(*third);
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 503")) << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
  EXPECT_NE(refused.find("\"overloaded\""), std::string::npos) << refused;
  first->close();
  std::string later;
  for (int i = 0; i < 50 && !later.starts_with("HTTP/1.1 200"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto again = open();
    later = answer(*again);
  }
  EXPECT_TRUE(later.starts_with("HTTP/1.1 200")) << later;
  EXPECT_TRUE(answer(*second).starts_with("HTTP/1.1 200"));  // the one kept waiting is served
}

// Behind a trusted proxy (limits.trusted_proxies), the support form's
// per-address limit counts each client named in X-Forwarded-For.
TEST_F(ApiTest, TrustedProxiesNameTheClientForPerAddressLimits) {
  server->stop(SIGTERM);
  std::ofstream(dir / "proxy.yaml") << "limits:\n  public_posts: {per_second: 0.1, burst: 1}\n"
                                       "  trusted_proxies: [127.0.0.1, 10.0.0.0/8]\n";
  ServerProcess proxied(SWITCHBOARD_BINARY, dir.path().string(), kAdmin, {"--config", dir / "proxy.yaml"});
  ASSERT_TRUE(proxied.start()) << proxied.log_path();
  HttpClient lb("127.0.0.1", proxied.port());
  const std::string fields = "name=Kim&email=kim%40example.com&subject=Help&message=Printer";
  auto post = [&](const std::string& chain) {
    return lb.request("POST", "/support", fields,
                      {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Forwarded-For", chain}}).status;
  };
  EXPECT_EQ(post("203.0.113.5"), 201);
  EXPECT_EQ(post("203.0.113.5"), 429);            // that client's one post
  EXPECT_EQ(post("198.51.100.9"), 201);           // another client: its own bucket
  EXPECT_EQ(post("203.0.113.5, 10.1.2.3"), 429);  // through a second trusted hop: the same client
  EXPECT_EQ(post("6.6.6.6, 203.0.113.5"), 429);   // what the client claimed before the proxy is not believed
  // A bad entry is a config error with file and line.
  std::ofstream(dir / "bad-proxy.yaml") << "limits:\n  trusted_proxies: [10.0.0.0/8, lb.example.com]\n";
  const auto out = run_command(std::string(SWITCHBOARD_BINARY) + " serve --config " + (dir / "bad-proxy.yaml") +
                               " --db " + (dir / "never.db") + " --admin-token " + kAdmin + " 2>&1");
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("bad-proxy.yaml:2: limits.trusted_proxies[1]"), std::string::npos) << out.output;
}

TEST_F(ApiTest, IdempotencyKeysReplayTheFirstAnswer) {
  const auto team_id = team("Idem");
  const std::string body = json{{"subject", "once"}, {"team", team_id}}.dump();
  auto first = admin->request("POST", "/api/v1/tickets", body, {{"Idempotency-Key", "order-42"}});
  ASSERT_EQ(first.status, 201) << first.raw;
  auto again = admin->request("POST", "/api/v1/tickets", body, {{"Idempotency-Key", "order-42"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body["id"], first.body["id"]);
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
  // The same key on another request is refused; another key is another ticket.
  auto other = admin->request("POST", "/api/v1/tickets", json{{"subject", "twice"}, {"team", team_id}}.dump(),
                              {{"Idempotency-Key", "order-42"}});
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(other.body["error"]["field"], "Idempotency-Key");
  auto fresh = admin->request("POST", "/api/v1/tickets", body, {{"Idempotency-Key", "order-43"}});
  EXPECT_NE(fresh.body["id"], first.body["id"]);
  EXPECT_EQ(admin->request("POST", "/api/v1/tickets", body, {{"Idempotency-Key", std::string(300, 'k')}}).status, 422);
  // Keys belong to the caller, and survive a restart.
  restart(15);
  auto replayed = admin->request("POST", "/api/v1/tickets", body, {{"Idempotency-Key", "order-42"}});
  EXPECT_EQ(replayed.body["id"], first.body["id"]);
  EXPECT_EQ(admin->get("/api/v1/tickets?team=" + std::to_string(team_id)).body["tickets"].size(), 2u);
}

}  // namespace
}  // namespace sb::testing

namespace sb::testing {
namespace {

TEST_F(ApiTest, TheWebFormCreatesAWebTicketAndEscapesWhatItShows) {
  auto form = admin->get("/support");
  ASSERT_EQ(form.status, 200);
  EXPECT_EQ(form.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(form.raw.find("<form method=\"post\" action=\"/support\">"), std::string::npos);

  HttpClient browser("127.0.0.1", server->port());  // no token
  const std::vector<std::pair<std::string, std::string>> type{{"Content-Type", "application/x-www-form-urlencoded"}};
  auto sent = browser.request("POST", "/support",
                              "name=Ann+%3Cb%3EExample%3C%2Fb%3E&email=ann%40example.com"
                              "&subject=%3Cscript%3Ealert(1)%3C%2Fscript%3E&message=VPN+down%0Asince+9",
                              type);
  ASSERT_EQ(sent.status, 201) << sent.raw;
  EXPECT_EQ(sent.raw.find("<script>"), std::string::npos);
  EXPECT_NE(sent.raw.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  const auto at = sent.raw.find("id=\"ticket\">#");
  ASSERT_NE(at, std::string::npos);
  const int id = std::stoi(sent.raw.substr(at + 13));
  auto t = admin->get("/api/v1/tickets/" + std::to_string(id)).body;
  EXPECT_EQ(t["channel"], "web");
  EXPECT_EQ(t["subject"], "<script>alert(1)</script>");  // kept as typed; escaped wherever shown
  EXPECT_EQ(t["body"], "VPN down\nsince 9");
  EXPECT_EQ(t["requester"]["email"], "ann@example.com");

  // Mistakes re-show the form with what was typed (escaped) and create nothing.
  auto bad = browser.request("POST", "/support", "email=not-an-address&subject=x&message=%22quoted%22", type);
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.raw.find("role=\"alert\""), std::string::npos);
  EXPECT_NE(bad.raw.find("&quot;quoted&quot;"), std::string::npos);
  EXPECT_EQ(browser.request("POST", "/support", "{}", {{"Content-Type", "application/json"}}).status, 415);
  EXPECT_EQ(admin->get("/api/v1/tickets").body["tickets"].size(), 1u);
}

}  // namespace
}  // namespace sb::testing

namespace sb::testing {
namespace {



TEST_F(ApiTest, DashboardFilesAreServedWithAStrictContentSecurityPolicy) {
  HttpClient anonymous("127.0.0.1", server->port());
  auto page = anonymous.get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(page.header("Content-Type").starts_with("text/html"));
  EXPECT_NE(page.raw.find("/assets/app.js"), std::string::npos);
  EXPECT_NE(page.header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page.header("X-Content-Type-Options"), "nosniff");
  EXPECT_TRUE(anonymous.get("/assets/app.js").header("Content-Type").starts_with("text/javascript"));
  EXPECT_EQ(anonymous.get("/assets/.gitignore").status, 404);
  EXPECT_EQ(anonymous.get("/assets/..%2FCMakeLists.txt").status, 404);
  EXPECT_EQ(anonymous.get("/assets/nothing.js").body["error"]["code"], "not_found");
  // Who a token is, for the sign-in.
  EXPECT_EQ(admin->get("/api/v1/me").body["role"], "admin");
  EXPECT_EQ(anonymous.get("/api/v1/me").status, 401);
}

}  // namespace
}  // namespace sb::testing
